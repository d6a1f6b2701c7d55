"""Holders no study lists, end to end through the CLI against the local MTurk.

A holder the repository never listed (granted by hand or by another tool) is kept by default; a
holder it listed at the last apply and lists no more (a study file deleted, a ``workers:`` line
removed) is revoked, saying so. ``exclusions/locks/<target>/granted/`` is what tells them apart.
"""

from __future__ import annotations

import json
import shutil
from typing import Any

from tests.e2e import TARGET, Lab, load_yaml

HAND_GRANTED = "AEXAMPLEWORKER0099"


def grant_by_hand(lab: Lab, worker_id: str = HAND_GRANTED) -> None:
    lab.client().associate_qualification_with_worker(
        QualificationTypeId=lab.type_id("deception"),
        WorkerId=worker_id,
        IntegerValue=1,
        SendNotification=False,
    )


def deception_plan(lab: Lab) -> dict[str, Any]:
    run = lab.run("plan", "--format", "json")
    assert run.status == 0, run.output
    (pool,) = [entry for entry in json.loads(run.stdout)["pools"] if entry["pool"] == "deception"]
    return dict(pool)


def revoke_causes(lab: Lab) -> dict[str, str]:
    return {change["id"]: change["cause"] for change in deception_plan(lab)["revoke"]}


def test_a_holder_granted_by_hand_is_kept_by_default_and_shown_in_every_format(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    grant_by_hand(lab)
    plan = lab.run("plan", "--format", "json", "--detailed-exitcode")
    assert plan.status == 0, plan.output  # not a change
    (deception,) = [entry for entry in json.loads(plan.stdout)["pools"] if entry["pool"] == "deception"]
    assert deception["outside_holders"] == "keep"
    assert deception["revoke"] == []
    assert [(kept["id"], kept["value"]) for kept in deception["kept"]] == [(HAND_GRANTED, 1)]
    assert "held outside the repository" in deception["kept"][0]["cause"]
    assert "outside_holders is keep (the default)" in deception["kept"][0]["cause"]
    text = lab.run("plan", "--show-worker-ids").stdout
    assert "1 held outside the repository, kept (outside_holders: keep; no change):" in text
    assert f"= {HAND_GRANTED}  value 1: held outside the repository" in text
    markdown = lab.run("plan", "--format", "markdown").stdout
    assert "### Held outside the repository (kept)" in markdown
    assert HAND_GRANTED not in markdown  # masked in a pull-request comment
    applied = lab.run("apply", "--auto-approve")
    assert applied.status == 0, applied.output
    assert lab.holders("deception")[HAND_GRANTED] == 1
    why = lab.run("why", HAND_GRANTED, "--live", "--show-worker-ids")
    assert why.status == 0, why.output
    assert "no excluding study here accounts for it: held outside the repository" in why.stdout
    # The record lists who the studies list, not the hand grant.
    record = load_yaml(lab.locks / "granted" / "deception.yaml")
    assert HAND_GRANTED not in record["workers"] and "AEXAMPLEWORKER0002" in record["workers"]


def test_a_workers_line_removed_after_an_apply_is_revoked_with_that_cause(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    study = lab.study("false-feedback-2025")
    lab.write_study(
        "false-feedback-2025", **{**study, "workers": ["AEXAMPLEWORKER0001", "AEXAMPLEWORKER0003"]}
    )
    assert revoke_causes(lab) == {
        "AEXAMPLEWORKER0002": "listed at the last apply, in no study of this pool now: "
        "a line listing them, or their HIT, was removed from a study file"
    }
    text = lab.run("plan", "--show-worker-ids").stdout
    assert "- AEXAMPLEWORKER0002  value 1: listed at the last apply, in no study of this pool now" in text
    assert lab.run("apply", "--auto-approve").status == 0
    assert "AEXAMPLEWORKER0002" not in lab.holders("deception")
    assert lab.run("plan", "--detailed-exitcode").status == 0


def test_a_deleted_study_file_is_named_in_the_cause(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    (lab.studies / "false-feedback-2025.yaml").unlink()
    causes = revoke_causes(lab)
    assert set(causes) == {"AEXAMPLEWORKER0002", "AEXAMPLEWORKER0003"}  # 0001 is in trust-game-2026 too
    assert causes["AEXAMPLEWORKER0002"] == (
        "listed at the last apply, in no study of this pool now: false-feedback-2025 was deleted or "
        "left the pool (or a line listing them, or their HIT, was removed)"
    )
    markdown = lab.run("plan", "--format", "markdown").stdout
    assert "false-feedback-2025 was deleted or left the pool" in markdown


def test_a_pool_can_make_the_repository_authoritative(lab: Lab) -> None:
    config = lab.config()
    config["pools"]["deception"]["outside_holders"] = "revoke"
    lab.write_config(config)
    assert lab.run("apply", "--auto-approve").status == 0
    grant_by_hand(lab)
    deception = deception_plan(lab)
    assert deception["outside_holders"] == "revoke" and deception["kept"] == []
    assert {change["id"]: change["cause"] for change in deception["revoke"]} == {
        HAND_GRANTED: "held outside the repository: never listed by a study here (granted by hand or "
        "by another tool); revoked, as the pool's outside_holders is revoke"
    }
    assert lab.run("apply", "--auto-approve").status == 0
    assert HAND_GRANTED not in lab.holders("deception")


def test_import_adopts_the_holders_held_outside_and_nobody_else(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    grant_by_hand(lab)
    imported = lab.run("import", "deception", "--study", "hand-granted")
    assert imported.status == 0, imported.output
    assert "with 1 worker." in imported.stdout
    assert lab.study("hand-granted")["workers"] == [HAND_GRANTED]
    assert deception_plan(lab)["kept"] == []
    nothing = lab.run("import", "deception", "--study", "again")
    assert nothing.status == 1
    assert "none is held outside the repository, so there is nothing to import" in nothing.stderr
    assert not (lab.studies / "again.yaml").exists()


def test_without_a_record_nobody_is_revoked_for_being_unlisted_and_an_apply_writes_it(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    # A lab upgrading from a version that kept no record: nothing tells a deleted study's workers
    # from hand grants, so they are kept (fail closed) rather than revoked on a guess.
    shutil.rmtree(lab.locks / "granted")
    study = lab.studies / "false-feedback-2025.yaml"
    text = study.read_text()
    study.unlink()
    deception = deception_plan(lab)
    assert deception["revoke"] == []
    assert {kept["id"] for kept in deception["kept"]} == {"AEXAMPLEWORKER0002", "AEXAMPLEWORKER0003"}
    # An apply with nothing to change still records who the studies list, from then on.
    study.write_text(text)
    applied = lab.run("apply", "--auto-approve")
    assert applied.status == 0, applied.output
    assert "Recorded who the studies list among the holders (2 pools)" in applied.stderr
    study.unlink()
    assert set(revoke_causes(lab)) == {"AEXAMPLEWORKER0002", "AEXAMPLEWORKER0003"}


def test_a_failed_revocation_is_revoked_again_for_the_same_cause(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    (lab.studies / "false-feedback-2025.yaml").unlink()
    config = lab.config()
    config["targets"][TARGET]["max_concurrency"] = 1  # one call at a time: the fault hits one revocation
    lab.write_config(config)
    # The first revocation fails on every attempt (3 with AWS_MAX_ATTEMPTS=3); the other goes through.
    lab.server.add_scripted_fault("DisassociateQualificationFromWorker", nth=1, count=3)
    failed = lab.run("apply", "--auto-approve")
    assert failed.status == 1
    assert "Apply incomplete: 0 granted, 1 values updated, 1 revoked; 1 failed" in failed.stderr
    (remaining,) = revoke_causes(lab).items()
    assert "false-feedback-2025 was deleted or left the pool" in remaining[1]
    assert lab.run("apply", "--auto-approve").status == 0
    assert lab.run("plan", "--detailed-exitcode").status == 0
    record = load_yaml(lab.locks / "granted" / "deception.yaml")
    assert "false-feedback-2025" not in record["studies"]


def test_validate_names_a_record_in_the_wrong_place(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    record = lab.locks / "granted" / "deception.yaml"
    record.write_text(record.read_text().replace("pool: deception", "pool: economic-games"))
    run = lab.run("validate")
    assert run.status == 1
    assert "granted/deception.yaml" in run.stderr + run.stdout
    assert "the pool 'economic-games' differs from the file name 'deception'" in run.stderr + run.stdout
    assert "Traceback" not in run.output
    assert lab.run("plan").status == 1  # nothing is planned from a record in the wrong place


def test_import_before_the_pool_has_a_type_says_so_and_writes_nothing(lab: Lab) -> None:
    run = lab.run("import", "deception", "--study", "too-early")
    assert run.status == 1
    assert "pool 'deception' has no qualification type on target 'emu' yet" in run.stderr
    assert not (lab.studies / "too-early.yaml").exists()
    assert lab.calls("CreateQualificationType") == 0
