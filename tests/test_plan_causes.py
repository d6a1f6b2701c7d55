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
    return {change["worker_id"]: change["cause"] for change in found["revoke"]}


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


def test_a_holder_the_repository_never_listed_is_named_as_such(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    lab.client().associate_qualification_with_worker(
        QualificationTypeId=lab.type_id("deception"),
        WorkerId="AEXAMPLEWORKER0099",
        IntegerValue=1,
        SendNotification=False,
    )
    assert _revokes(lab, "deception") == {
        "AEXAMPLEWORKER0099": "listed in no study of this pool: granted outside the repository, "
        "or its study file was deleted"
    }


def test_a_pool_that_keeps_outside_holders_shows_them_and_revokes_none(lab: Lab) -> None:
    config = lab.config()
    config["pools"]["deception"]["outside_holders"] = "keep"
    lab.write_config(config)
    assert lab.run("apply", "--auto-approve").status == 0
    lab.client().associate_qualification_with_worker(
        QualificationTypeId=lab.type_id("deception"),
        WorkerId="AEXAMPLEWORKER0099",
        IntegerValue=1,
        SendNotification=False,
    )
    # A manual exclusion is kept: no change, but every format shows it and why.
    plan = lab.run("plan", "--format", "json", "--detailed-exitcode")
    assert plan.status == 0, plan.output
    (deception,) = [entry for entry in json.loads(plan.stdout)["pools"] if entry["pool"] == "deception"]
    assert deception["revoke"] == []
    assert [(kept["worker_id"], kept["value"]) for kept in deception["kept"]] == [("AEXAMPLEWORKER0099", 1)]
    assert "held outside the repository" in deception["kept"][0]["cause"]
    text = lab.run("plan", "--show-worker-ids").stdout
    assert "1 held outside the repository, kept (no change):" in text
    assert "= AEXAMPLEWORKER0099  value 1: held outside the repository" in text
    markdown = lab.run("plan", "--format", "markdown").stdout
    assert "### Held outside the repository (kept)" in markdown
    assert "AEXAMPLEWORKER0099" not in markdown  # masked in a pull-request comment
    assert lab.run("apply", "--auto-approve").status == 0
    assert "AEXAMPLEWORKER0099" in lab.holders("deception")
    # A worker the repository did list, and released, is still revoked, with its cause.
    lab.write_study("false-feedback-2025", **{**lab.study("false-feedback-2025"), "status": "released"})
    assert _revokes(lab, "deception")["AEXAMPLEWORKER0002"] == "false-feedback-2025 was released"
