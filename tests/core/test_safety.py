"""The safety checks over a whole plan: each typed refusal, table-driven."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reconciler.core.live import QualificationTypeSettings
from reconciler.core.model import Target
from reconciler.core.plan import Plan, PoolPlan, WorkerChange
from reconciler.core.safety import (
    ExamplePoolOnPlatform,
    SafetyError,
    TooManyRevocations,
    TypeNameMismatch,
    UnexpectedRevocationCount,
    WouldEmptyPool,
    example_pool_problems,
    safety_problems,
)
from reconciler.kinds.mturk import ENDPOINTS as MTURK_ENDPOINTS
from reconciler.kinds.mturk import MTURK, LocalMTurkTarget, MTurkTarget
from reconciler.kinds.prolific import ProlificTarget
from tests.core.fakes import pool

SETTINGS = QualificationTypeSettings("Lab deception", "Past participants", None)


def plan_revoking(before: int, revoked: int, granted: int = 0) -> Plan:
    pool_plan = PoolPlan(
        pool="deception",
        settings=SETTINGS,
        type_id="3TYPE",
        type_change=None,
        holders_before=before,
        grants=tuple(WorkerChange(f"AGRANT{i:06d}", None, 1) for i in range(granted)),
        revokes=tuple(WorkerChange(f"AREVOKE{i:05d}", 1, None) for i in range(revoked)),
    )
    return Plan("local", MTURK, datetime(2026, 1, 1, tzinfo=UTC), (pool_plan,), "sha256:l", "sha256:d")


@pytest.mark.parametrize(
    ("before", "revoked", "granted", "pool_fields", "allow", "expected"),
    [
        pytest.param(100, 25, 0, {}, None, [], id="at the limit"),
        pytest.param(100, 26, 0, {}, None, [TooManyRevocations], id="over the limit"),
        pytest.param(100, 26, 0, {"max_revoke_fraction": 0.5}, None, [], id="pool's own limit"),
        pytest.param(100, 26, 0, {}, 26, [], id="allowed by the exact count"),
        pytest.param(100, 26, 0, {}, 25, [UnexpectedRevocationCount], id="allowed by a wrong count"),
        pytest.param(1, 1, 0, {}, None, [WouldEmptyPool], id="emptying a pool"),
        pytest.param(1, 1, 0, {"allow_empty": True}, None, [], id="emptying allowed by the pool"),
        pytest.param(1, 1, 1, {}, None, [], id="not empty when someone is granted"),
        pytest.param(10, 10, 0, {}, None, [TooManyRevocations, WouldEmptyPool], id="both reasons, at once"),
        pytest.param(0, 0, 5, {}, None, [], id="grants only"),
        pytest.param(9, 2, 0, {}, None, [], id="a small pool: two pass"),
        pytest.param(9, 8, 0, {}, None, [TooManyRevocations], id="a small pool: eight of nine refused"),
        pytest.param(9, 8, 0, {"approved_revocations": 8}, None, [], id="approved in config, exactly"),
        pytest.param(
            9, 7, 0, {"approved_revocations": 8}, None, [UnexpectedRevocationCount], id="approved, not this"
        ),
        pytest.param(9, 9, 0, {"approved_revocations": 9}, None, [], id="an approved emptying of a pool"),
    ],
)
def test_safety(
    before: int, revoked: int, granted: int, pool_fields: dict, allow: int | None, expected: list[type]
) -> None:
    problems = safety_problems(
        plan_revoking(before, revoked, granted), {"deception": pool(**pool_fields)}, allow
    )
    assert [type(problem) for problem in problems] == expected
    assert all(isinstance(problem, SafetyError) and str(problem) for problem in problems)


SANDBOX = MTurkTarget("sandbox", MTURK_ENDPOINTS["sandbox"])
PRODUCTION = MTurkTarget("production", MTURK_ENDPOINTS["production"])
EMULATED = MTurkTarget("emu", "http://127.0.0.1:8443")
LOCAL = LocalMTurkTarget("local", Path(".exclusions-local/local"), None)
PROLIFIC = ProlificTarget("prolific", workspace_id="0" * 24)
LOCAL_PROLIFIC = ProlificTarget("local", workspace_id="0" * 24, local=True)
SERVED_PROLIFIC = ProlificTarget("served", workspace_id="0" * 24, base_url="http://127.0.0.1:8900")
EXAMPLE_NAME = "Example Lab: took part in a deception study"
EXAMPLE_DESCRIPTION = "You took part in an earlier study of the Example Lab."


@pytest.mark.parametrize(
    ("target", "name", "description", "refused"),
    [
        pytest.param(PRODUCTION, EXAMPLE_NAME, EXAMPLE_DESCRIPTION, "name and description", id="production"),
        pytest.param(SANDBOX, EXAMPLE_NAME, "Ours", "name", id="sandbox, the name"),
        pytest.param(
            SANDBOX, "Decision Lab: past", EXAMPLE_DESCRIPTION, "description", id="sandbox, the text"
        ),
        pytest.param(PRODUCTION, "Decision Lab: past", "Decision Lab's", None, id="the lab's own texts"),
        pytest.param(LOCAL, EXAMPLE_NAME, EXAMPLE_DESCRIPTION, None, id="the embedded local MTurk"),
        pytest.param(EMULATED, EXAMPLE_NAME, EXAMPLE_DESCRIPTION, None, id="an emulator on loopback"),
        pytest.param(PROLIFIC, EXAMPLE_NAME, EXAMPLE_DESCRIPTION, "name and description", id="prolific"),
        pytest.param(
            LOCAL_PROLIFIC, EXAMPLE_NAME, EXAMPLE_DESCRIPTION, None, id="the embedded local Prolific"
        ),
        pytest.param(SERVED_PROLIFIC, EXAMPLE_NAME, EXAMPLE_DESCRIPTION, None, id="a local Prolific served"),
    ],
)
def test_the_shipped_example_texts_are_refused_on_every_real_platform(
    target: Target, name: str, description: str, refused: str | None
) -> None:
    problems = example_pool_problems([pool(name=name, description=description)], target)
    if refused is None:
        assert problems == []
        return
    (problem,) = problems
    assert isinstance(problem, ExamplePoolOnPlatform)
    assert f"pool 'deception': its {refused} still say 'Example Lab'" in str(problem)
    assert f"target '{target.name}'" in str(problem)


def test_a_type_named_otherwise_than_its_pool_is_refused_whatever_is_allowed() -> None:
    plan = plan_revoking(100, 0, 1)
    renamed = replace(plan, pools=(replace(plan.pools[0], live_name="Another qualification"),))
    for allow in (None, 0):
        problems = safety_problems(renamed, {"deception": pool()}, allow)
        assert [type(problem) for problem in problems] == [TypeNameMismatch]
        assert "'Another qualification'" in str(problems[0]) and "docs/concepts.md" in str(problems[0])
