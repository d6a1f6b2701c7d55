"""From the desired state and what was read from a platform to a plan. Pure: no platform, no files.

The desired values come from the studies and each HIT's workers; the live ones from what the
platform reported. Fingerprints of both are computed here, and only here, so a saved plan and a
later check of it always agree on what they digest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from reconciler.core.captures import HitWorkers
from reconciler.core.desired import UNLISTED, PoolDesire, desired_holders, hits_needed, revocation_causes
from reconciler.core.diff import diff_holders, diff_type_settings
from reconciler.core.live import LivePool, QualificationTypeSettings
from reconciler.core.model import Pool, Repository, Study
from reconciler.core.plan import Plan, PoolPlan, TypeChange, WorkerChange, fingerprint
from reconciler.core.safety import safety_problems


def type_settings(pool: Pool) -> QualificationTypeSettings:
    return QualificationTypeSettings(name=pool.name, description=pool.description, keywords=pool.keywords)


@dataclass
class Reading:
    """Everything read from the platform for one plan."""

    live: dict[str, LivePool]
    hits: HitWorkers
    # Every HIT's workers the captures on disk know, read or not: a released study's HITs are not
    # read again, yet they tell why their workers are revoked.
    captured: Mapping[str, frozenset[str]] = field(default_factory=dict)


def desires(
    pools: Mapping[str, Pool],
    studies: tuple[Study, ...],
    hit_workers: Mapping[str, frozenset[str]],
    today: date,
) -> dict[str, PoolDesire]:
    return {key: desired_holders(pool, studies, hit_workers, today) for key, pool in pools.items()}


def desired_fingerprint(pools: Mapping[str, Pool], wanted: Mapping[str, PoolDesire]) -> str:
    return fingerprint(
        (key, _settings_dict(type_settings(pool)), wanted[key].values) for key, pool in pools.items()
    )


def live_fingerprint(live: Mapping[str, LivePool]) -> str:
    return fingerprint(
        (
            key,
            _settings_dict(pool.qualification_type.settings()) | {"id": pool.qualification_type.type_id}
            if pool.qualification_type
            else {"id": None},
            pool.holders,
        )
        for key, pool in live.items()
    )


def _settings_dict(settings: QualificationTypeSettings) -> dict[str, object]:
    return {
        "name": settings.name,
        "description": settings.description,
        "keywords": settings.keywords,
        "status": settings.status,
        "auto_granted": settings.auto_granted,
    }


def make_plan(repository: Repository, reading: Reading, target: str, now: datetime) -> Plan:
    """The plan from what was read. Pure: no platform, no files."""
    pools = repository.config.pools
    wanted = desires(pools, repository.studies, reading.hits.workers, now.date())
    warnings = list(reading.hits.warnings)
    pool_plans = []
    for key, pool in pools.items():
        live = reading.live[key]
        pool_plan, pool_warnings = plan_pool(pool, wanted[key], live)
        if pool_plan.revokes:
            causes = revocation_causes(
                pool,
                repository.studies,
                {**reading.captured, **reading.hits.workers},
                wanted[key],
                (change.worker_id for change in pool_plan.revokes),
                now.date(),
            )
            revokes = tuple(replace(c, cause=causes[c.worker_id]) for c in pool_plan.revokes)
            pool_plan = _keep_outside_holders(pool, replace(pool_plan, revokes=revokes))
        pool_plans.append(pool_plan)
        warnings.extend(pool_warnings)
    plan = Plan(
        target=target,
        created_at=now,
        pools=tuple(pool_plans),
        live_fingerprint=live_fingerprint(reading.live),
        desired_fingerprint=desired_fingerprint(pools, wanted),
        warnings=tuple(warnings),
    )
    # Decided here with the very checks apply runs, so the reviewer sees what apply will refuse.
    refusals = safety_problems(plan, dict(pools), None)
    return replace(plan, refusals=tuple((type(error).__name__, str(error)) for error in refusals))


def plan_pool(pool: Pool, wanted: PoolDesire, live: LivePool) -> tuple[PoolPlan, list[str]]:
    settings = type_settings(pool)
    warnings: list[str] = []
    type_change: TypeChange | None
    if live.qualification_type is None:
        type_change = TypeChange("create", {})
        if live.missing_recorded_id is not None:
            warnings.append(
                f"pool '{pool.key}': its qualification type (or group) on this target, "
                f"{live.missing_recorded_id}, no longer exists (MTurk deletes qualification types "
                "unused for 120 days); the plan creates a new one and grants every holder again. "
                "HITs that require the old ID no longer exclude anyone: give them the new one"
            )
    else:
        attributes, type_warnings = diff_type_settings(settings, live.qualification_type)
        warnings = [f"pool '{pool.key}': {warning}" for warning in type_warnings]
        type_change = TypeChange("update", attributes) if attributes else None
    diff = diff_holders(wanted.values, live.holders)
    studies = wanted.studies_of([*diff.grants, *diff.updates])
    return (
        PoolPlan(
            pool=pool.key,
            settings=settings,
            type_id=live.qualification_type.type_id if live.qualification_type else None,
            type_change=type_change,
            holders_before=len(live.holders),
            grants=tuple(WorkerChange(w, None, v, studies[w]) for w, v in diff.grants.items()),
            revokes=tuple(WorkerChange(w, v, None) for w, v in diff.revokes.items()),
            updates=tuple(WorkerChange(w, old, new, studies[w]) for w, (old, new) in diff.updates.items()),
            revoke_reason=pool.revoke_reason,
            live_name=live.qualification_type.name if live.qualification_type else None,
        ),
        warnings,
    )


def fingerprints_from_captures(
    repository: Repository,
    live: Mapping[str, LivePool],
    captures: Mapping[str, frozenset[str]],
    today: date,
) -> tuple[str, str | None]:
    """The live fingerprint, and the desired one as the repository and its captures alone give it:
    None when an excluding study names a HIT with no capture to go by (it must be read first)."""
    needed = hits_needed(repository.studies, today)
    if any(hit_id not in captures for hit_id in needed):
        return live_fingerprint(live), None
    workers = {hit_id: captures[hit_id] for hit_id in needed}
    wanted = desires(repository.config.pools, repository.studies, workers, today)
    return live_fingerprint(live), desired_fingerprint(repository.config.pools, wanted)


KEPT_OUTSIDE = (
    "held outside the repository (no study of this pool lists them): kept, as the pool's "
    "outside_holders is keep; `exclusions import` adopts them into a study"
)


def _keep_outside_holders(pool: Pool, pool_plan: PoolPlan) -> PoolPlan:
    """With ``outside_holders: keep``, holders no study lists are kept, as the participation_record
    script kept everyone it was not told to remove: a manual exclusion (a known bad actor, say) is
    not undone. By default the repository is authoritative and they are revoked, with that cause."""
    unlisted = [change for change in pool_plan.revokes if change.cause == UNLISTED]
    if not unlisted or not pool.keep_outside_holders:
        return pool_plan
    return replace(
        pool_plan,
        revokes=tuple(c for c in pool_plan.revokes if c.cause != UNLISTED),
        kept=tuple(replace(c, new_value=c.old_value, cause=KEPT_OUTSIDE) for c in unlisted),
    )
