"""What the record of listed holders becomes after an apply, table-driven."""

from __future__ import annotations

import pytest

from reconciler.core.granted import record_after_apply
from reconciler.core.live import QualificationTypeSettings
from reconciler.core.model import GrantRecord
from reconciler.core.plan import PoolPlan, WorkerChange

SETTINGS = QualificationTypeSettings("Lab deception", "Past participants", None)


def pool_plan(revokes: tuple[str, ...] = (), kept: tuple[str, ...] = ()) -> PoolPlan:
    return PoolPlan(
        pool="deception",
        settings=SETTINGS,
        type_id="3TYPE",
        type_change=None,
        holders_before=0,
        revokes=tuple(WorkerChange(w, 1, None) for w in revokes),
        kept=tuple(WorkerChange(w, 1, 1) for w in kept),
    )


def ids(*workers: str) -> frozenset[str]:
    return frozenset(workers)


CASES = [
    pytest.param(
        pool_plan(kept=("AHAND",)),
        ids("A1", "A2", "AHAND"),
        None,
        ids(),
        ids(),
        ids("A1", "A2"),
        id="backfilled from the listed holders; a hand grant stays out",
    ),
    pytest.param(
        pool_plan(),
        ids("A1"),
        GrantRecord(ids("A1")),
        ids("A3"),
        ids(),
        ids("A1", "A3"),
        id="a grant that succeeded joins",
    ),
    pytest.param(
        pool_plan(revokes=("A1",)),
        ids("A1", "A2"),
        GrantRecord(ids("A1", "A2"), ids("s0")),
        ids(),
        ids(),
        ids("A2"),
        id="a revocation that succeeded leaves",
    ),
    pytest.param(
        pool_plan(revokes=("A1",)),
        ids("A1", "A2"),
        GrantRecord(ids("A1", "A2"), ids("s0")),
        ids(),
        ids("A1"),
        ids("A1", "A2"),
        id="a revocation that failed stays, to be revoked again",
    ),
    pytest.param(
        pool_plan(revokes=("AHAND",)),
        ids("AHAND"),
        None,
        ids(),
        ids("AHAND"),
        ids(),
        id="a failed revocation of a never-listed holder does not make them listed",
    ),
    pytest.param(
        pool_plan(),
        ids("A1"),
        GrantRecord(ids("A1", "AGONE")),
        ids(),
        ids(),
        ids("A1"),
        id="a recorded worker who no longer holds is dropped",
    ),
]


@pytest.mark.parametrize(("plan", "before", "previous", "granted", "revoke_failed", "expected"), CASES)
def test_the_record_after_an_apply(
    plan: PoolPlan,
    before: frozenset[str],
    previous: GrantRecord | None,
    granted: frozenset[str],
    revoke_failed: frozenset[str],
    expected: frozenset[str],
) -> None:
    record = record_after_apply(plan, before, previous, ids("s1"), granted, revoke_failed)
    assert record.workers == expected


def test_the_studies_gone_are_kept_while_their_revocation_is_pending() -> None:
    previous = GrantRecord(ids("A1"), ids("s1", "s9"))
    pending = record_after_apply(pool_plan(revokes=("A1",)), ids("A1"), previous, ids("s1"), ids(), ids("A1"))
    assert pending.studies == ids("s1", "s9")
    done = record_after_apply(pool_plan(revokes=("A1",)), ids("A1"), previous, ids("s1"), ids(), ids())
    assert done.studies == ids("s1")
