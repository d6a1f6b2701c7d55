"""The bulk check of ID lists must never accept a document that full JSON Schema validation rejects."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.lab.schemas import CAPTURE_SCHEMA, STUDY_SCHEMA, _valid_fast, _validator

ids = st.one_of(
    st.from_regex(r"A[A-Z0-9]{1,20}", fullmatch=True),
    st.from_regex(r"3[A-Z0-9]{1,29}", fullmatch=True),
    st.text(max_size=70),
    st.integers(),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(
    workers=st.lists(ids, max_size=6),
    hits=st.lists(ids, max_size=6),
    pools=st.lists(st.sampled_from(["deception", "Bad Pool", "x"]), max_size=3),
    extra=st.dictionaries(st.sampled_from(["notes", "wrokers", "status"]), st.text(max_size=5), max_size=1),
)
def test_a_study_the_fast_path_accepts_is_valid(
    workers: list[Any], hits: list[Any], pools: list[str], extra: dict[str, str]
) -> None:
    study = {
        "study": "s",
        "title": "t",
        "pools": pools,
        "status": "active",
        "workers": workers,
        "hits": hits,
        **extra,
    }
    if _valid_fast(study, STUDY_SCHEMA):
        assert _validator(STUDY_SCHEMA).is_valid(study)


@settings(max_examples=200, deadline=None)
@given(workers=st.lists(ids, max_size=6))
def test_a_capture_the_fast_path_accepts_is_valid(workers: list[Any]) -> None:
    capture = {
        "format_version": 1,
        "target": "local",
        "hit_id": "3ABC",
        "read_at": "2026-01-01T00:00:00Z",
        "complete": True,
        "workers": workers,
    }
    if _valid_fast(capture, CAPTURE_SCHEMA):
        assert _validator(CAPTURE_SCHEMA).is_valid(capture)


def test_the_fast_path_takes_the_common_case() -> None:
    study = {
        "study": "s",
        "title": "t",
        "pools": ["a"],
        "status": "active",
        "workers": [f"AFAKE{i:08d}" for i in range(100)],
    }
    assert _valid_fast(study, STUDY_SCHEMA)
    assert not _valid_fast({**study, "workers": [*study["workers"], "afake00000001"]}, STUDY_SCHEMA)
