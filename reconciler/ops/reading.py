"""Reading the live side of one target: each pool's qualification type and holders, HITs' workers.

Reads run concurrently (the platform's client paces and retries them). Any failure that survives
the retries stops the whole read: a plan is made from complete data or not at all. What to read and
what a read means for a capture is decided in ``reconciler.core.captures``; this module only asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TypeVar

from reconciler.core import captures as capture_rules
from reconciler.core.captures import HitWorkers
from reconciler.core.desired import hits_needed
from reconciler.core.live import HitState, LivePool
from reconciler.core.model import Capture, Pool, Repository, Study
from reconciler.core.planner import Reading
from reconciler.core.platform_kind import PlatformKind
from reconciler.core.problems import Problem
from reconciler.lab.yaml_files import locate
from reconciler.platform.base import GroupGone, Platform, PlatformError, UnitGone

T = TypeVar("T")
R = TypeVar("R")


def run_all(function: Callable[[T], R], items: Iterable[T], concurrency: int) -> list[R]:
    """``function`` over ``items`` on a thread pool; the first failure propagates."""
    listed = list(items)
    if len(listed) <= 1 or concurrency <= 1:
        return [function(item) for item in listed]
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="read") as pool:
        return list(pool.map(function, listed))


def find_pool_type(platform: Platform, pool: Pool, target: str, recorded: Mapping[str, str]) -> LivePool:
    """The one way to find a pool's qualification type (or group) on a target: the ID pinned for
    the target in config.yaml (which must exist), else the ID recorded in the target's pools.yaml,
    else (never created or adopted yet) the requester's own type of the pool's exact name.

    A recorded ID the platform no longer knows is reported, not replaced by a search: the plan
    then shows a re-creation with every holder granted again."""
    pinned = pool.pinned_type_ids.get(target)
    if pinned:
        try:
            return LivePool(pool.key, platform.find_qualification_type(pool.name, pinned), found_by="pinned")
        except GroupGone as gone:
            raise PlatformError(
                f"{gone}, which config.yaml pins for pool '{pool.key}' on target '{target}' "
                "(qualification_type_id); correct the ID, or remove it to let the tool create or "
                "find the group"
            ) from None
    recorded_id = recorded.get(pool.key)
    if recorded_id:
        try:
            live_type = platform.find_qualification_type(pool.name, recorded_id)
        except GroupGone:
            return LivePool(pool.key, None, found_by="recorded", missing_recorded_id=recorded_id)
        return LivePool(pool.key, live_type, found_by="recorded")
    return LivePool(pool.key, platform.find_qualification_type(pool.name, None), found_by="name")


def read_pools(
    platform: Platform, pools: Iterable[Pool], target: str, recorded: Mapping[str, str], concurrency: int
) -> dict[str, LivePool]:
    def read(pool: Pool) -> LivePool:
        live = find_pool_type(platform, pool, target, recorded)
        if live.qualification_type is not None:
            live.holders = platform.list_holders(live.qualification_type.type_id)
        return live

    return {live.pool: live for live in run_all(read, pools, concurrency)}


def read_live(
    repository: Repository,
    platform: Platform,
    target: str,
    captures: Mapping[str, Capture],
    recorded: Mapping[str, str],
    now: datetime,
    concurrency: int,
) -> Reading:
    needed = hits_needed(repository.studies, now.date())
    # HITs and holders are independent: read them at the same time, so a plan takes as long as
    # the longer of the two (holder pages are a chain of NextTokens and cannot be parallelised).
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="plan") as both:
        hits = both.submit(read_hits, platform, needed, captures, target, now, concurrency)
        live = both.submit(
            read_pools, platform, repository.config.pools.values(), target, recorded, concurrency
        )
        captured = {hit_id: capture.workers for hit_id, capture in captures.items()}
        return Reading(live.result(), hits.result(), captured)


def read_hits(
    platform: Platform,
    needed: Mapping[str, list[tuple[Study, int]]],
    captures: Mapping[str, Capture],
    target: str,
    now: datetime,
    concurrency: int,
) -> HitWorkers:
    """The workers of each needed HIT, from its capture when that is complete, else from MTurk.

    A HIT's state and counts come from one ``GetHIT`` each, or from paging through every HIT when
    that takes fewer calls; its assignments are listed only when the counts show a worker its
    capture may lack. A HIT MTurk no longer knows is served from its capture; with no capture it
    fails the plan, naming each study file and line that lists it.
    """
    kind = platform.kind
    age = kind.disposal_age
    to_read = capture_rules.hits_to_read(needed, captures, now, age)
    states = _hit_states(platform, to_read, capture_rules.live_hits_estimate(needed, captures, now, age))

    def read_one(hit_id: str) -> tuple[str, Capture | None]:
        previous = captures.get(hit_id)
        try:
            state = states[hit_id] if hit_id in states else platform.hit_state(hit_id)
            if capture_rules.nothing_new(previous, state):
                workers = capture_rules.captured_workers(previous)
            else:
                workers = platform.hit_workers(hit_id)
        except UnitGone:
            return hit_id, capture_rules.mark_disposed(previous, now) if previous else None
        return hit_id, capture_rules.merge_reading(target, previous, state.with_workers(workers), now)

    after_reading = dict(run_all(read_one, to_read, concurrency))
    result, unknown = capture_rules.combine_readings(needed, captures, after_reading, now, kind)
    for hit_id in unknown:
        result.missing.extend(_never_captured(kind, hit_id, needed[hit_id]))
    return result


def _hit_states(platform: Platform, to_read: list[str], live_hits: int) -> dict[str, HitState]:
    """Every HIT's state from ``ListHITs`` pages when they are fewer than the HITs to read, else
    nothing (each HIT is then asked for on its own). A HIT the listing lacks (disposed, or made
    since) is asked for on its own too, so a missing row is never read as "no workers"."""
    if not capture_rules.list_all_hits(len(to_read), live_hits):
        return {}
    wanted = set(to_read)
    return {state.hit_id: state for state in platform.list_hit_states() if state.hit_id in wanted}


def _never_captured(kind: PlatformKind, hit_id: str, places: list[tuple[Study, int]]) -> Iterable[Problem]:
    words = kind.words
    disposed = (
        f", or have been disposed of ({kind.name} deletes {words.units} {kind.disposal_age.days} days after "
        "their creation)"
        if kind.disposal_age is not None
        else ", or have been deleted"
    )
    for study, index in places:
        line, column = locate(study.path, [words.units_key, index])
        yield Problem(
            study.path,
            f"{kind.name} does not know the {words.unit} {hit_id} and its {words.holders} were never "
            f"captured: it may be mistyped, belong to another target (another account or "
            f"workspace){disposed}",
            f"if mistyped, correct it (compare with {words.where_ids_are}); if it is another target's, "
            f"plan that target with --target; if it is gone, list its {words.holders} under "
            f"'{words.holders_key}:' from your own records and remove the {words.unit}",
            line,
            column,
        )
