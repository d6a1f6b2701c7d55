"""The cause of every revocation, end to end, in text, markdown and JSON."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e import Lab


def _revokes(lab: Lab, pool: str) -> dict[str, str]:
    run = lab.run("plan", "--format", "json")
    assert run.status == 0, run.output
    plan: dict[str, Any] = json.loads(run.stdout)
    (found,) = [entry for entry in plan["pools"] if entry["pool"] == pool]
    return {change["id"]: change["cause"] for change in found["revoke"]}


def test_a_worker_still_in_an_active_study_below_exclude_after_is_told_so(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    lab.write_study("ultimatum-pilot", **{**lab.study("ultimatum-pilot"), "status": "released"})
    assert _revokes(lab, "economic-games") == {
        "AEXAMPLEWORKER0006": "in 1 excluding study (trust-game-2026), fewer than the pool's exclude_after: 2"
    }


def test_a_released_study_is_named_in_every_format(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    lab.write_study("false-feedback-2025", **{**lab.study("false-feedback-2025"), "status": "released"})
    causes = _revokes(lab, "deception")
    assert causes["AEXAMPLEWORKER0002"] == "false-feedback-2025 was released"
    text = lab.run("plan", "--show-worker-ids").stdout
    assert "- AEXAMPLEWORKER0002  value 1: false-feedback-2025 was released" in text
    markdown = lab.run("plan", "--format", "markdown").stdout
    assert "false-feedback-2025 was released |" in markdown


def test_an_expired_study_is_named_with_its_date(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    lab.write_study(
        "false-feedback-2025", **{**lab.study("false-feedback-2025"), "exclude_until": "2024-01-31"}
    )
    causes = _revokes(lab, "deception")
    assert (
        causes["AEXAMPLEWORKER0002"]
        == "false-feedback-2025 stopped excluding after its exclude_until, 2024-01-31"
    )
