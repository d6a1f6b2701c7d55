"""How each study looks from a target's platform, and how a membership-only group is compared."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from reconciler.core.live import LivePool, LiveQualificationType
from reconciler.core.model import Config, Listing, Repository
from reconciler.core.platform_kind import PlatformKind
from reconciler.kinds.mturk import MTURK
from reconciler.kinds.prolific import PROLIFIC
from reconciler.ops.projection import for_kind, live_as_compared
from tests.core.fakes import TODAY, pool, study

P1, P2, P3 = ("a" * 23 + "1", "a" * 23 + "2", "a" * 23 + "3")


def repository(*pools_and_studies: object, exclude_after: int = 1) -> Repository:
    config = Config(
        path=Path("config.yaml"),
        default_target="p",
        targets={},
        pools={"deception": pool(keywords="k", exclude_after=exclude_after)},
    )
    return Repository(Path("."), config, tuple(pools_and_studies))  # type: ignore[arg-type]


def both(study_id: str, *participants: str) -> object:
    return replace(
        study(study_id),
        listings=(
            ("mturk", Listing(("3HIT",), ("AWORKER00001",))),
            ("prolific", Listing(("b" * 24,), participants)),
        ),
    )


@pytest.mark.parametrize(
    ("kind", "hits", "workers", "name"),
    [
        (MTURK, ("3HIT",), ("AWORKER00001",), "MTurk"),
        (PROLIFIC, ("b" * 24,), (P1,), "Prolific"),
    ],
)
def test_a_study_is_seen_through_the_targets_platform(
    kind: PlatformKind, hits: tuple[str, ...], workers: tuple[str, ...], name: str
) -> None:
    (seen,) = for_kind(repository(both("s", P1)), kind).studies
    assert (seen.hits, seen.workers) == (hits, workers)
    assert kind.name == name


def test_a_group_has_no_keywords_to_compare() -> None:
    assert for_kind(repository(), PROLIFIC).config.pools["deception"].keywords is None
    assert for_kind(repository(), MTURK).config.pools["deception"].keywords == "k"


def test_members_take_the_planned_value_and_the_pools_description() -> None:
    repo = for_kind(repository(both("s1", P1, P2), both("s2", P1), exclude_after=1), PROLIFIC)
    group = LiveQualificationType("g", "Lab deception", "someone's note", None, "Active", False)
    live = {"deception": LivePool("deception", group, {P1: 1, P3: 1})}
    compared = live_as_compared(PROLIFIC, repo, live, {"b" * 24: frozenset()}, TODAY)["deception"]
    assert compared.holders == {P1: 2, P3: 1}  # P1 is in two studies; P3 in none (to be removed)
    assert compared.qualification_type is not None
    assert compared.qualification_type.description == "Past deception participants"


def test_with_a_study_unread_the_members_stay_as_read() -> None:
    repo = for_kind(repository(both("s1", P1)), PROLIFIC)
    live = {"deception": LivePool("deception", None, {P1: 1})}
    assert live_as_compared(PROLIFIC, repo, live, {}, TODAY)["deception"].holders == {P1: 1}
