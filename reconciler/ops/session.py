"""One run against one target: the repository read once, the platform open, what was read passed on.

Every command that reaches a platform (plan, apply, capture, import, requirement, audit, why
--live) starts here: ``load_run`` reads the repository and the chosen target's records in one pass
(the retired check included), and ``open_session`` opens the target. A ``Session`` is immutable:
what a read finds is returned to the caller, never remembered for a later call to find.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from reconciler.core.granted import record_after_apply, studies_of
from reconciler.core.live import LivePool, LiveQualificationType
from reconciler.core.model import Capture, GrantRecord, Repository, Target
from reconciler.core.outcome import ApplyReport
from reconciler.core.plan import Plan
from reconciler.core.planner import Reading, fingerprints_from_captures, make_plan
from reconciler.core.platform_kind import PlatformKind
from reconciler.core.problems import InvalidInput, Problem
from reconciler.core.safety import CheckedPlan, example_pool_problems
from reconciler.lab.captures import write_capture
from reconciler.lab.granted import record_grants
from reconciler.lab.layout import Layout
from reconciler.lab.loading import LoadResult, load_captures, load_grant_records, load_repository
from reconciler.lab.pool_types import read_pool_types, record_pool_types
from reconciler.lab.yaml_files import locate
from reconciler.ops import projection
from reconciler.ops.applying import Progress, apply_plan
from reconciler.ops.failures import OperationFailed
from reconciler.ops.reading import find_pool_type, read_live, read_pools
from reconciler.ops.targets import default_concurrency, open_target
from reconciler.platform.base import Platform


class TargetRetired(OperationFailed):
    """The target is marked retired: nothing is read from or sent to its platform."""

    def __init__(self, target: str) -> None:
        super().__init__(
            f"target '{target}' is retired (retired: true in config.yaml): its files are the lab's "
            "archive and nothing is sent to its platform; choose another --target"
        )
        self.target = target

    @property
    def skip_line(self) -> str:
        """What plan and apply say when they skip it (exit 0: an archive is not an error)."""
        return (
            f"Skipped target '{self.target}': it is retired (its files stay the lab's archive; "
            "nothing is sent)."
        )


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class RunInputs:
    """What one run reads of the lab's repository, in one pass: the repository as the target's
    platform sees it, the target, and what the repository records about it."""

    repository: Repository  # each study's units and holders on the target's platform
    target: Target
    captures: Mapping[str, Capture]
    pool_types: Mapping[str, str]  # pool -> the group ID recorded in locks/<target>/pools.yaml
    granted: Mapping[str, GrantRecord]  # pool -> who the studies listed at the last apply
    warnings: list[Problem]

    @property
    def kind(self) -> PlatformKind:
        return self.target.kind

    @property
    def layout(self) -> Layout:
        return Layout(self.repository.root)

    def titles(self) -> dict[str, str]:
        return {study.study_id: study.title for study in self.repository.studies}


def load_run(
    root: Path, target_name: str | None, *, with_records: bool = True, allow_retired: bool = False
) -> RunInputs:
    """The repository, the chosen target and its records, or ``InvalidInput`` with every error;
    ``TargetRetired`` before anything else when the target is retired (unless ``allow_retired``:
    the answers read an archive). ``with_records``: also the records of listed holders, which
    only plan and apply use (they can be megabytes)."""
    result = load_repository(root, with_captures=False)
    config = result.config
    if config is not None and not allow_retired:
        chosen = config.targets.get(target_name or config.default_target)
        if chosen is not None and chosen.retired:
            raise TargetRetired(chosen.name)
    repository = result.require()
    name = target_name or repository.config.default_target
    if name not in repository.config.targets:
        line, column = locate(repository.config.path, ["targets"])
        raise InvalidInput(
            [
                Problem(
                    repository.config.path,
                    f"no target named '{name}'",
                    f"use one of: {', '.join(sorted(repository.config.targets))}",
                    line,
                    column,
                )
            ]
        )
    target = repository.config.targets[name]
    layout = Layout(root)
    records = LoadResult(None)
    captures = load_captures(layout, name, records)
    granted = load_grant_records(layout, name, records, repository.config) if with_records else {}
    records.require_no_errors()
    return RunInputs(
        projection.for_kind(repository, target.kind),
        target,
        captures,
        read_pool_types(layout, name),
        granted,
        result.problems + records.problems,
    )


@dataclass(frozen=True)
class Planned:
    """A plan, and what it was made from that an apply of it needs: the holders read."""

    plan: Plan
    holders_read: Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class Session:
    """One open target. Immutable: each method returns what it read or wrote."""

    inputs: RunInputs
    platform: Platform

    @property
    def target(self) -> Target:
        return self.inputs.target

    @property
    def kind(self) -> PlatformKind:
        return self.inputs.kind

    @property
    def repository(self) -> Repository:
        return self.inputs.repository

    @property
    def layout(self) -> Layout:
        return self.inputs.layout

    @property
    def concurrency(self) -> int:
        return self.target.limits.max_concurrency or default_concurrency(self.target)

    def save_captures(self, changed: Iterable[Capture]) -> dict[str, Capture]:
        """Write each changed capture; returns every capture of the target as it now stands."""
        captures = dict(self.inputs.captures)
        for capture in changed:
            captures[capture.hit_id] = write_capture(self.layout, capture)
        return captures

    def read_and_capture(self, now: datetime) -> Reading:
        """Read the live side and write back every capture that changed (they never shrink)."""
        reading = read_live(
            self.repository,
            self.platform,
            self.target.name,
            self.inputs.captures,
            self.inputs.pool_types,
            now,
            self.concurrency,
        )
        self.save_captures(reading.hits.changed_captures)
        self.adopt_found_types(reading.live.values(), now)
        reading.hits.require_complete()
        return reading

    def find_pool_type(self, pool_key: str) -> LiveQualificationType | None:
        """The pool's group on this target, found the one way every command uses."""
        pool = self.repository.config.pools[pool_key]
        live = find_pool_type(self.platform, pool, self.target.name, self.inputs.pool_types)
        self.adopt_found_types([live], utc_now())
        return live.qualification_type

    def adopt_found_types(self, found: Iterable[LivePool], now: datetime) -> None:
        """Record every group found by its name: from now on it is read by its ID, so a lagging
        search index or a renamed pool can never point the lab at another group."""
        adopted = {
            live.pool: (live.qualification_type.type_id, live.qualification_type.name)
            for live in found
            if live.found_by == "name" and live.qualification_type is not None
        }
        record_pool_types(self.layout, self.target.name, adopted, now)

    def compared(
        self, live: Mapping[str, LivePool], hit_workers: Mapping[str, frozenset[str]], now: datetime
    ) -> dict[str, LivePool]:
        """``live`` as the planner compares it on this platform (see ``projection``)."""
        return projection.live_as_compared(self.kind, self.repository, live, hit_workers, now.date())

    def plan(self, now: datetime | None = None) -> Planned:
        moment = now or utc_now()
        reading = self.read_and_capture(moment)
        reading = replace(
            reading,
            live=self.compared(reading.live, reading.hits.workers, moment),
            granted=self.inputs.granted,
        )
        plan = make_plan(self.repository, reading, self.target.name, self.kind, moment)
        return Planned(plan, _holders(reading.live))

    def current_fingerprints(self, now: datetime) -> tuple[str, str | None, Mapping[str, frozenset[str]]]:
        """Fingerprints of the live state (read now) and of the desired state (from the repository
        and its captures alone; None when a HIT has no capture to go by), and the holders read."""
        live = read_pools(
            self.platform,
            self.repository.config.pools.values(),
            self.target.name,
            self.inputs.pool_types,
            self.concurrency,
        )
        captured = {hit_id: capture.workers for hit_id, capture in self.inputs.captures.items()}
        live = self.compared(live, captured, now)
        live_print, desired_print = fingerprints_from_captures(
            self.repository, live, captured, self.inputs.granted, now.date()
        )
        return live_print, desired_print, _holders(live)

    def apply(
        self,
        checked: CheckedPlan,
        holders_read: Mapping[str, frozenset[str]],
        advance: Progress | None = None,
    ) -> ApplyReport:
        """Carry out a plan the safety check passed (no other kind of plan is accepted), then
        record who the studies list among each pool's holders."""

        def created(pool: str, qualification_type: LiveQualificationType) -> None:
            # Recorded the moment it exists, so even an apply that fails later never searches again.
            record_pool_types(
                self.layout,
                self.target.name,
                {pool: (qualification_type.type_id, qualification_type.name)},
                utc_now(),
            )

        report = apply_plan(
            self.platform, checked, concurrency=self.concurrency, advance=advance, on_type_created=created
        )
        report.recorded = self.record_listed(checked.plan, holders_read, report)
        return report

    def record_listed(
        self, plan: Plan, holders_read: Mapping[str, frozenset[str]], report: ApplyReport | None = None
    ) -> list[Path]:
        """Write, for each pool the apply reached, who the repository lists among its holders now
        (``report`` None: a plan with no changes). Returns the record files that changed."""
        skipped = {pool for pool, _ in report.skipped} if report else set()
        outcomes = report.outcomes if report else []
        written = []
        for pool_plan in plan.pools:
            pool = pool_plan.pool
            if pool in skipped or any(o.pool == pool and o.worker_id is None and not o.ok for o in outcomes):
                continue  # its group failed: nothing was done to its holders
            ours = [o for o in outcomes if o.pool == pool and o.worker_id is not None]
            previous = self.inputs.granted.get(pool)
            record = record_after_apply(
                pool_plan,
                holders_read.get(pool, frozenset()),
                previous,
                studies_of(pool, self.repository.studies),
                frozenset(o.worker_id for o in ours if o.ok and o.kind != "revoke" and o.worker_id),
                frozenset(o.worker_id for o in ours if not o.ok and o.kind == "revoke" and o.worker_id),
            )
            if record == previous or (previous is None and record == GrantRecord()):
                continue
            record_grants(self.layout, self.target.name, pool, record, utc_now())
            written.append(self.layout.granted_file(self.target.name, pool))
        return written


def _holders(live: Mapping[str, LivePool]) -> dict[str, frozenset[str]]:
    return {key: frozenset(pool.holders) for key, pool in live.items()}


def refuse_example_pools(inputs: RunInputs) -> None:
    """Pools that still carry the shipped example's texts are refused on any target that is not
    local, before anything is read from it: holders would see them."""
    refusals = example_pool_problems(inputs.repository.config.pools.values(), inputs.target)
    if refusals:
        raise OperationFailed("; ".join(str(refusal) for refusal in refusals) + "; nothing was changed")


@contextmanager
def open_session(inputs: RunInputs) -> Iterator[Session]:
    """A session on the run's target, for the duration of the block."""
    with open_target(inputs.target) as platform:
        yield Session(inputs, platform)
