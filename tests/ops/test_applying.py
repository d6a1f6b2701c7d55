"""Apply against a fake platform: order, partial failure, and convergence on a re-run."""

from __future__ import annotations

import pytest

from reconciler.core.captures import HitWorkers
from reconciler.core.live import LivePool
from reconciler.core.model import Config, GrantRecord, Repository
from reconciler.core.plan import Plan
from reconciler.core.planner import Reading, make_plan
from reconciler.core.safety import CheckedPlan, SafetyRefused, check_plan
from reconciler.kinds.mturk import MTURK
from reconciler.ops.applying import apply_plan
from reconciler.ops.reading import read_pools
from tests.core.fakes import NOW, FakePlatform, pool, study


def repository(*studies) -> Repository:  # type: ignore[no-untyped-def]
    config = Config(path=__file__, default_target="local", targets={}, pools={"deception": pool()})  # type: ignore[arg-type]
    return Repository(root=__file__, config=config, studies=tuple(studies))  # type: ignore[arg-type]


def plan_against(platform: FakePlatform, repo: Repository, granted=None):  # type: ignore[no-untyped-def]
    live: dict[str, LivePool] = read_pools(platform, repo.config.pools.values(), "local", {}, 1)
    plan = make_plan(
        repo, Reading(live, HitWorkers({}, [], [], 0), granted=granted or {}), "local", MTURK, NOW
    )
    return check_plan(plan, dict(repo.config.pools), None)


def test_apply_creates_the_type_then_grants_and_converges() -> None:
    platform = FakePlatform()
    repo = repository(study("s1", workers=("AWORKER00001", "AWORKER00002")))
    report = apply_plan(platform, plan_against(platform, repo), concurrency=1)
    assert not report.failed
    assert [call[0] for call in platform.calls if call[0] in {"create", "grant"}] == [
        "create",
        "grant",
        "grant",
    ]
    (type_id,) = platform.types
    assert platform.holders[type_id] == {"AWORKER00001": 1, "AWORKER00002": 1}
    assert not plan_against(platform, repo).plan.has_changes


def test_grants_go_before_revocations() -> None:
    platform = FakePlatform()
    repo = repository(study("s1", workers=("AWORKER00001",)))
    apply_plan(platform, plan_against(platform, repo), concurrency=1)
    platform.calls.clear()
    moved = repository(study("s1", workers=("AWORKER00002",)))
    # AWORKER00001's line was removed after the last apply listed them: revoked.
    granted = {"deception": GrantRecord(frozenset({"AWORKER00001"}), frozenset({"s1"}))}
    apply_plan(platform, plan_against(platform, moved, granted), concurrency=1)
    mutations = [call for call in platform.calls if call[0] in {"grant", "revoke"}]
    assert mutations == [("grant", "AWORKER00002"), ("revoke", "AWORKER00001")]


def test_a_partly_failed_apply_reports_each_outcome_and_a_rerun_converges() -> None:
    platform = FakePlatform(fail={("grant", "AWORKER00002")})
    repo = repository(study("s1", workers=("AWORKER00001", "AWORKER00002", "AWORKER00003")))
    report = apply_plan(platform, plan_against(platform, repo), concurrency=2)
    assert [(o.kind, o.worker_id) for o in report.failed] == [("grant", "AWORKER00002")]
    assert report.count("grant") == 2
    platform.fail.clear()
    second = plan_against(platform, repo)
    assert [c.worker_id for c in second.plan.pools[0].grants] == ["AWORKER00002"]
    assert not apply_plan(platform, second, concurrency=2).failed
    assert not plan_against(platform, repo).plan.has_changes


def test_a_failed_type_creation_skips_that_pools_changes() -> None:
    platform = FakePlatform(fail={("create", "Lab deception")})
    repo = repository(study("s1", workers=("AWORKER00001",)))
    report = apply_plan(platform, plan_against(platform, repo), concurrency=1)
    assert [(o.kind, o.pool) for o in report.failed] == [("create type", "deception")]
    assert report.skipped == [("deception", 1)]
    assert not any(call[0] == "grant" for call in platform.calls)


def test_apply_takes_only_a_plan_the_safety_check_passed() -> None:
    """Whoever calls it: a plain plan, or a CheckedPlan made by hand, is refused before any call."""
    platform = FakePlatform()
    repo = repository(study("s1", workers=("AWORKER00001",)))
    checked = plan_against(platform, repo)
    with pytest.raises(TypeError, match="CheckedPlan"):
        apply_plan(platform, checked.plan, concurrency=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="check_plan"):
        CheckedPlan(checked.plan, object())
    assert not any(call[0] in {"create", "grant"} for call in platform.calls)


def test_a_plan_the_safety_check_refuses_never_becomes_applicable() -> None:
    platform = FakePlatform()
    listed = [f"AWORKER{n:05d}" for n in range(10)]
    repo = repository(study("s1", workers=tuple(listed)))
    apply_plan(platform, plan_against(platform, repo), concurrency=1)
    granted = {"deception": GrantRecord(frozenset(listed), frozenset({"s1"}))}
    emptied = repository(study("s1", workers=("AWORKER00000",)))
    live = read_pools(platform, emptied.config.pools.values(), "local", {}, 1)
    plan: Plan = make_plan(
        emptied, Reading(live, HitWorkers({}, [], [], 0), granted=granted), "local", MTURK, NOW
    )
    assert plan.refusals  # 9 of 10 revoked: over the limit
    with pytest.raises(SafetyRefused) as refused:
        check_plan(plan, dict(emptied.config.pools), None)
    assert [check for check, _ in refused.value.refusals] == ["TooManyRevocations"]
    assert all(holder in platform.holders[next(iter(platform.types))] for holder in listed)
