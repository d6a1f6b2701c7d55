"""The capture rules: when a HIT must be read, what a read adds, disposal, and late HITs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reconciler.core import captures as rules
from reconciler.core.live import HitReading
from reconciler.core.model import Capture
from reconciler.kinds.mturk import MTURK
from tests.core.fakes import NOW, study

HIT = "3HITAAAAAAAAAAAAAAAAAAAAAAAAAA"


def capture(**fields: object) -> Capture:
    values: dict[str, object] = {
        "target": "local",
        "hit_id": HIT,
        "read_at": NOW - timedelta(days=1),
        "complete": False,
        "workers": frozenset({"AWORKER00001"}),
        "hit_created": NOW - timedelta(days=10),
    }
    values.update(fields)
    return Capture(**values)  # type: ignore[arg-type]


def reading(**fields: object) -> HitReading:
    values: dict[str, object] = {
        "hit_id": HIT,
        "created": NOW - timedelta(days=10),
        "expiration": NOW + timedelta(days=1),
        "status": "Assignable",
        "pending": 1,
        "workers": frozenset({"AWORKER00002"}),
    }
    values.update(fields)
    return HitReading(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("known", "must_read"),
    [
        pytest.param(None, True, id="never captured"),
        pytest.param(capture(), True, id="incomplete"),
        pytest.param(capture(complete=True, hit_status="Disposed"), False, id="complete: disposed"),
        # An older version marked expired HITs complete; MTurk can extend them, so read them again.
        pytest.param(capture(complete=True, hit_status="Reviewable"), True, id="complete: only expired"),
        pytest.param(capture(hit_created=NOW - timedelta(days=120)), False, id="disposed by its age"),
        pytest.param(capture(hit_created=None), True, id="no creation time"),
    ],
)
def test_needs_reading(known: Capture | None, must_read: bool) -> None:
    assert rules.needs_reading(known, NOW, MTURK.disposal_age) is must_read


@pytest.mark.parametrize(
    ("read", "complete"),
    [
        pytest.param(reading(), False, id="open"),
        # UpdateExpirationForHIT can make an expired HIT assignable again: not complete.
        pytest.param(
            reading(expiration=NOW - timedelta(seconds=1), pending=0), False, id="expired, none pending"
        ),
        pytest.param(reading(expiration=NOW - timedelta(seconds=1), pending=2), False, id="expired, pending"),
        pytest.param(reading(status="Disposed"), True, id="disposed"),
    ],
)
def test_merge_reading_keeps_the_union_and_decides_completeness(read: HitReading, complete: bool) -> None:
    merged = rules.merge_reading("local", capture(), read, NOW)
    assert merged.workers == {"AWORKER00001", "AWORKER00002"}
    assert merged.complete is complete


def test_differs_ignores_the_time_of_reading_only() -> None:
    old = capture()
    assert not rules.differs(old, capture(read_at=NOW))
    assert rules.differs(old, capture(workers=frozenset({"AWORKER00003"})))
    assert rules.differs(None, old)


def test_combine_readings_serves_captures_and_reports_unknown_hits() -> None:
    s = study("s1", hits=(HIT, "3HITGONE000000000000000000000", "3HITOLD0000000000000000000000"))
    needed = {hit: [(s, index)] for index, hit in enumerate(s.hits)}
    old = capture(hit_id="3HITOLD0000000000000000000000", hit_created=NOW - timedelta(days=130))
    captures = {old.hit_id: old}
    after = {HIT: rules.merge_reading("local", None, reading(), NOW), "3HITGONE000000000000000000000": None}
    result, unknown = rules.combine_readings(needed, captures, after, NOW, MTURK)
    assert unknown == ["3HITGONE000000000000000000000"]
    assert result.workers == {HIT: {"AWORKER00002"}, old.hit_id: {"AWORKER00001"}}
    # The old HIT was not read (its age proves disposal); its capture is marked final.
    assert [(c.hit_id, c.complete) for c in result.changed_captures] == [(HIT, False), (old.hit_id, True)]
    assert result.calls_saved == 1


@pytest.mark.parametrize(
    ("age_days", "fields", "late"),
    [
        pytest.param(100, {}, False, id="20 days left"),
        pytest.param(107, {}, True, id="13 days left"),
        pytest.param(119, {"complete": True, "hit_status": "Disposed"}, False, id="complete"),
        pytest.param(
            107,
            {"hit_expiration": NOW - timedelta(days=2), "hit_status": "Reviewable"},
            False,
            id="13 days left, read after expiry",
        ),
    ],
)
def test_disposal_warnings_come_14_days_before(age_days: int, fields: dict[str, object], late: bool) -> None:
    known = capture(hit_created=NOW - timedelta(days=age_days), **fields)
    needed = {HIT: [(study("s1", hits=(HIT,)), 0)]}
    warnings = rules.disposal_warnings(needed, {HIT: known}, NOW, MTURK)
    assert bool(warnings) is late
    assert rules.late_hits({HIT: known}, [HIT], NOW, rules.WARN_BEFORE_DISPOSAL, MTURK.disposal_age) == (
        [HIT] if late else []
    )


def test_a_platform_that_never_disposes_keeps_reading_old_captures() -> None:
    """Prolific keeps its studies: a study open for more than 120 days is still read, never
    taken for disposed by its age (which would lose whoever takes part later)."""
    old = capture(hit_created=NOW - timedelta(days=400))
    assert rules.needs_reading(old, NOW, MTURK.disposal_age) is False  # MTurk: disposed by its age
    assert rules.needs_reading(old, NOW, disposal_age=None) is True
    assert rules.hits_to_read([HIT], {HIT: old}, NOW, None) == [HIT]
    assert rules.disposal_of(old, None) is None
    assert rules.late_hits({HIT: old}, [HIT], NOW, rules.WARN_BEFORE_DISPOSAL, None) == []
