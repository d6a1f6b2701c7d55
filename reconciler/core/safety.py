"""Safety checks, run over the whole plan before anything is applied (octoDNS's way).

Each failed check is a typed exception with one clear line; all are collected, so the user sees
every reason at once. ``--allow-revoke N`` lifts them only when N is exactly the number of
revocations in the plan, so a reviewer reads the number the applier expected.
"""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.core.model import MTURK_ENDPOINTS, MTurkTarget, Pool, Target
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


class ExamplePoolOnPlatform(SafetyError):
    pass


# The shipped example's pools say "Example Lab" in their names and descriptions; workers read
# both, so a lab that forgot to write its own must not show them on the real (or sandbox) MTurk.
EXAMPLE_LAB_TEXT = "Example Lab"


def example_pool_problems(pools: Iterable[Pool], target: Target) -> list[SafetyError]:
    """Refuse the shipped example's pool names and descriptions on MTurk's sandbox or production."""
    if not isinstance(target, MTurkTarget) or target.endpoint_url not in MTURK_ENDPOINTS.values():
        return []
    problems: list[SafetyError] = []
    for pool in pools:
        fields = [field for field in ("name", "description") if EXAMPLE_LAB_TEXT in getattr(pool, field)]
        if fields:
            problems.append(
                ExamplePoolOnPlatform(
                    f"pool '{pool.key}': its {' and '.join(fields)} still say '{EXAMPLE_LAB_TEXT}' "
                    f"(the shipped example's), and workers on target '{target.name}' would see it; "
                    "write your lab's own name and description in exclusions/config.yaml"
                )
            )
    return problems
