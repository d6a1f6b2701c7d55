"""Apply against a fake platform: order, partial failure, and convergence on a re-run."""

from __future__ import annotations

from reconciler.core.captures import HitWorkers
from reconciler.core.live import LivePool
from reconciler.core.model import Config, GrantRecord, Repository
from reconciler.core.planner import Reading, make_plan
from reconciler.ops.applying import apply_plan
from reconciler.ops.reading import read_pools
from tests.core.fakes import NOW, FakePlatform, pool, study


def repository(*studies) -> Repository:  # type: ignore[no-untyped-def]
    config = Config(path=__file__, default_target="local", targets={}, pools={"deception": pool()})  # type: ignore[arg-type]
    return Repository(root=__file__, config=config, studies=tuple(studies))  # type: ignore[arg-type]


def plan_against(platform: FakePlatform, repo: Repository, granted=None):  # type: ignore[no-untyped-def]
    live: dict[str, LivePool] = read_pools(platform, repo.config.pools.values(), "local", {}, 1)
    return make_plan(repo, Reading(live, HitWorkers({}, [], [], 0), granted=granted or {}), "local", NOW)


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
    assert not plan_against(platform, repo).has_changes


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
    assert [c.worker_id for c in second.pools[0].grants] == ["AWORKER00002"]
    assert not apply_plan(platform, second, concurrency=2).failed
    assert not plan_against(platform, repo).has_changes


def test_a_failed_type_creation_skips_that_pools_changes() -> None:
    platform = FakePlatform(fail={("create", "Lab deception")})
    repo = repository(study("s1", workers=("AWORKER00001",)))
    report = apply_plan(platform, plan_against(platform, repo), concurrency=1)
    assert [(o.kind, o.pool) for o in report.failed] == [("create type", "deception")]
    assert report.skipped == [("deception", 1)]
    assert not any(call[0] == "grant" for call in platform.calls)
