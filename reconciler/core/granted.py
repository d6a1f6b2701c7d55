"""What the record of listed holders becomes after an apply. Pure: no platform, no files.

The record (``model.GrantRecord``) holds, per pool and target, the holders some study listed at
the last apply. After an apply it is every holder the plan left in place because a study lists
them, plus every grant that succeeded; a holder whose revocation failed keeps their place in it,
so the re-run revokes them again for the same cause.
"""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.core.model import GrantRecord, Study
from reconciler.core.plan import PoolPlan


def studies_of(pool: str, studies: Iterable[Study]) -> frozenset[str]:
    return frozenset(study.study_id for study in studies if pool in study.pools)


def record_after_apply(
    pool_plan: PoolPlan,
    holders_before: frozenset[str],
    previous: GrantRecord | None,
    studies_now: frozenset[str],
    granted: frozenset[str],
    revoke_failed: frozenset[str],
) -> GrantRecord:
    """``granted``: the workers whose grant or value update succeeded; ``revoke_failed``: the
    workers whose revocation did not. Every holder the plan neither revokes nor keeps as held
    outside the repository is one a study lists (the planner proves it: each other holder is in
    one of the two)."""
    previous = previous or GrantRecord()
    unlisted = {change.worker_id for change in (*pool_plan.revokes, *pool_plan.kept)}
    still_to_revoke = previous.workers & revoke_failed
    workers = (holders_before - unlisted) | granted | still_to_revoke
    # The studies gone since the last apply are kept while a revocation they cause is pending,
    # so the re-run still names them.
    studies = studies_now | (previous.studies if still_to_revoke else frozenset())
    return GrantRecord(frozenset(workers), frozenset(studies))
