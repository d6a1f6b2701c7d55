"""From the desired state and what was read from a platform to a plan. Pure: no platform, no files.

The desired values come from the studies and each HIT's workers; the live ones from what the
platform reported. Fingerprints of both are computed here, and only here, so a saved plan and a
later check of it always agree on what they digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from reconciler.core.captures import HitWorkers
from reconciler.core.desired import UNLISTED, PoolDesire, desired_holders, hits_needed, revocation_causes
from reconciler.core.diff import diff_holders, diff_type_settings
from reconciler.core.granted import studies_of
from reconciler.core.live import LivePool, QualificationTypeSettings
from reconciler.core.model import GrantRecord, Pool, Repository, Study
from reconciler.core.plan import OutsideHolders, Plan, PoolPlan, TypeChange, WorkerChange, fingerprint
from reconciler.core.platform_kind import PlatformKind
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
    # Pool -> who the repository listed among its holders at the last apply (lab/granted.py).
    granted: Mapping[str, GrantRecord] = field(default_factory=dict)


def desires(
    pools: Mapping[str, Pool],
    studies: tuple[Study, ...],
    hit_workers: Mapping[str, frozenset[str]],
    today: date,
) -> dict[str, PoolDesire]:
    return {key: desired_holders(pool, studies, hit_workers, today) for key, pool in pools.items()}


def desired_fingerprint(
    pools: Mapping[str, Pool], wanted: Mapping[str, PoolDesire], granted: Mapping[str, GrantRecord]
) -> str:
    """Over what the plan wants and what decides the fate of holders no study lists: the record
    of the last apply and the pool's outside_holders rule."""
    return fingerprint(
        (
            key,
            _settings_dict(type_settings(pool))
            | {"outside_holders": _rule(pool), "granted": _record_digest(granted.get(key))},
            wanted[key].values,
        )
        for key, pool in pools.items()
    )


def _record_digest(record: GrantRecord | None) -> str:
    if record is None:
        return "none"
    text = "\n".join(["workers", *sorted(record.workers), "studies", *sorted(record.studies)])
    return hashlib.sha256(text.encode()).hexdigest()


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


def make_plan(
    repository: Repository, reading: Reading, target: str, kind: PlatformKind, now: datetime
) -> Plan:
    """The plan from what was read on ``kind``'s platform. Pure: no platform, no files."""
    pools = repository.config.pools
    wanted = desires(pools, repository.studies, reading.hits.workers, now.date())
    warnings = list(reading.hits.warnings)
    pool_plans = []
    for key, pool in pools.items():
        live = reading.live[key]
        pool_plan, pool_warnings = plan_pool(pool, wanted[key], live, kind)
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
            pool_plan = sort_unlisted(
                pool, replace(pool_plan, revokes=revokes), reading.granted.get(key), repository.studies, kind
            )
        pool_plans.append(pool_plan)
        warnings.extend(pool_warnings)
    plan = Plan(
        target=target,
        platform=kind,
        created_at=now,
        pools=tuple(pool_plans),
        live_fingerprint=live_fingerprint(reading.live),
        desired_fingerprint=desired_fingerprint(pools, wanted, reading.granted),
        warnings=tuple(warnings),
    )
    # Decided here with the very checks apply runs, so the reviewer sees what apply will refuse.
    refusals = safety_problems(plan, dict(pools), None)
    return replace(plan, refusals=tuple((type(error).__name__, str(error)) for error in refusals))


def plan_pool(
    pool: Pool, wanted: PoolDesire, live: LivePool, kind: PlatformKind
) -> tuple[PoolPlan, list[str]]:
    settings = type_settings(pool)
    warnings: list[str] = []
    words = kind.words
    type_change: TypeChange | None
    if live.qualification_type is None:
        type_change = TypeChange("create", {})
        if live.missing_recorded_id is not None:
            warnings.append(
                f"pool '{pool.key}': its {words.group} on this target, {live.missing_recorded_id}, "
                f"no longer exists ({kind.vanished_note}); the plan creates a new one and "
                f"{words.grant}s every {words.holder} again. {words.units.capitalize()} whose "
                f"{words.exclusion} names the old ID no longer exclude anyone: give them the new one"
            )
    else:
        attributes, type_warnings = diff_type_settings(settings, live.qualification_type, kind)
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
            outside_holders=_rule(pool),
        ),
        warnings,
    )


def fingerprints_from_captures(
    repository: Repository,
    live: Mapping[str, LivePool],
    captures: Mapping[str, frozenset[str]],
    granted: Mapping[str, GrantRecord],
    today: date,
) -> tuple[str, str | None]:
    """The live fingerprint, and the desired one as the repository and its captures alone give it:
    None when an excluding study names a HIT with no capture to go by (it must be read first)."""
    needed = hits_needed(repository.studies, today)
    if any(hit_id not in captures for hit_id in needed):
        return live_fingerprint(live), None
    workers = {hit_id: captures[hit_id] for hit_id in needed}
    wanted = desires(repository.config.pools, repository.studies, workers, today)
    return live_fingerprint(live), desired_fingerprint(repository.config.pools, wanted, granted)


def _rule(pool: Pool) -> OutsideHolders:
    return "keep" if pool.keep_outside_holders else "revoke"


# The start of every cause of a holder the repository never listed, whatever the platform.
OUTSIDE = "held outside the repository"


def kept_outside(kind: PlatformKind) -> str:
    return (
        f"{OUTSIDE}: never listed by a study here ({kind.words.granted} by hand or by another "
        "tool); kept, as the pool's outside_holders is keep (the default). `exclusions import` "
        "adopts them into a study"
    )


def revoked_outside(kind: PlatformKind) -> str:
    return (
        f"{OUTSIDE}: never listed by a study here ({kind.words.granted} by hand or by another "
        f"tool); {kind.words.revoked}, as the pool's outside_holders is revoke"
    )


def no_longer_listed(left: list[str], kind: PlatformKind) -> str:
    """The cause for a holder the repository listed at the last apply and lists no more."""
    unit = f"their {kind.words.unit}"
    if left:
        return (
            "listed at the last apply, in no study of this pool now: "
            f"{', '.join(left)} {'was' if len(left) == 1 else 'were'} deleted or left the pool "
            f"(or a line listing them, or {unit}, was removed)"
        )
    return (
        "listed at the last apply, in no study of this pool now: a line listing them, or "
        f"{unit}, was removed from a study file"
    )


def sort_unlisted(
    pool: Pool,
    pool_plan: PoolPlan,
    record: GrantRecord | None,
    studies: tuple[Study, ...],
    kind: PlatformKind,
) -> PoolPlan:
    """Give each revoked holder no study lists its fate, by the record of the last apply.

    Listed then (a study file deleted, a ``workers:`` line removed): revoked, saying which
    studies are gone. Never listed (granted by hand or by another tool, a known bad actor say):
    kept as the participation_record script kept everyone it was not told to remove, unless the
    pool's outside_holders is revoke. With no record nobody counts as listed then: a holder is
    never revoked for data that is missing."""
    unlisted = [change for change in pool_plan.revokes if change.cause == UNLISTED]
    if not unlisted:
        return pool_plan
    record = record or GrantRecord()
    left = sorted(record.studies - studies_of(pool.key, studies))
    revokes = [change for change in pool_plan.revokes if change.cause != UNLISTED]
    kept: list[WorkerChange] = []
    for change in unlisted:
        if change.worker_id in record.workers:
            revokes.append(replace(change, cause=no_longer_listed(left, kind)))
        elif pool.keep_outside_holders:
            kept.append(replace(change, new_value=change.old_value, cause=kept_outside(kind)))
        else:
            revokes.append(replace(change, cause=revoked_outside(kind)))
    by_worker = sorted(revokes, key=lambda change: change.worker_id)
    return replace(pool_plan, revokes=tuple(by_worker), kept=tuple(kept))
