"""Reading HITs: which calls a plan makes for each shape of lab, and what they capture."""

from __future__ import annotations

from datetime import timedelta

from reconciler.core.live import HitReading
from reconciler.core.model import Capture
from reconciler.ops.reading import read_hits
from tests.core.fakes import NOW, FakePlatform, study

WORKER = "AEXAMPLEWORKER{:04d}"


def hit_id(number: int) -> str:
    return f"3EXAMPLEHIT{number:019d}"


def open_hit(number: int, workers: int) -> HitReading:
    return HitReading(
        hit_id(number),
        NOW - timedelta(days=3),
        NOW + timedelta(days=3),
        "Assignable",
        0,
        frozenset(WORKER.format(number * 100 + slot) for slot in range(workers)),
    )


def platform_with(hits: int, workers: int = 2, most: int = 5) -> FakePlatform:
    platform = FakePlatform()
    for number in range(hits):
        platform.hits[hit_id(number)] = open_hit(number, workers)
        platform.counts[hit_id(number)] = (most, most - workers)
    return platform


def needed_for(hit_ids: list[str]) -> dict[str, list[tuple[object, int]]]:
    one = study("s1", hits=tuple(hit_ids))
    return {hit: [(one, index)] for index, hit in enumerate(hit_ids)}


def read(platform: FakePlatform, hit_ids: list[str], captures: dict[str, Capture]) -> dict[str, Capture]:
    result = read_hits(platform, needed_for(hit_ids), captures, "local", NOW, 1)  # type: ignore[arg-type]
    return {capture.hit_id: capture for capture in result.changed_captures}


def kinds(platform: FakePlatform) -> list[str]:
    return [call[0] for call in platform.calls]


def test_few_hits_are_asked_for_one_by_one() -> None:
    platform = platform_with(3)
    read(platform, [hit_id(0)], {})
    assert platform.calls == [("hit state", hit_id(0)), ("hit workers", hit_id(0))]


def test_many_hits_are_listed_in_pages() -> None:
    platform = platform_with(3)
    wanted = [hit_id(n) for n in range(3)]
    captures = read(platform, wanted, {})
    assert kinds(platform).count("list hit states") == 1
    assert "hit state" not in kinds(platform)
    assert sorted(captures) == wanted
    assert captures[hit_id(2)].workers == platform.hits[hit_id(2)].workers


def test_open_hits_with_nothing_new_are_not_listed_again() -> None:
    platform = platform_with(3)
    wanted = [hit_id(n) for n in range(3)]
    first = read(platform, wanted, {})
    platform.calls.clear()
    second = read(platform, wanted, first)
    assert kinds(platform) == ["list hit states"]
    assert second == {}  # nothing changed, so nothing to write


def test_a_hit_with_a_new_submission_is_read_again() -> None:
    platform = platform_with(3)
    wanted = [hit_id(n) for n in range(3)]
    first = read(platform, wanted, {})
    # The HIT is extended by two assignments and one more worker submits.
    platform.hits[hit_id(1)] = open_hit(1, 3)
    platform.counts[hit_id(1)] = (7, 4)
    platform.calls.clear()
    second = read(platform, wanted, first)
    assert platform.calls == [("list hit states",), ("hit workers", hit_id(1))]
    assert second[hit_id(1)].workers == platform.hits[hit_id(1)].workers


def test_a_hit_missing_from_the_listing_is_asked_for_on_its_own() -> None:
    platform = platform_with(3)
    wanted = [hit_id(n) for n in range(3)]
    first = read(platform, wanted, {})
    del platform.hits[hit_id(0)]  # disposed of since the first read
    platform.calls.clear()
    second = read(platform, wanted, first)
    assert ("hit state", hit_id(0)) in platform.calls
    assert second[hit_id(0)].complete
    assert second[hit_id(0)].workers == first[hit_id(0)].workers


def test_unknown_counts_always_list_assignments() -> None:
    platform = platform_with(1)
    platform.counts.clear()
    first = read(platform, [hit_id(0)], {})
    platform.calls.clear()
    read(platform, [hit_id(0)], first)
    assert platform.calls == [("hit state", hit_id(0)), ("hit workers", hit_id(0))]
