"""One run against one target: the repository loaded, the platform open, captures at hand.

Commands (plan, apply, lock, import) share this so each reads the repository and opens the
target the same way, and refuses to touch the platform while the repository has errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from reconciler.core.granted import record_after_apply, studies_of
from reconciler.core.live import LivePool, LiveQualificationType
from reconciler.core.model import Capture, GrantRecord, Repository, Target
from reconciler.core.plan import Plan
from reconciler.core.planner import Reading, fingerprints_from_captures, make_plan
from reconciler.core.problems import InvalidInput, Problem
from reconciler.core.safety import example_pool_problems
from reconciler.lab.captures import write_capture
from reconciler.lab.granted import record_grants
from reconciler.lab.layout import Layout
from reconciler.lab.loading import LoadResult, load_captures, load_config, load_grant_records, load_repository
from reconciler.lab.pool_types import read_pool_types, record_pool_types
from reconciler.lab.yaml_files import locate
from reconciler.ops import projection
from reconciler.ops.applying import ApplyReport, Progress, apply_plan
from reconciler.ops.failures import OperationFailed
from reconciler.ops.reading import find_pool_type, read_live, read_pools
from reconciler.ops.targets import DEFAULT_CONCURRENCY, open_target
from reconciler.platform.base import Platform


@dataclass
class Session:
    repository: Repository
    target: Target
    platform: Platform
    captures: dict[str, Capture]
    warnings: list[Problem]
    pool_types: dict[str, str] = field(default_factory=dict)  # pool -> ID recorded in pools.yaml
    # Pool -> who the repository listed among its holders at the last apply (locks/<target>/granted/).
    granted: dict[str, GrantRecord] = field(default_factory=dict)
    # Pool -> its holders as this run last read them: what the record after an apply starts from.
    holders_read: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def layout(self) -> Layout:
        return Layout(self.repository.root)

    @property
    def platform_name(self) -> str:
        """MTurk or Prolific: where this session's changes are made."""
        return projection.platform_name(self.target)

    @property
    def concurrency(self) -> int:
        return self.target.limits.max_concurrency or DEFAULT_CONCURRENCY

    def read_and_capture(self, now: datetime) -> Reading:
        """Read the live side and write back every capture that changed (they never shrink)."""
        reading = read_live(
            self.repository,
            self.platform,
            self.target.name,
            self.captures,
            self.pool_types,
            now,
            self.concurrency,
        )
        self.save_captures(reading.hits.changed_captures)
        self.adopt_found_types(reading.live.values(), now)
        reading.hits.require_complete()
        return reading

    def find_pool_type(self, pool_key: str) -> LiveQualificationType | None:
        """The pool's qualification type on this target, found the one way every command uses."""
        pool = self.repository.config.pools[pool_key]
        live = find_pool_type(self.platform, pool, self.target.name, self.pool_types)
        self.adopt_found_types([live], utc_now())
        return live.qualification_type

    def adopt_found_types(self, found: Iterable[LivePool], now: datetime) -> None:
        """Record every type found by its name: from now on it is read by its ID, so a lagging
        search index or a renamed pool can never point the lab at another type."""
        adopted = {
            live.pool: (live.qualification_type.type_id, live.qualification_type.name)
            for live in found
            if live.found_by == "name" and live.qualification_type is not None
        }
        self.record_types(adopted, now)

    def record_types(self, recorded: Mapping[str, tuple[str, str]], now: datetime) -> None:
        record_pool_types(self.layout, self.target.name, recorded, now)
        self.pool_types.update({pool: type_id for pool, (type_id, _) in recorded.items()})

    def save_captures(self, changed: list[Capture]) -> None:
        for capture in changed:
            self.captures[capture.hit_id] = write_capture(self.layout, capture)

    def current_fingerprints(self, now: datetime) -> tuple[str, str | None]:
        """Fingerprints of the live state (read now) and of the desired state (from the repository
        and its captures alone). The desired one is None when a HIT has no capture to go by."""
        live = read_pools(
            self.platform,
            self.repository.config.pools.values(),
            self.target.name,
            self.pool_types,
            self.concurrency,
        )
        captured = {hit_id: capture.workers for hit_id, capture in self.captures.items()}
        if projection.holds_membership_only(self.target):
            live = projection.live_as_compared(self.repository, live, captured, now.date())
        self.remember_holders(live)
        return fingerprints_from_captures(self.repository, live, captured, self.granted, now.date())

    def remember_holders(self, live: Mapping[str, LivePool]) -> None:
        self.holders_read = {key: frozenset(pool.holders) for key, pool in live.items()}

    def apply(self, plan: Plan, advance: Progress | None = None) -> ApplyReport:
        def created(pool: str, qualification_type: LiveQualificationType) -> None:
            # Recorded the moment it exists, so even an apply that fails later never searches again.
            self.record_types({pool: (qualification_type.type_id, qualification_type.name)}, utc_now())

        report = apply_plan(
            self.platform, plan, concurrency=self.concurrency, advance=advance, on_type_created=created
        )
        report.recorded = self.record_listed(plan, report)
        return report

    def record_listed(self, plan: Plan, report: ApplyReport | None = None) -> list[Path]:
        """Write, for each pool the apply reached, who the repository lists among its holders now
        (``report`` None: a plan with no changes). Returns the record files that changed."""
        skipped = {pool for pool, _ in report.skipped} if report else set()
        outcomes = report.outcomes if report else []
        written = []
        for pool_plan in plan.pools:
            pool = pool_plan.pool
            if pool in skipped or any(o.pool == pool and o.worker_id is None and not o.ok for o in outcomes):
                continue  # its type failed: nothing was done to its holders
            ours = [o for o in outcomes if o.pool == pool and o.worker_id is not None]
            previous = self.granted.get(pool)
            record = record_after_apply(
                pool_plan,
                self.holders_read.get(pool, frozenset()),
                previous,
                studies_of(pool, self.repository.studies),
                frozenset(o.worker_id for o in ours if o.ok and o.kind != "revoke" and o.worker_id),
                frozenset(o.worker_id for o in ours if not o.ok and o.kind == "revoke" and o.worker_id),
            )
            if record == previous or (previous is None and record == GrantRecord()):
                continue
            record_grants(self.layout, self.target.name, pool, record, utc_now())
            self.granted[pool] = record
            written.append(self.layout.granted_file(self.target.name, pool))
        return written

    def plan(self, now: datetime | None = None) -> Plan:
        moment = now or utc_now()
        reading = self.read_and_capture(moment)
        if projection.holds_membership_only(self.target):
            live = projection.live_as_compared(
                self.repository, reading.live, reading.hits.workers, moment.date()
            )
            reading = replace(reading, live=live)
        self.remember_holders(reading.live)
        return make_plan(self.repository, replace(reading, granted=self.granted), self.target.name, moment)


class TargetRetired(OperationFailed):
    """The target is marked retired: nothing is read from or sent to its platform."""

    def __init__(self, target: str) -> None:
        super().__init__(
            f"target '{target}' is retired (retired: true in config.yaml): its files are the lab's "
            "archive and nothing is sent to its platform; choose another --target"
        )
        self.target = target


def retired_target(root: Path, target_name: str | None) -> str | None:
    """The chosen target's name when config.yaml marks it retired (plan and apply skip it); None
    otherwise, or when config.yaml has problems (the run goes on to report them)."""
    config = load_config(root)
    if config is None:
        return None
    name = target_name or config.default_target
    target = config.targets.get(name)
    return name if target is not None and target.retired else None


def skip_line(target: str) -> str:
    return f"Skipped target '{target}': it is retired (its files stay the lab's archive; nothing is sent)."


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def load_checked(
    root: Path, target_name: str | None, *, with_records: bool = True
) -> tuple[Repository, Target, Loaded, list[Problem]]:
    """The repository, the chosen target and its captures, or ``InvalidInput`` with every error.
    ``with_records``: also the records of listed holders, which only plan and apply read (they
    can be megabytes, and the answers come from the studies and captures alone)."""
    result = load_repository(root, with_captures=False)
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
    captures_result = LoadResult(None)
    captures = load_captures(Layout(root), name, captures_result)
    granted = (
        load_grant_records(Layout(root), name, captures_result, repository.config) if with_records else {}
    )
    captures_result.require_no_errors()
    pool_types = read_pool_types(Layout(root), name)
    target = repository.config.targets[name]
    return (
        repository,
        target,
        Loaded(captures, pool_types, granted),
        result.problems + captures_result.problems,
    )


@dataclass(frozen=True)
class Loaded:
    """What the repository records about one target: captures, types, listed holders."""

    captures: dict[str, Capture]
    pool_types: dict[str, str]
    granted: dict[str, GrantRecord]


@contextmanager
def open_session(root: Path, target_name: str | None, *, to_change: bool = False) -> Iterator[Session]:
    """A session on the target. ``to_change``: the caller will change the platform, so pools that
    still carry the shipped example's texts are refused before anything is read from it."""
    repository, target, loaded, warnings = load_checked(root, target_name)
    if target.retired:
        raise TargetRetired(target.name)
    if to_change:
        refusals = example_pool_problems(repository.config.pools.values(), target)
        if refusals:
            raise OperationFailed("; ".join(str(refusal) for refusal in refusals) + "; nothing was changed")
    with open_target(target) as platform:
        yield Session(
            projection.for_target(repository, target),
            target,
            platform,
            loaded.captures,
            warnings,
            loaded.pool_types,
            loaded.granted,
        )
