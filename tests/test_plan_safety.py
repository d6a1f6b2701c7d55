"""Safety decided in the plan, end to end: what apply will refuse is shown by plan (text,
markdown, JSON), approved in config.yaml where a reviewer sees it, and a saved plan is bound to
its own content."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e import Lab
from tests.helpers import assert_no_traceback

DISASSOCIATE = "DisassociateQualificationFromWorker"


def _release_every_deception_study(lab: Lab) -> None:
    """Leave the deception pool with no excluding study (and the economic games untouched)."""
    lab.write_study("false-feedback-2025", **{**lab.study("false-feedback-2025"), "status": "released"})
    lab.write_study("trust-game-2026", **{**lab.study("trust-game-2026"), "pools": ["economic-games"]})


def _plan(lab: Lab, *args: str) -> dict[str, Any]:
    run = lab.run("plan", "--format", "json", *args)
    assert run.status == 0, run.output
    return json.loads(run.stdout)  # type: ignore[no-any-return]


def _set_safety(lab: Lab, pool: str, **safety: object) -> None:
    config = lab.config()
    config["pools"][pool]["safety"] = {**config["pools"][pool].get("safety", {}), **safety}
    lab.write_config(config)


def test_a_plan_that_apply_will_refuse_says_so_in_every_format(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    lab.server.reset_counters()
    _release_every_deception_study(lab)
    plan = _plan(lab)
    assert [refusal["check"] for refusal in plan["refusals"]] == ["TooManyRevocations", "WouldEmptyPool"]
    assert "safety.approve_revocations: 7" in plan["refusals"][1]["message"]
    text = lab.run("plan")
    assert text.stdout.splitlines()[1] == "apply will refuse this plan unless:", text.stdout
    assert "WouldEmptyPool" in text.stdout
    markdown = lab.run("plan", "--format", "markdown").stdout
    caution = markdown.index("[!CAUTION]")
    assert caution < markdown.index("**Plan:**") and "will refuse this plan" in markdown
    refused = lab.run("apply", "--auto-approve")
    assert refused.status == 1 and "WouldEmptyPool" in refused.stderr
    assert lab.calls(DISASSOCIATE) == 0


def test_an_approval_in_config_lifts_the_limits_for_exactly_that_many_revocations(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    lab.server.reset_counters()
    _release_every_deception_study(lab)
    _set_safety(lab, "deception", approve_revocations=6)
    plan = _plan(lab)
    assert [refusal["check"] for refusal in plan["refusals"]] == ["UnexpectedRevocationCount"]
    wrong = lab.run("apply", "--auto-approve")
    assert wrong.status == 1 and "approves 6 revocations" in wrong.stderr
    assert lab.calls(DISASSOCIATE) == 0
    _set_safety(lab, "deception", approve_revocations=7)
    assert _plan(lab)["refusals"] == []
    applied = lab.run("apply", "--auto-approve")
    assert applied.status == 0, applied.output
    assert lab.calls(DISASSOCIATE) == 7


def test_a_small_pool_has_a_limit_too(lab: Lab) -> None:
    workers = [f"AEXAMPLESMALL{index:04d}" for index in range(9)]
    lab.write_study("small-a", workers=workers)
    lab.write_study("small-b", workers=workers[:1])
    assert lab.run("apply", "--auto-approve").status == 0
    lab.server.reset_counters()
    (lab.studies / "small-a.yaml").unlink()  # 8 of the pool's 16 holders would go
    refused = lab.run("apply", "--auto-approve")
    assert refused.status == 1
    assert "TooManyRevocations" in refused.stderr and "8 of 16 holders" in refused.stderr, refused.stderr
    assert lab.calls(DISASSOCIATE) == 0


def test_an_edited_saved_plan_is_refused_and_changes_nothing(lab: Lab, tmp_path: Path) -> None:
    saved = tmp_path / "p.plan.json"
    assert lab.run("plan", "--out", str(saved)).status == 0
    document = json.loads(saved.read_text())
    deception = next(pool for pool in document["pools"] if pool["pool"] == "deception")
    deception["revoke_reason"] = "You are excluded."
    saved.write_text(json.dumps(document, indent=2))
    refused = lab.run("apply", str(saved))
    assert refused.status == 1
    assert_no_traceback(refused)
    assert "modified after" in refused.stderr, refused.stderr
    assert lab.calls("AssociateQualificationWithWorker") == 0
    assert lab.calls("CreateQualificationType") == 0


def test_a_renamed_pool_keeps_its_type_and_apply_refuses_until_the_name_is_resolved(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    lab.server.reset_counters()
    old_id = lab.type_id("deception")
    old_name = lab.config()["pools"]["deception"]["name"]
    config = lab.config()
    config["pools"]["deception"]["name"] = "Example Lab: a new name"
    lab.write_config(config)
    lab.write_study("extra", workers=["AEXAMPLEWORKER0042"])
    plan = _plan(lab)
    deception = next(pool for pool in plan["pools"] if pool["pool"] == "deception")
    assert deception["group_id"] == old_id
    assert deception["group_live_name"] == old_name
    assert deception["group_change"] is None  # no new type, nobody re-granted
    assert [refusal["check"] for refusal in plan["refusals"]] == ["TypeNameMismatch"]
    text = lab.run("plan").stdout
    assert f'qualification type {old_id} "{old_name}"' in text
    assert 'config.yaml names it "Example Lab: a new name"' in text
    refused = lab.run("apply", "--auto-approve")
    assert refused.status == 1 and "MTurk cannot rename a type" in refused.stderr
    assert lab.calls("CreateQualificationType") == 0
    assert lab.calls("AssociateQualificationWithWorker") == 0


def test_mask_worker_ids_masks_the_json_form_and_says_where_it_does_not_apply(
    lab: Lab, tmp_path: Path
) -> None:
    saved = tmp_path / "p.plan.json"
    run = lab.run("plan", "--format", "json", "--mask-worker-ids", "--out", str(saved))
    assert run.status == 0, run.output
    assert "AEXAMPLEWORKER" not in run.stdout
    shown = json.loads(run.stdout)
    assert shown["ids_masked"] is True and "digest" not in shown
    assert shown["summary"]["grant"] == 8
    assert "--mask-ids does not apply to --out" in run.stderr
    applied = lab.run("apply", str(saved))  # the saved file keeps whole IDs: apply can use it
    assert applied.status == 0, applied.output
