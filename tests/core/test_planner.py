"""The planner end to end in-process: desired state and a reading in, a plan out."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reconciler.core.captures import HitWorkers
from reconciler.core.live import LivePool, LiveQualificationType
from reconciler.core.model import Config, GrantRecord, Repository, StudyStatus
from reconciler.core.planner import (
    Reading,
    fingerprints_from_captures,
    kept_outside,
    make_plan,
    revoked_outside,
)
from reconciler.kinds.mturk import MTURK
from tests.core.fakes import NOW, pool, study

HIT = "3HITAAAAAAAAAAAAAAAAAAAAAAAAAA"
LIVE_TYPE = LiveQualificationType(
    "3TYPE", "Lab deception", "Past deception participants", None, "Active", False
)


def repository(*studies) -> Repository:  # type: ignore[no-untyped-def]
    the_pool = pool(description="Past deception participants")
    config = Config(path=__file__, default_target="local", targets={}, pools={"deception": the_pool})  # type: ignore[arg-type]
    return Repository(root=__file__, config=config, studies=tuple(studies))  # type: ignore[arg-type]


def reading(
    holders: dict[str, int],
    live_type: LiveQualificationType | None = LIVE_TYPE,
    granted: dict[str, GrantRecord] | None = None,
) -> Reading:
    hits = HitWorkers({HIT: frozenset({"AWORKER00002"})}, [], [], 0)
    return Reading({"deception": LivePool("deception", live_type, holders)}, hits, granted=granted or {})


def test_a_missing_type_is_planned_as_a_creation_with_every_grant() -> None:
    plan = make_plan(
        repository(study("s1", hits=(HIT,), workers=("AWORKER00001",))),
        reading({}, None),
        "local",
        MTURK,
        NOW,
    )
    (pool_plan,) = plan.pools
    assert pool_plan.type_change is not None and pool_plan.type_change.action == "create"
    assert [(c.worker_id, c.new_value, c.studies) for c in pool_plan.grants] == [
        ("AWORKER00001", 1, ("s1",)),
        ("AWORKER00002", 1, ("s1",)),
    ]


def test_grants_revocations_and_updates_with_their_studies() -> None:
    repo = repository(study("s1", hits=(HIT,)), study("s2", workers=("AWORKER00002", "AWORKER00003")))
    listed_before = {"deception": GrantRecord(frozenset({"AWORKER00009"}), frozenset({"s1", "s2"}))}
    plan = make_plan(
        repo, reading({"AWORKER00002": 1, "AWORKER00009": 1}, granted=listed_before), "local", MTURK, NOW
    )
    (pool_plan,) = plan.pools
    assert pool_plan.type_change is None
    assert [(c.worker_id, c.studies) for c in pool_plan.grants] == [("AWORKER00003", ("s2",))]
    assert [(c.worker_id, c.old_value) for c in pool_plan.revokes] == [("AWORKER00009", 1)]
    assert [(c.worker_id, c.old_value, c.new_value, c.studies) for c in pool_plan.updates] == [
        ("AWORKER00002", 1, 2, ("s1", "s2"))
    ]
    assert plan.count("grants") == 1 and plan.has_changes


def test_an_in_sync_plan_has_no_changes_and_stable_fingerprints() -> None:
    repo = repository(study("s1", hits=(HIT,)))
    first = make_plan(repo, reading({"AWORKER00002": 1}), "local", MTURK, NOW)
    again = make_plan(repo, reading({"AWORKER00002": 1}), "local", MTURK, NOW)
    assert not first.has_changes
    assert (first.live_fingerprint, first.desired_fingerprint) == (
        again.live_fingerprint,
        again.desired_fingerprint,
    )


def test_fingerprints_from_captures_agree_with_the_plan_and_need_every_hit() -> None:
    repo = repository(study("s1", hits=(HIT,)))
    plan = make_plan(repo, reading({}), "local", MTURK, NOW)
    live = reading({}).live
    captured = {HIT: frozenset({"AWORKER00002"})}
    assert fingerprints_from_captures(repo, live, captured, {}, NOW.date()) == (
        plan.live_fingerprint,
        plan.desired_fingerprint,
    )
    assert fingerprints_from_captures(repo, live, {}, {}, NOW.date())[1] is None
    changed = fingerprints_from_captures(repo, live, {HIT: frozenset({"AWORKER00007"})}, {}, NOW.date())
    assert changed[1] != plan.desired_fingerprint
    # The record of the last apply decides revocations, so it is part of what a saved plan checks.
    recorded = {"deception": GrantRecord(frozenset({"AWORKER00002"}), frozenset({"s1"}))}
    assert (
        fingerprints_from_captures(repo, live, captured, recorded, NOW.date())[1] != plan.desired_fingerprint
    )


GONE = "listed at the last apply, in no study of this pool now: "


@pytest.mark.parametrize(
    ("rule", "record", "fate", "cause"),
    [
        pytest.param("keep", None, "kept", kept_outside(MTURK), id="never listed, no record: kept"),
        pytest.param("keep", GrantRecord(), "kept", kept_outside(MTURK), id="never listed: kept"),
        pytest.param("revoke", None, "revoked", revoked_outside(MTURK), id="never listed, authoritative"),
        pytest.param(
            "keep",
            GrantRecord(frozenset({"AWORKER00009"}), frozenset({"s1"})),
            "revoked",
            GONE + "a line listing them, or their HIT, was removed from a study file",
            id="line removed",
        ),
        pytest.param(
            "keep",
            GrantRecord(frozenset({"AWORKER00009"}), frozenset({"s1", "s9"})),
            "revoked",
            GONE + "s9 was deleted or left the pool (or a line listing them, or their HIT, was removed)",
            id="study file deleted",
        ),
        pytest.param(
            "revoke",
            GrantRecord(frozenset({"AWORKER00009"}), frozenset({"s1", "s8", "s9"})),
            "revoked",
            GONE + "s8, s9 were deleted or left the pool (or a line listing them, or their HIT, was removed)",
            id="two studies deleted",
        ),
    ],
)
def test_the_fate_of_a_holder_no_study_lists(
    rule: str, record: GrantRecord | None, fate: str, cause: str
) -> None:
    repo = repository(study("s1", hits=(HIT,)))
    config = replace(
        repo.config,
        pools={"deception": replace(repo.config.pools["deception"], keep_outside_holders=rule == "keep")},
    )
    granted = {"deception": record} if record is not None else {}
    plan = make_plan(
        replace(repo, config=config),
        reading({"AWORKER00002": 1, "AWORKER00009": 1}, granted=granted),
        "local",
        MTURK,
        NOW,
    )
    (pool_plan,) = plan.pools
    assert pool_plan.outside_holders == rule
    changes = {"kept": pool_plan.kept, "revoked": pool_plan.revokes}
    assert [(c.worker_id, c.cause) for c in changes[fate]] == [("AWORKER00009", cause)]
    assert not changes["revoked" if fate == "kept" else "kept"]


def test_a_released_study_decides_before_the_record() -> None:
    repo = repository(
        study("s1", hits=(HIT,)), study("s0", workers=("AWORKER00003",), status=StudyStatus.RELEASED)
    )
    plan = make_plan(
        repo, reading({"AWORKER00002": 1, "AWORKER00003": 1, "AWORKER00009": 1}), "local", MTURK, NOW
    )
    (pool_plan,) = plan.pools
    assert [(c.worker_id, c.cause) for c in pool_plan.revokes] == [("AWORKER00003", "s0 was released")]
    assert [(c.worker_id, c.old_value, c.new_value) for c in pool_plan.kept] == [("AWORKER00009", 1, 1)]
    assert pool_plan.holders_after == 2  # the kept holder stays
