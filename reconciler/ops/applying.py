"""Carrying out a plan: qualification types first, then grants and value updates, then revocations.

Changes run concurrently on a bounded thread pool (the platform's client paces and retries each
call). A failed change does not stop the others; the report says exactly which succeeded and
which did not, and since a re-run plans again from the live state, it repeats nothing that
already happened and converges.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from functools import partial

from reconciler.core.live import LiveQualificationType
from reconciler.core.outcome import ApplyReport, Kind, Outcome
from reconciler.core.plan import PoolPlan, WorkerChange
from reconciler.core.safety import CheckedPlan
from reconciler.platform.base import BatchMembership, Platform, PlatformError

Progress = Callable[[int], None]
TypeCreated = Callable[[str, LiveQualificationType], None]  # pool, its new (or adopted) type


def apply_plan(
    platform: Platform,
    checked: CheckedPlan,
    *,
    concurrency: int,
    advance: Progress | None = None,
    on_type_created: TypeCreated | None = None,
) -> ApplyReport:
    """Carry out a plan that passed the safety check; a plain ``Plan`` is refused (TypeError), so
    no caller can apply what the check refused, or skip it."""
    if not isinstance(checked, CheckedPlan):
        raise TypeError("apply_plan takes the CheckedPlan that core.safety.check_plan returns, not a Plan")
    plan = checked.plan
    report = ApplyReport()
    type_ids: dict[str, str] = {}
    for pool in plan.pools:
        type_id = _apply_type(platform, pool, report, on_type_created)
        if type_id is None:
            changes = len(pool.grants) + len(pool.updates) + len(pool.revokes)
            if changes:
                report.skipped.append((pool.pool, changes))
            continue
        type_ids[pool.pool] = type_id
    # Grants and updates before revocations: if anything fails midway, the lab is left excluding
    # too many rather than too few.
    first: list[tuple[Kind, PoolPlan, WorkerChange]] = []
    last: list[tuple[Kind, PoolPlan, WorkerChange]] = []
    for pool in plan.pools:
        if pool.pool in type_ids:
            first.extend(("grant", pool, change) for change in pool.grants)
            first.extend(("update", pool, change) for change in pool.updates)
            last.extend(("revoke", pool, change) for change in pool.revokes)
    for batch in (first, last):
        _run_batch(platform, batch, type_ids, report, concurrency, advance)
    return report


def _apply_type(
    platform: Platform, pool: PoolPlan, report: ApplyReport, on_type_created: TypeCreated | None
) -> str | None:
    change = pool.type_change
    try:
        if change is not None and change.action == "create":
            created = _create_or_adopt(platform, pool)
            if on_type_created is not None:
                on_type_created(pool.pool, created)
            report.outcomes.append(Outcome("create type", pool.pool, None))
            report.created_types[pool.pool] = created.type_id
            return created.type_id
        if change is not None and pool.type_id is not None:
            platform.update_qualification_type(pool.type_id, pool.settings)
            report.outcomes.append(Outcome("update type", pool.pool, None))
    except PlatformError as error:
        kind: Kind = "create type" if change is not None and change.action == "create" else "update type"
        report.outcomes.append(Outcome(kind, pool.pool, None, str(error)))
        return None
    return pool.type_id


def _create_or_adopt(platform: Platform, pool: PoolPlan) -> LiveQualificationType:
    """Create the pool's type; if another run created it first (MTurk refuses a second type of
    the same name), use that one: it is the type this pool is found by from now on."""
    try:
        return platform.create_qualification_type(pool.settings)
    except PlatformError:
        existing = platform.find_qualification_type(pool.settings.name, None)
        if existing is None:
            raise
        return existing


def _run_batch(
    platform: Platform,
    batch: list[tuple[Kind, PoolPlan, WorkerChange]],
    type_ids: dict[str, str],
    report: ApplyReport,
    concurrency: int,
    advance: Progress | None,
) -> None:
    def one(kind: Kind, pool: PoolPlan, change: WorkerChange) -> list[Outcome]:
        type_id = type_ids[pool.pool]
        try:
            if kind == "revoke":
                platform.revoke(type_id, change.worker_id, pool.revoke_reason)
            else:
                assert change.new_value is not None
                platform.grant(type_id, change.worker_id, change.new_value)
        except PlatformError as error:
            return [Outcome(kind, pool.pool, change.worker_id, str(error))]
        return [Outcome(kind, pool.pool, change.worker_id)]

    if not batch:
        return
    if isinstance(platform, BatchMembership):
        calls = _chunked_calls(platform, batch, type_ids)
    else:
        calls = [partial(one, kind, pool, change) for kind, pool, change in batch]
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="apply") as executor:
        for future in as_completed([executor.submit(call) for call in calls]):
            outcomes = future.result()
            report.outcomes.extend(outcomes)
            if advance is not None:
                advance(len(outcomes))


def _chunked_calls(
    platform: BatchMembership,
    batch: list[tuple[Kind, PoolPlan, WorkerChange]],
    type_ids: dict[str, str],
) -> list[Callable[[], list[Outcome]]]:
    """One call per ``batch_size`` members of one pool and kind; a failed call fails exactly the
    members it carried (adding or removing a member twice changes nothing, so a re-run converges)."""
    grouped: dict[tuple[Kind, str], list[str]] = {}
    for kind, pool, change in batch:
        grouped.setdefault((kind, pool.pool), []).append(change.worker_id)

    def run(kind: Kind, pool: str, worker_ids: list[str]) -> list[Outcome]:
        try:
            if kind == "revoke":
                platform.revoke_many(type_ids[pool], worker_ids)
            else:
                platform.grant_many(type_ids[pool], worker_ids)
        except PlatformError as error:
            return [Outcome(kind, pool, worker_id, str(error)) for worker_id in worker_ids]
        return [Outcome(kind, pool, worker_id) for worker_id in worker_ids]

    return [
        partial(run, kind, pool, ids[start : start + platform.batch_size])
        for (kind, pool), ids in grouped.items()
        for start in range(0, len(ids), platform.batch_size)
    ]
