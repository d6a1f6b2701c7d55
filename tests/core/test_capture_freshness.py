"""The freshness rule (is a HIT's capture still whole, by its counts?) and the choice between
asking for HITs one by one and listing every HIT."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reconciler.core import captures as rules
from reconciler.core.live import HitState
from reconciler.core.model import Capture
from reconciler.kinds.mturk import MTURK
from tests.core.fakes import NOW

HIT = "3HITAAAAAAAAAAAAAAAAAAAAAAAAAA"
TWO_WORKERS = frozenset({"AEXAMPLEWORKER0001", "AEXAMPLEWORKER0002"})


def captured(workers: frozenset[str] = TWO_WORKERS, **fields: object) -> Capture:
    values: dict[str, object] = {
        "target": "local",
        "hit_id": HIT,
        "read_at": NOW - timedelta(days=1),
        "complete": False,
        "workers": workers,
        "hit_created": NOW - timedelta(days=10),
        "hit_submitted": 2,  # as many as its two workers
    }
    values.update(fields)
    return Capture(**values)  # type: ignore[arg-type]


def state(*, most: int | None = 5, available: int | None = 3, pending: int = 0) -> HitState:
    return HitState(
        hit_id=HIT,
        created=NOW - timedelta(days=10),
        expiration=NOW + timedelta(days=1),
        status="Assignable",
        pending=pending,
        available=available,
        max_assignments=most,
    )


@pytest.mark.parametrize(
    ("capture", "hit", "fresh"),
    [
        pytest.param(captured(), state(most=5, available=3), True, id="as many submitted as captured"),
        pytest.param(captured(), state(most=5, available=1, pending=2), True, id="two still working"),
        pytest.param(captured(), state(most=5, available=2), False, id="one submitted since"),
        pytest.param(captured(), state(most=9, available=6), False, id="extended, one more submitted"),
        pytest.param(captured(), state(most=9, available=7), True, id="extended, nobody new yet"),
        pytest.param(captured(), state(available=None), False, id="counts unknown"),
        pytest.param(captured(hit_submitted=None), state(most=5, available=3), False, id="no count recorded"),
        pytest.param(
            captured(TWO_WORKERS | {"AEXAMPLEWORKER0003"}, hit_submitted=1),
            state(most=5, available=3),
            False,
            id="more workers captured than submitted then, one submitted since",
        ),
        pytest.param(captured(hit_submitted=None), state(most=5, available=5), True, id="nobody submitted"),
        pytest.param(captured(), state(most=None), False, id="maximum unknown"),
        pytest.param(None, state(most=5, available=5), True, id="never captured, nobody submitted"),
        pytest.param(None, state(most=5, available=4), False, id="never captured, one submitted"),
        pytest.param(None, state(most=5, available=3, pending=2), True, id="never captured, two working"),
    ],
)
def test_nothing_new(capture: Capture | None, hit: HitState, fresh: bool) -> None:
    assert rules.nothing_new(capture, hit) is fresh


def test_submitted_is_what_is_neither_pending_nor_available() -> None:
    assert state(most=10, available=4, pending=1).submitted == 5
    assert state(available=None).submitted is None


@pytest.mark.parametrize(
    ("to_read", "live", "listing"),
    [
        pytest.param(60, 80, True, id="60 of 80: one page against 60 GetHIT"),
        pytest.param(200, 5000, True, id="200 of 5000: 50 pages against 200"),
        pytest.param(20, 5000, False, id="20 of 5000: 20 GetHIT against 50 pages"),
        pytest.param(50, 5000, False, id="a tie reads HIT by HIT"),
        pytest.param(1, 1, False, id="one HIT"),
        pytest.param(0, 80, False, id="nothing to read"),
    ],
)
def test_list_all_hits_when_pages_are_fewer(to_read: int, live: int, listing: bool) -> None:
    assert rules.list_all_hits(to_read, live) is listing


def test_live_hits_estimate_leaves_out_hits_known_disposed() -> None:
    captures = {
        "3HITOLD": captured(hit_id="3HITOLD", hit_created=NOW - timedelta(days=121)),
        "3HITCAPTURED": captured(hit_id="3HITCAPTURED", complete=True),
    }
    assert rules.live_hits_estimate(["3HITNEW", "3HITOLD"], captures, NOW, MTURK.disposal_age) == 2
