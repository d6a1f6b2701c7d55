"""Safety checks, run over the whole plan before anything is applied (octoDNS's way).

Each failed check is a typed exception with one clear line; all are collected, so the user sees
every reason at once. ``--allow-revoke N`` lifts them only when N is exactly the number of
revocations in the plan, so a reviewer reads the number the applier expected.
"""

from __future__ import annotations

from reconciler.core.model import Pool
from reconciler.core.plan import Plan

MIN_HOLDERS_FOR_FRACTION = 10


class SafetyError(Exception):
    """A plan that must not be applied without the user saying so."""


class TooManyRevocations(SafetyError):
    pass


class WouldEmptyPool(SafetyError):
    pass


class UnexpectedRevocationCount(SafetyError):
    pass


def safety_problems(plan: Plan, pools: dict[str, Pool], allow_revoke: int | None) -> list[SafetyError]:
    total = plan.count("revokes")
    if allow_revoke is not None:
        if allow_revoke != total:
            return [
                UnexpectedRevocationCount(
                    f"--allow-revoke {allow_revoke} given, but the plan revokes {total}; "
                    "read the plan again and pass the number it shows"
                )
            ]
        return []
    problems: list[SafetyError] = []
    for pool_plan in plan.pools:
        revokes = len(pool_plan.revokes)
        if not revokes:
            continue
        pool = pools.get(pool_plan.pool)
        fraction = pool.max_revoke_fraction if pool else 0.25
        allow_empty = pool.allow_empty if pool else False
        before = pool_plan.holders_before
        if before >= MIN_HOLDERS_FOR_FRACTION and revokes > fraction * before:
            problems.append(
                TooManyRevocations(
                    f"pool '{pool_plan.pool}': {revokes} of {before} holders would be revoked "
                    f"({revokes / before:.0%}), over the limit of {fraction:.0%}; "
                    f"if that is intended, run again with --allow-revoke {total}"
                )
            )
        if pool_plan.holders_after == 0 and not allow_empty:
            problems.append(
                WouldEmptyPool(
                    f"pool '{pool_plan.pool}': every holder ({before}) would be revoked, leaving the pool empty; "
                    f"if that is intended, run again with --allow-revoke {total} or set safety.allow_empty"
                )
            )
    return problems
