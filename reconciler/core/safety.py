"""Safety checks, run over the whole plan: by ``plan`` to show them, by ``apply`` to refuse.

Each failed check is a typed exception with one clear line; all are collected, so the user sees
every reason at once. The plan and apply call the same function, so a plan that shows no refusal
is never refused by apply for a reason the reviewer did not see.

The rule: one apply may revoke at most the larger of the pool's ``max_revoke_fraction`` of its
current holders (25% by default) and ``SMALL_POOL_ALLOWANCE`` holders, and may not empty a pool
(unless ``safety.allow_empty``). An intended larger revocation is approved in config.yaml, in the
pull request's diff: ``safety.approve_revocations: N`` lifts the limits for that pool when it
revokes exactly N. ``apply --allow-revoke N`` does the same for a whole plan revoking exactly N.
A pool whose type on the target carries another name than config.yaml's is refused whatever is
approved: its ID may point at another of the lab's qualifications.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from reconciler.core.model import Pool, Target
from reconciler.core.plan import Plan, PoolPlan
from reconciler.core.platform_kind import PlatformKind

# However small the pool, this many revocations per apply pass without approval.
SMALL_POOL_ALLOWANCE = 2


class SafetyError(Exception):
    """A plan that must not be applied without the user saying so."""


class TooManyRevocations(SafetyError):
    pass


class WouldEmptyPool(SafetyError):
    pass


class UnexpectedRevocationCount(SafetyError):
    pass


class TypeNameMismatch(SafetyError):
    pass


class SafetyRefused(SafetyError):
    """The plan failed the safety checks; ``refusals`` holds each, as (check, message)."""

    def __init__(self, problems: list[SafetyError]) -> None:
        super().__init__("safety checks failed; nothing was changed")
        self.refusals = [(type(problem).__name__, str(problem)) for problem in problems]


# Only ``check_plan`` holds this, so only it can make a ``CheckedPlan``.
_PASSED = object()


@dataclass(frozen=True, slots=True)
class CheckedPlan:
    """A plan the safety checks passed: the only kind of plan an apply carries out."""

    plan: Plan
    seal: object = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seal is not _PASSED:
            raise TypeError("a CheckedPlan is made only by core.safety.check_plan")


def check_plan(plan: Plan, pools: dict[str, Pool], allow_revoke: int | None) -> CheckedPlan:
    """The plan, once it passes the checks (the same ones the plan showed); else ``SafetyRefused``."""
    problems = safety_problems(plan, pools, allow_revoke)
    if problems:
        raise SafetyRefused(problems)
    return CheckedPlan(plan, _PASSED)


def revocation_limit(pool: Pool, holders_before: int) -> int:
    """The most revocations one apply may make in ``pool`` without approval."""
    return max(int(pool.max_revoke_fraction * holders_before), SMALL_POOL_ALLOWANCE)


def safety_problems(plan: Plan, pools: dict[str, Pool], allow_revoke: int | None) -> list[SafetyError]:
    kind = plan.platform
    problems: list[SafetyError] = [
        _name_mismatch(pool_plan, kind) for pool_plan in plan.pools if _name_differs(pool_plan)
    ]
    total = plan.count("revokes")
    if allow_revoke is not None:
        if allow_revoke != total:
            problems.append(
                UnexpectedRevocationCount(
                    f"--allow-revoke {allow_revoke} given, but the plan {kind.words.revoke}s {total}; "
                    "read the plan again and pass the number it shows"
                )
            )
        return problems
    for pool_plan in plan.pools:
        pool = pools.get(pool_plan.pool) or Pool(pool_plan.pool, pool_plan.settings.name, "")
        problems.extend(_revocation_problems(pool_plan, pool, total, kind))
    return problems


def _revocation_problems(
    pool_plan: PoolPlan, pool: Pool, total: int, kind: PlatformKind
) -> list[SafetyError]:
    revokes = len(pool_plan.revokes)
    if not revokes:
        return []
    name = pool_plan.pool
    if pool.approved_revocations is not None:
        if pool.approved_revocations == revokes:
            return []
        return [
            UnexpectedRevocationCount(
                f"pool '{name}': config.yaml approves {pool.approved_revocations} revocations "
                f"(safety.approve_revocations) but the plan {kind.words.revoke}s {revokes}; "
                f"set it to {revokes} if that is intended, or remove it"
            )
        ]
    how = (
        f"set safety.approve_revocations: {revokes} on pool '{name}' in config.yaml "
        f"(or run apply with --allow-revoke {total})"
    )
    problems: list[SafetyError] = []
    before = pool_plan.holders_before
    limit = revocation_limit(pool, before)
    if revokes > limit:
        problems.append(
            TooManyRevocations(
                f"pool '{name}': {revokes} of {before} holders would be {kind.words.revoked}, "
                "over the limit of "
                f"{limit} (the larger of {pool.max_revoke_fraction:.0%} of the holders and "
                f"{SMALL_POOL_ALLOWANCE}); if that is intended, {how}"
            )
        )
    if pool_plan.holders_after == 0 and not pool.allow_empty:
        problems.append(
            WouldEmptyPool(
                f"pool '{name}': every holder ({before}) would be {kind.words.revoked}, "
                "leaving the pool empty; "
                f"if that is intended, {how}, or set safety.allow_empty"
            )
        )
    return problems


def _name_differs(pool_plan: PoolPlan) -> bool:
    return pool_plan.live_name is not None and pool_plan.live_name != pool_plan.settings.name


def _name_mismatch(pool_plan: PoolPlan, kind: PlatformKind) -> TypeNameMismatch:
    return TypeNameMismatch(
        f"pool '{pool_plan.pool}': its {kind.words.group} on this target, {pool_plan.type_id}, "
        f"is named '{pool_plan.live_name}', not '{pool_plan.settings.name}' as config.yaml says, "
        f"and {kind.rename_note}. If the name in config.yaml was changed, set it back "
        f"to '{pool_plan.live_name}' (see 'Renaming a pool' in docs/concepts.md); if the ID was "
        f"copied from another {kind.words.group}, correct qualification_type_id"
    )


class ExamplePoolOnPlatform(SafetyError):
    pass


# The shipped example's pools say "Example Lab" in their names and descriptions; holders may see
# both, so a lab that forgot to write its own must not show them on any platform's real service.
EXAMPLE_LAB_TEXT = "Example Lab"


def example_pool_problems(pools: Iterable[Pool], target: Target) -> list[SafetyError]:
    """Refuse the shipped example's pool names and descriptions on every target of every platform
    but one on this machine (an embedded or served emulator)."""
    if target.on_this_machine:
        return []
    problems: list[SafetyError] = []
    for pool in pools:
        fields = [field for field in ("name", "description") if EXAMPLE_LAB_TEXT in getattr(pool, field)]
        if fields:
            problems.append(
                ExamplePoolOnPlatform(
                    f"pool '{pool.key}': its {' and '.join(fields)} still say '{EXAMPLE_LAB_TEXT}' "
                    f"(the shipped example's), and {target.kind.words.holders} on target "
                    f"'{target.name}' would see it; write your lab's own name and description in "
                    "exclusions/config.yaml"
                )
            )
    return problems
