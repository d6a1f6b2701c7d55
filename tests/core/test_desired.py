"""Who should hold each pool's qualification: table-driven over studies, HITs and exclude_after."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reconciler.core.desired import UNLISTED, desired_holders, hits_needed, revocation_causes
from reconciler.core.model import StudyStatus
from tests.core.fakes import TODAY, pool, study

HIT_A = "3HITAAAAAAAAAAAAAAAAAAAAAAAAAA"
HIT_B = "3HITBBBBBBBBBBBBBBBBBBBBBBBBBB"
HIT_WORKERS = {HIT_A: frozenset({"AWORKER00001", "AWORKER00002"}), HIT_B: frozenset({"AWORKER00002"})}

CASES = [
    pytest.param([study("s1", workers=("AWORKER00001",))], 1, {"AWORKER00001": 1}, id="a listed worker"),
    pytest.param(
        [study("s1", hits=(HIT_A,))], 1, {"AWORKER00001": 1, "AWORKER00002": 1}, id="a HIT's workers"
    ),
    pytest.param(
        [study("s1", hits=(HIT_A, HIT_B))],
        1,
        {"AWORKER00001": 1, "AWORKER00002": 1},
        id="two HITs of one study count once",
    ),
    pytest.param(
        [study("s1", hits=(HIT_A,)), study("s2", hits=(HIT_B,))],
        1,
        {"AWORKER00001": 1, "AWORKER00002": 2},
        id="the value counts studies",
    ),
    pytest.param(
        [study("s1", hits=(HIT_A,)), study("s2", hits=(HIT_B,))],
        2,
        {"AWORKER00002": 2},
        id="exclude_after 2 keeps only workers of two studies",
    ),
    pytest.param([study("s1", workers=("AWORKER00001",), status=StudyStatus.RELEASED)], 1, {}, id="released"),
    pytest.param(
        [study("s1", workers=("AWORKER00001",), exclude_until=TODAY - timedelta(days=1))],
        1,
        {},
        id="expired yesterday",
    ),
    pytest.param(
        [study("s1", workers=("AWORKER00001",), exclude_until=TODAY)],
        1,
        {"AWORKER00001": 1},
        id="expires today",
    ),
    pytest.param(
        [
            study("s1", workers=("AWORKER00001",)),
            study("s2", workers=("AWORKER00001",), status=StudyStatus.RELEASED),
        ],
        1,
        {"AWORKER00001": 1},
        id="a release never undoes another study's exclusion",
    ),
    pytest.param(
        [study("s1", pools=("other",), workers=("AWORKER00001",))], 1, {}, id="another pool's study"
    ),
]


@pytest.mark.parametrize(("studies", "exclude_after", "expected"), CASES)
def test_desired_values(studies: list, exclude_after: int, expected: dict[str, int]) -> None:
    desire = desired_holders(pool(exclude_after=exclude_after), studies, HIT_WORKERS, TODAY)
    assert dict(desire.values) == expected


def test_studies_of_names_each_workers_excluding_studies_sorted() -> None:
    studies = [study("b-study", hits=(HIT_A,)), study("a-study", hits=(HIT_B,))]
    desire = desired_holders(pool(), studies, HIT_WORKERS, TODAY)
    assert desire.studies_of(["AWORKER00002", "AWORKER00001"]) == {
        "AWORKER00001": ("b-study",),
        "AWORKER00002": ("a-study", "b-study"),
    }


def test_a_hit_missing_from_the_readings_raises_rather_than_excluding_fewer() -> None:
    with pytest.raises(KeyError):
        desired_holders(pool(), [study("s1", hits=("3HITUNREAD0000000000000000000",))], {}, TODAY)


def test_hits_needed_names_each_place_of_each_hit_of_excluding_studies_only() -> None:
    one, two = study("s1", hits=(HIT_A, HIT_B)), study("s2", hits=(HIT_A,))
    released = study("s3", hits=("3HITRELEASED000000000000000000",), status=StudyStatus.RELEASED)
    needed = hits_needed([one, two, released], TODAY)
    assert needed == {HIT_A: [(one, 0), (two, 0)], HIT_B: [(one, 1)]}


CAUSE_CASES = [
    pytest.param(
        [
            study("s1", workers=("AWORKER00001",)),
            study("s2", status=StudyStatus.RELEASED, workers=("AWORKER00001",)),
        ],
        2,
        "in 1 excluding study (s1), fewer than the pool's exclude_after: 2",
        id="below exclude_after",
    ),
    pytest.param(
        [study("s1", status=StudyStatus.RELEASED, hits=(HIT_A,))],
        1,
        "s1 was released",
        id="released, through a HIT read",
    ),
    pytest.param(
        [study("s1", workers=("AWORKER00001",), exclude_until=TODAY - timedelta(days=1))],
        1,
        f"s1 stopped excluding after its exclude_until, {TODAY - timedelta(days=1)}",
        id="expired",
    ),
    pytest.param(
        [
            study("s1", status=StudyStatus.RELEASED, workers=("AWORKER00001",)),
            study("s2", status=StudyStatus.RELEASED, workers=("AWORKER00001",)),
        ],
        1,
        "s1 was released; s2 was released",
        id="two studies ended",
    ),
    pytest.param(
        [study("s1", workers=("AWORKER00009",))],
        1,
        UNLISTED,
        id="never listed",
    ),
    pytest.param(
        [study("s1", pools=("games",), status=StudyStatus.RELEASED, workers=("AWORKER00001",))],
        1,
        UNLISTED,
        id="listed only in another pool's study",
    ),
]


@pytest.mark.parametrize(("studies", "exclude_after", "expected"), CAUSE_CASES)
def test_the_cause_of_a_revocation(studies: list, exclude_after: int, expected: str) -> None:
    spec = pool(exclude_after=exclude_after)
    wanted = desired_holders(spec, studies, HIT_WORKERS, TODAY)
    assert "AWORKER00001" not in wanted.values
    causes = revocation_causes(spec, studies, HIT_WORKERS, wanted, ["AWORKER00001"], TODAY)
    assert causes == {"AWORKER00001": expected}
