"""Reading the live side: each pool's qualification type and holders, and the workers of HITs.

Reads run concurrently (the platform's client paces and retries them). Any failure that survives
the retries stops the whole read: a plan is made from complete data or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from reconciler import captures as capture_rules
from reconciler.model import Capture, Pool, Study
from reconciler.platform.base import HitGone, LiveQualificationType, Platform
from reconciler.problems import InvalidInput, Problem
from reconciler.yamlread import locate

WARN_BEFORE_DISPOSAL = timedelta(days=14)

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class LivePool:
    pool: str
    qualification_type: LiveQualificationType | None
    holders: dict[str, int] = field(default_factory=dict)


@dataclass
class HitWorkers:
    """The workers of every HIT asked for, and the captures to write back."""

    workers: dict[str, frozenset[str]]
    changed_captures: list[Capture]
    warnings: list[str]
    calls_saved: int  # HITs served from a complete capture, for the record
    missing: list[Problem] = field(default_factory=list)  # disposed HITs never captured

    def require_complete(self) -> None:
        """Fail (after the caller saved what was captured) when any HIT's workers are unknown."""
        if self.missing:
            raise InvalidInput(self.missing)


def run_all(function: Callable[[T], R], items: Iterable[T], concurrency: int) -> list[R]:
    """``function`` over ``items`` on a thread pool; the first failure propagates."""
    listed = list(items)
    if len(listed) <= 1 or concurrency <= 1:
        return [function(item) for item in listed]
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="read") as pool:
        return list(pool.map(function, listed))


def read_pools(
    platform: Platform, pools: Iterable[Pool], target: str, concurrency: int
) -> dict[str, LivePool]:
    def read(pool: Pool) -> LivePool:
        live_type = platform.find_qualification_type(pool.name, pool.pinned_type_ids.get(target))
        holders = platform.list_holders(live_type.type_id) if live_type else {}
        return LivePool(pool.key, live_type, holders)

    return {live.pool: live for live in run_all(read, pools, concurrency)}


def read_hits(
    platform: Platform,
    needed: Mapping[str, list[tuple[Study, int]]],
    captures: Mapping[str, Capture],
    target: str,
    now: datetime,
    concurrency: int,
) -> HitWorkers:
    """The workers of each needed HIT, from its capture when that is complete, else from MTurk.

    A HIT MTurk no longer knows is served from its capture; with no capture it fails the plan,
    naming each study file and line that lists it.
    """
    to_read = sorted(hit for hit in needed if capture_rules.needs_reading(captures.get(hit), now))
    missing: list[Problem] = []
    changed: list[Capture] = []
    result: dict[str, frozenset[str]] = {}

    def read(hit_id: str) -> tuple[str, Capture | None]:
        previous = captures.get(hit_id)
        try:
            reading = platform.read_hit(hit_id)
        except HitGone:
            return hit_id, capture_rules.mark_disposed(previous, now) if previous else None
        return hit_id, capture_rules.merge_reading(target, previous, reading, now)

    for hit_id, capture in run_all(read, to_read, concurrency):
        if capture is None:
            missing.extend(_never_captured(hit_id, needed[hit_id]))
            continue
        if capture_rules.differs(captures.get(hit_id), capture):
            changed.append(capture)
        result[hit_id] = capture.workers
    for hit_id in needed:
        if hit_id not in result and hit_id in captures:
            known = captures[hit_id]
            if not known.complete:  # known disposed by its age alone: record that it is final
                changed.append(capture_rules.mark_disposed(known, now))
            result[hit_id] = known.workers
    warnings = _disposal_warnings(needed, captures, changed, now)
    return HitWorkers(result, changed, warnings, len(needed) - len(to_read), missing)


def _never_captured(hit_id: str, places: list[tuple[Study, int]]) -> Iterable[Problem]:
    for study, index in places:
        line, column = locate(study.path, ["hits", index])
        yield Problem(
            study.path,
            f"HIT {hit_id} no longer exists on MTurk (disposed of 120 days after its creation) "
            "and its workers were never captured",
            "list the HIT's workers under 'workers:' (from your own records) and remove the HIT",
            line,
            column,
        )


def _disposal_warnings(
    needed: Mapping[str, list[tuple[Study, int]]],
    captures: Mapping[str, Capture],
    changed: list[Capture],
    now: datetime,
) -> list[str]:
    latest = {**captures, **{capture.hit_id: capture for capture in changed}}
    warnings = []
    for hit_id in sorted(needed):
        capture = latest.get(hit_id)
        if capture is None or capture.complete or capture.hit_created is None:
            continue
        disposal = capture.hit_created + capture_rules.DISPOSAL_AGE
        if disposal - now <= WARN_BEFORE_DISPOSAL:
            days = max(0, (disposal - now).days)
            studies = ", ".join(sorted({study.study_id for study, _ in needed[hit_id]}))
            warnings.append(
                f"HIT {hit_id} ({studies}) will be disposed of by MTurk in {days} days "
                f"({disposal:%Y-%m-%d}) and is not completely captured: run `exclusions lock` "
                "once its assignments are all submitted, and commit the capture"
            )
    return warnings
