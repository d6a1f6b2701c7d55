"""One run against one target: the repository loaded, the platform open, captures at hand.

Commands (plan, apply, lock, import) share this so each reads the repository and opens the
target the same way, and refuses to touch the platform while the repository has errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reconciler.captures import write_capture
from reconciler.engine import Reading, desired_fingerprint, desires, live_fingerprint, make_plan, read_live
from reconciler.model import Capture, Repository, Target
from reconciler.planning.desired import hits_needed
from reconciler.planning.plan import Plan
from reconciler.platform.base import Platform
from reconciler.platform.mturk import DEFAULT_CONCURRENCY
from reconciler.platform.targets import open_target
from reconciler.problems import InvalidInput, Problem
from reconciler.reading import read_pools
from reconciler.repository import LoadResult, load_captures, load_repository
from reconciler.yamlread import locate


@dataclass
class Session:
    repository: Repository
    target: Target
    platform: Platform
    captures: dict[str, Capture]
    warnings: list[Problem]

    @property
    def concurrency(self) -> int:
        return self.target.limits.max_concurrency or DEFAULT_CONCURRENCY

    def read(self, now: datetime) -> Reading:
        """Read the live side and write back every capture that changed (they never shrink)."""
        reading = read_live(
            self.repository, self.platform, self.target.name, self.captures, now, self.concurrency
        )
        self.save_captures(reading.hits.changed_captures)
        reading.hits.require_complete()
        return reading

    def save_captures(self, changed: list[Capture]) -> None:
        for capture in changed:
            self.captures[capture.hit_id] = write_capture(self.repository.layout, capture)

    def current_fingerprints(self, now: datetime) -> tuple[str, str | None]:
        """Fingerprints of the live state (read now) and of the desired state (from the repository
        and its captures alone). The desired one is None when a HIT has no capture to go by."""
        config = self.repository.config
        live = read_pools(self.platform, config.pools.values(), self.target.name, self.concurrency)
        needed = hits_needed(self.repository.studies, now.date())
        if any(hit_id not in self.captures for hit_id in needed):
            return live_fingerprint(live), None
        workers = {hit_id: self.captures[hit_id].workers for hit_id in needed}
        wanted = desires(config.pools, self.repository.studies, workers, now.date())
        return live_fingerprint(live), desired_fingerprint(config.pools, wanted)

    def plan(self, now: datetime | None = None) -> Plan:
        moment = now or utc_now()
        return make_plan(self.repository, self.read(moment), self.target.name, moment)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def load_checked(
    root: Path, target_name: str | None
) -> tuple[Repository, Target, dict[str, Capture], list[Problem]]:
    """The repository, the chosen target and its captures, or ``InvalidInput`` with every error."""
    result = load_repository(root, with_captures=False, with_seeds=False)
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
    captures = load_captures(repository.layout, name, captures_result)
    captures_result.require_no_errors()
    return repository, repository.config.targets[name], captures, result.problems + captures_result.problems


@contextmanager
def open_session(root: Path, target_name: str | None) -> Iterator[Session]:
    repository, target, captures, warnings = load_checked(root, target_name)
    with open_target(target) as platform:
        yield Session(repository, target, platform, captures, warnings)
