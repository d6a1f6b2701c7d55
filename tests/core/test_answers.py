"""The answers for the lab: standings, dates, what would change them, and what is not known."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from reconciler.core.answers import CaptureState, Record, Standing, build_record, listed_directly
from reconciler.core.desired import desired_holders
from reconciler.core.model import Capture, Config, Repository, Study, StudyStatus
from reconciler.kinds.mturk import MTURK
from tests.core.fakes import NOW, TODAY, pool, study

ROOT = Path("/lab")
HIT_A = "3HITAAAAAAAAAAAAAAAAAAAAAAAAAA"
HIT_B = "3HITBBBBBBBBBBBBBBBBBBBBBBBBBB"
ALICE = "AEXAMPLEWORKER0001"
BOB = "AEXAMPLEWORKER0002"
CAROL = "AEXAMPLEWORKER0003"
LATER = date(2027, 1, 31)
LATEST = date(2028, 12, 31)


def capture(hit_id: str, workers: set[str], *, days_ago: int = 10, complete: bool = True) -> Capture:
    return Capture(
        target="local",
        hit_id=hit_id,
        read_at=NOW,
        complete=complete,
        workers=frozenset(workers),
        hit_created=NOW - timedelta(days=days_ago),
        path=ROOT / "exclusions" / "locks" / "local" / f"{hit_id}.yaml",
    )


def record(studies: list[Study], captures: list[Capture], exclude_after: int = 1) -> Record:
    config = Config(
        path=ROOT / "exclusions" / "config.yaml",
        default_target="local",
        targets={},
        pools={"deception": pool("deception", exclude_after=exclude_after)},
    )
    repository = Repository(ROOT, config, tuple(studies))
    return build_record(repository, {c.hit_id: c for c in captures}, "local", MTURK, TODAY)


def standing(rec: Record, worker_id: str) -> Standing:
    (found,) = rec.why(worker_id)
    return found


@pytest.mark.parametrize(
    ("studies", "exclude_after", "worker", "excluded", "count", "until", "change"),
    [
        pytest.param(
            [study("s1", workers=(ALICE,), exclude_until=LATER)],
            1,
            ALICE,
            True,
            1,
            LATER,
            "stays excluded until 2027-01-31 (exclude_until); releasing s1 would end it sooner",
            id="one expiring study",
        ),
        pytest.param(
            [study("s1", workers=(ALICE,), exclude_until=LATER), study("s2", workers=(ALICE,))],
            1,
            ALICE,
            True,
            2,
            None,
            "stays excluded until all of s1, s2 are released; after 2027-01-31, until s2 is released "
            "(s2 has no exclude_until)",
            id="a study without an end keeps the exclusion",
        ),
        pytest.param(
            [
                study("s1", workers=(ALICE,), exclude_until=LATER),
                study("s2", workers=(ALICE,), exclude_until=LATEST),
            ],
            1,
            ALICE,
            True,
            2,
            LATEST,
            "stays excluded until 2028-12-31 (exclude_until); releasing all of s1, s2 would end it sooner",
            id="the latest end counts when one study suffices",
        ),
        pytest.param(
            [
                study("s1", workers=(ALICE,), exclude_until=LATER),
                study("s2", workers=(ALICE,), exclude_until=LATEST),
            ],
            2,
            ALICE,
            True,
            2,
            LATER,
            "stays excluded until 2027-01-31 (exclude_until); releasing 1 of s1, s2 would end it sooner",
            id="exclude_after 2 ends with the earlier study",
        ),
        pytest.param(
            [study("s1", workers=(ALICE,)), study("s2", workers=(ALICE,)), study("s3", workers=(ALICE,))],
            2,
            ALICE,
            True,
            3,
            None,
            "stays excluded until 2 of s1, s2, s3 are released (s1, s2, s3 have no exclude_until)",
            id="exclude_after 2 of three open-ended studies",
        ),
        pytest.param(
            [study("s1", workers=(ALICE,))],
            2,
            ALICE,
            False,
            1,
            None,
            "taking part in 1 more active study of this pool would exclude them",
            id="not yet excluded",
        ),
        pytest.param(
            [study("s1", workers=(ALICE,), status=StudyStatus.RELEASED)],
            1,
            ALICE,
            False,
            0,
            None,
            "taking part in 1 more active study of this pool would exclude them",
            id="a released study does not count",
        ),
        pytest.param(
            [study("s1", workers=(BOB,))],
            1,
            ALICE,
            False,
            0,
            None,
            "taking part in 1 more active study of this pool would exclude them",
            id="a worker in no study",
        ),
    ],
)
def test_standing(
    studies: list[Study],
    exclude_after: int,
    worker: str,
    excluded: bool,
    count: int,
    until: date | None,
    change: str,
) -> None:
    found = standing(record(studies, [], exclude_after), worker)
    assert (found.excluded, found.count, found.until, found.change) == (excluded, count, until, change)


def test_a_hit_names_its_capture_and_dates_the_exclusion() -> None:
    rec = record([study("s1", hits=(HIT_A,))], [capture(HIT_A, {ALICE}, days_ago=10)])
    found = standing(rec, ALICE)
    (membership,) = found.memberships
    assert membership.via == (HIT_A,)
    assert found.since == NOW - timedelta(days=10)
    assert rec.hits[HIT_A].capture_path == f"exclusions/locks/local/{HIT_A}.yaml"
    assert rec.hits[HIT_A].state is CaptureState.COMPLETE


def test_a_worker_listed_directly_has_no_date() -> None:
    rec = record([study("s1", hits=(HIT_A,), workers=(ALICE,))], [capture(HIT_A, {ALICE})])
    found = standing(rec, ALICE)
    assert found.memberships[0].via == (HIT_A, listed_directly(MTURK))
    assert found.since is None


def test_an_uncaptured_hit_is_named_not_read_as_empty() -> None:
    rec = record([study("s1", hits=(HIT_A, HIT_B))], [capture(HIT_B, {BOB})])
    assert [hit.hit_id for hit in rec.uncaptured] == [HIT_A]
    assert rec.studies["s1"].uncaptured_hits == (HIT_A,)
    assert rec.hits[HIT_A].state is CaptureState.MISSING
    assert rec.studies["s1"].participants == {BOB}


def test_overlap_counts_workers_in_both_studies() -> None:
    rec = record(
        [study("s1", workers=(ALICE, BOB)), study("s2", workers=(BOB, CAROL)), study("s3", workers=(CAROL,))],
        [],
    )
    overlap = rec.pools["deception"].overlap()
    assert overlap["s1", "s2"] == overlap["s2", "s1"] == 1
    assert overlap["s1", "s3"] == 0
    assert overlap["s2", "s2"] == 2


@pytest.mark.parametrize("exclude_after", [1, 2])
def test_holders_agree_with_the_planner(exclude_after: int) -> None:
    studies = [
        study("s1", hits=(HIT_A,), workers=(CAROL,)),
        study("s2", hits=(HIT_B,)),
        study("s3", workers=(ALICE,), status=StudyStatus.RELEASED),
    ]
    captures = [capture(HIT_A, {ALICE, BOB}), capture(HIT_B, {BOB})]
    rec = record(studies, captures, exclude_after)
    desired = desired_holders(
        pool("deception", exclude_after=exclude_after),
        studies,
        {c.hit_id: c.workers for c in captures},
        TODAY,
    )
    assert {s.worker_id: s.count for s in rec.pools["deception"].holders} == desired.values


def test_the_disposal_calendar_keeps_pending_hits_in_date_order() -> None:
    rec = record(
        [study("s1", hits=(HIT_A, HIT_B))],
        [capture(HIT_A, {ALICE}, days_ago=100), capture(HIT_B, {BOB}, days_ago=130)],
    )
    assert [hit.hit_id for hit in rec.disposal_calendar()] == [HIT_A]
