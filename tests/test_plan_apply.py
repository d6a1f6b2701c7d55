"""Plan and apply end to end: the command line against the local MTurk over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from tests.e2e import Lab, emulator
from tests.helpers import PROJECT, assert_no_traceback, copy_example, exclusions

EXAMPLE_DECEPTION = {
    "AEXAMPLEWORKER0001": 2,  # false-feedback-2025 and trust-game-2026
    "AEXAMPLEWORKER0002": 1,
    "AEXAMPLEWORKER0003": 1,
    "AEXAMPLEWORKER0006": 1,
    "AEXAMPLEWORKER0007": 1,  # a submitted assignment counts
    "AEXAMPLEWORKER0008": 1,
    "AEXAMPLEWORKER0009": 1,  # a rejected worker saw the deception all the same
}


def plan_json(lab: Lab, *args: str) -> dict[str, object]:
    run = lab.run("plan", "--format", "json", *args)
    assert run.status == 0, run.output
    return json.loads(run.stdout)  # type: ignore[no-any-return]


# --- the shipped example, on the embedded local target ---------------------------------------


def test_the_example_plans_applies_and_converges_on_the_embedded_local_mturk(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    first = exclusions("plan", "--detailed-exitcode", cwd=root)
    assert first.status == 2, first.output
    assert "Plan: 8 to grant, 0 to revoke, 0 to update value, 2 qualification type changes." in first.stdout
    applied = exclusions("apply", "--auto-approve", cwd=root)
    assert applied.status == 0, applied.output
    assert "Apply complete: 8 granted" in applied.stdout
    again = exclusions("plan", "--detailed-exitcode", cwd=root)
    assert again.status == 0, again.output
    assert "No changes." in again.stdout
    assert (root / ".exclusions-local" / "local" / "state.json").is_file()
    assert sorted(p.name for p in (root / "exclusions" / "locks" / "local").iterdir()) == [
        "3EXAMPLEHITTRUSTGAME0000000001.yaml",
        "3EXAMPLEHITTRUSTGAME0000000002.yaml",
        "3EXAMPLEHITULTIMATUM0000000001.yaml",
        "granted",  # who the studies list among each pool's holders, as of this apply
        "pools.yaml",  # each pool's qualification type, read by its ID from now on
    ]


def test_a_broken_seed_of_the_local_target_is_reported_at_its_lines(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    seed = root / "exclusions" / "local-seed.yaml"
    seed.write_text(seed.read_text().replace("status: Approved}", "status: Aproved}"))
    run = exclusions("plan", cwd=root)
    assert run.status == 1
    assert_no_traceback(run)
    lines = [line for line in run.stderr.splitlines() if line.startswith("exclusions/local-seed.yaml:")]
    assert len(lines) == 5 and all('"Aproved" is not allowed' in line for line in lines), run.stderr
    assert not (root / "exclusions" / "locks" / "local").exists()  # nothing was read, nothing written


# --- planning --------------------------------------------------------------------------------


def test_plan_json_follows_its_schema_and_counts_every_change(lab: Lab) -> None:
    plan = plan_json(lab)
    schema = json.loads((PROJECT / "schemas" / "plan.schema.json").read_text())
    jsonschema.validate(plan, schema)
    assert plan["summary"] == {
        "grant": 8,
        "revoke": 0,
        "update": 0,
        "groups": 2,
        "changes": True,
    }
    pools = {pool["pool"]: pool for pool in plan["pools"]}  # type: ignore[index,union-attr]
    grants = {g["id"]: g["value"] for g in pools["deception"]["grant"]}
    assert grants == EXAMPLE_DECEPTION
    assert pools["deception"]["group_change"] == {"action": "create", "attributes": {}}
    (game,) = pools["economic-games"]["grant"]
    assert game == {
        "id": "AEXAMPLEWORKER0006",
        "value": 2,
        "studies": ["trust-game-2026", "ultimatum-pilot"],
    }


def test_detailed_exitcode_says_changes_nothing_or_error(lab: Lab) -> None:
    assert lab.run("plan", "--detailed-exitcode").status == 2
    assert lab.run("plan").status == 0
    assert lab.run("apply", "--auto-approve").status == 0
    assert lab.run("plan", "--detailed-exitcode").status == 0
    broken = lab.run("plan", "--detailed-exitcode", "--target", "nowhere")
    assert broken.status == 1
    assert "no target named 'nowhere'" in broken.stderr


def test_plan_changes_nothing_on_the_platform(lab: Lab) -> None:
    lab.run("plan")
    for operation in ("CreateQualificationType", "AssociateQualificationWithWorker"):
        assert lab.calls(operation) == 0


def test_a_second_study_raises_the_value_as_an_update(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    lab.write_study("new-deception", workers=["AEXAMPLEWORKER0002"])
    plan = plan_json(lab)
    (pool,) = [p for p in plan["pools"] if p["pool"] == "deception"]  # type: ignore[union-attr,index]
    assert pool["update"] == [
        {
            "id": "AEXAMPLEWORKER0002",
            "old_value": 1,
            "value": 2,
            "studies": ["false-feedback-2025", "new-deception"],
        }
    ]
    assert lab.run("plan", "--detailed-exitcode").status == 2
    assert lab.run("apply", "--auto-approve").status == 0
    assert lab.holders("deception")["AEXAMPLEWORKER0002"] == 2


def test_releasing_a_study_revokes_only_workers_in_no_other_excluding_study(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    study = lab.study("false-feedback-2025")
    lab.write_study("false-feedback-2025", **{**study, "status": "released"})
    plan = plan_json(lab)
    (pool,) = [p for p in plan["pools"] if p["pool"] == "deception"]  # type: ignore[union-attr,index]
    assert sorted(r["id"] for r in pool["revoke"]) == ["AEXAMPLEWORKER0002", "AEXAMPLEWORKER0003"]
    # AEXAMPLEWORKER0001 is also in trust-game-2026, which still excludes: kept, with value 1.
    assert [u["id"] for u in pool["update"]] == ["AEXAMPLEWORKER0001"]
    assert lab.run("apply", "--auto-approve").status == 0
    holders = lab.holders("deception")
    assert "AEXAMPLEWORKER0002" not in holders
    assert holders["AEXAMPLEWORKER0001"] == 1


def test_a_study_past_exclude_until_no_longer_excludes(lab: Lab) -> None:
    study = lab.study("false-feedback-2025")
    lab.write_study("false-feedback-2025", **{**study, "exclude_until": "2020-01-01"})
    plan = plan_json(lab)
    (pool,) = [p for p in plan["pools"] if p["pool"] == "deception"]  # type: ignore[union-attr,index]
    granted = {g["id"] for g in pool["grant"]}
    assert "AEXAMPLEWORKER0002" not in granted
    assert "AEXAMPLEWORKER0001" in granted  # still in trust-game-2026


def test_a_changed_description_is_planned_attribute_by_attribute_and_updated_in_place(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    config = lab.config()
    config["pools"]["deception"]["description"] = "A clearer description."
    lab.write_config(config)
    run = lab.run("plan")
    assert "~ update qualification type in place:" in run.stdout
    assert "description: " in run.stdout and "-> 'A clearer description.'" in run.stdout
    plan = plan_json(lab)
    (pool,) = [p for p in plan["pools"] if p["pool"] == "deception"]  # type: ignore[union-attr,index]
    change = pool["group_change"]
    assert change["action"] == "update"
    assert change["attributes"]["description"]["new"] == "A clearer description."
    assert lab.run("apply", "--auto-approve").status == 0
    described = lab.client().get_qualification_type(QualificationTypeId=lab.type_id("deception"))
    assert described["QualificationType"]["Description"] == "A clearer description."
    assert lab.run("plan", "--detailed-exitcode").status == 0


def test_the_type_is_found_by_its_exact_name_not_a_similar_one(lab: Lab) -> None:
    client = lab.client()
    name = lab.config()["pools"]["deception"]["name"]
    client.create_qualification_type(
        Name=name + " (old)", Description="A similar name", QualificationTypeStatus="Active"
    )
    plan = plan_json(lab)
    (pool,) = [p for p in plan["pools"] if p["pool"] == "deception"]  # type: ignore[union-attr,index]
    assert pool["group_change"]["action"] == "create"


def test_a_pinned_type_is_used_and_a_missing_pinned_type_fails(lab: Lab) -> None:
    created = lab.client().create_qualification_type(
        Name="Pinned elsewhere", Description="Pinned by ID", QualificationTypeStatus="Active"
    )
    type_id = created["QualificationType"]["QualificationTypeId"]
    config = lab.config()
    config["pools"]["deception"]["qualification_type_id"] = {"emu": type_id}
    config["pools"]["deception"]["name"] = "Pinned elsewhere"
    config["pools"]["deception"]["description"] = "Pinned by ID"
    lab.write_config(config)
    plan = plan_json(lab)
    (pool,) = [p for p in plan["pools"] if p["pool"] == "deception"]  # type: ignore[union-attr,index]
    assert pool["group_id"] == type_id
    assert pool["group_change"] is None
    config["pools"]["deception"]["qualification_type_id"] = {"emu": "3NOSUCHTYPE000000000000000000"}
    lab.write_config(config)
    run = lab.run("plan")
    assert run.status == 1
    assert "does not know the qualification type 3NOSUCHTYPE000000000000000000" in run.stderr
    assert "pins for pool 'deception'" in run.stderr and "nothing was changed" in run.stderr
    assert_no_traceback(run)


# --- apply -----------------------------------------------------------------------------------


def test_grants_never_notify_and_revocations_send_no_reason(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    study = lab.study("false-feedback-2025")
    lab.write_study("false-feedback-2025", **{**study, "status": "released"})
    assert lab.run("apply", "--auto-approve").status == 0
    state = lab.server.state()
    assert state["notifications"] == []  # the emulator records every email MTurk would send
    revoked = [
        holder
        for qt in state["qualification_types"]
        for holder in qt.get("holders", [])
        if holder.get("status") == "Revoked"
    ]
    assert {holder["worker_id"] for holder in revoked} == {"AEXAMPLEWORKER0002", "AEXAMPLEWORKER0003"}
    assert all(holder.get("reason") is None for holder in revoked)


def test_a_pool_revoke_reason_is_sent_on_purpose(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    config = lab.config()
    config["pools"]["deception"]["revoke_reason"] = "Your earlier study has been released."
    lab.write_config(config)
    study = lab.study("false-feedback-2025")
    lab.write_study("false-feedback-2025", **{**study, "status": "released"})
    assert lab.run("apply", "--auto-approve").status == 0
    reasons = {
        holder.get("reason")
        for qt in lab.server.state()["qualification_types"]
        for holder in qt.get("holders", [])
        if holder.get("status") == "Revoked"
    }
    assert reasons == {"Your earlier study has been released."}
    emails = [(n["kind"], n["worker_id"]) for n in lab.server.state()["notifications"]]
    assert sorted(emails) == [("revoked", "AEXAMPLEWORKER0002"), ("revoked", "AEXAMPLEWORKER0003")]


def test_apply_asks_and_only_yes_applies(lab: Lab) -> None:
    refused = lab.run("apply", stdin="no\n")
    assert refused.status == 1
    assert "Only 'yes' will be accepted" in refused.stdout
    assert "nothing was changed" in refused.stderr
    assert lab.calls("AssociateQualificationWithWorker") == 0
    accepted = lab.run("apply", stdin="yes\n")
    assert accepted.status == 0, accepted.output
    assert lab.holders("deception") == EXAMPLE_DECEPTION


def test_a_saved_plan_is_applied_exactly(lab: Lab, tmp_path: Path) -> None:
    saved = tmp_path / "emu.plan.json"
    assert lab.run("plan", "--out", str(saved)).status == 0
    assert json.loads(saved.read_text())["summary"]["grant"] == 8
    run = lab.run("apply", str(saved))
    assert run.status == 0, run.output
    assert lab.holders("deception") == EXAMPLE_DECEPTION
    assert lab.run("plan", "--detailed-exitcode").status == 0


def test_a_saved_plan_is_refused_when_the_live_holders_changed(lab: Lab, tmp_path: Path) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    lab.write_study("newer", workers=["AEXAMPLEWORKER0042"])
    saved = tmp_path / "emu.plan.json"
    assert lab.run("plan", "--out", str(saved)).status == 0
    lab.client().associate_qualification_with_worker(
        QualificationTypeId=lab.type_id("deception"),
        WorkerId="AEXAMPLEWORKER0099",
        IntegerValue=1,
        SendNotification=False,
    )
    run = lab.run("apply", str(saved))
    assert run.status == 1
    assert "stale plan" in run.stderr and "run plan again" in run.stderr
    assert "AEXAMPLEWORKER0042" not in lab.holders("deception")


def test_a_saved_plan_is_refused_when_the_repository_changed(lab: Lab, tmp_path: Path) -> None:
    saved = tmp_path / "emu.plan.json"
    assert lab.run("plan", "--out", str(saved)).status == 0
    lab.write_study("added-after-the-plan", workers=["AEXAMPLEWORKER0042"])
    run = lab.run("apply", str(saved))
    assert run.status == 1
    assert "stale plan" in run.stderr
    assert lab.calls("AssociateQualificationWithWorker") == 0


def test_a_plan_file_that_is_not_a_plan_is_refused(lab: Lab, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"format_version": 1}')
    run = lab.run("apply", str(bogus))
    assert run.status == 1
    assert "not a valid plan" in run.stderr
    assert_no_traceback(run)


# --- safety ----------------------------------------------------------------------------------


def _many_holders(lab: Lab, count: int) -> list[str]:
    workers = [f"AMANY{index:08d}" for index in range(count)]
    lab.write_study("many", workers=workers)
    assert lab.run("apply", "--auto-approve").status == 0
    return workers


def test_revoking_over_the_pool_fraction_is_refused_until_the_number_is_named(lab: Lab) -> None:
    workers = _many_holders(lab, 40)
    lab.write_study("many", workers=workers[:20])  # 20 of 47 holders: over 25%
    refused = lab.run("apply", "--auto-approve")
    assert refused.status == 1
    assert "TooManyRevocations" in refused.stderr and "--allow-revoke 20" in refused.stderr
    assert lab.calls("DisassociateQualificationFromWorker") == 0
    wrong = lab.run("apply", "--auto-approve", "--allow-revoke", "19")
    assert wrong.status == 1
    assert "UnexpectedRevocationCount" in wrong.stderr
    right = lab.run("apply", "--auto-approve", "--allow-revoke", "20")
    assert right.status == 0, right.output
    assert lab.calls("DisassociateQualificationFromWorker") == 20


def test_emptying_a_pool_is_refused(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    for study in ("trust-game-2026", "false-feedback-2025"):
        lab.write_study(study, **{**lab.study(study), "status": "released"})
    refused = lab.run("apply", "--auto-approve")
    assert refused.status == 1
    assert "WouldEmptyPool" in refused.stderr
    assert len(lab.holders("deception")) == 7


def test_safety_is_checked_for_every_pool_before_anything_is_applied(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    lab.write_study("more", workers=["AEXAMPLEWORKER0077"])
    lab.write_study("trust-game-2026", **{**lab.study("trust-game-2026"), "status": "released"})
    lab.write_study("ultimatum-pilot", **{**lab.study("ultimatum-pilot"), "status": "released"})
    refused = lab.run("apply", "--auto-approve")  # economic-games would be emptied
    assert refused.status == 1
    assert "pool 'economic-games'" in refused.stderr
    assert "AEXAMPLEWORKER0077" not in lab.holders("deception")  # nothing at all was applied


# --- faults ----------------------------------------------------------------------------------


def test_an_error_reading_holders_aborts_the_plan_and_changes_nothing(lab: Lab) -> None:
    _many_holders(lab, 150)  # two pages of holders
    lab.server.add_scripted_fault("ListWorkersWithQualificationType", nth=2, count=5)
    run = lab.run("apply", "--auto-approve")
    assert run.status == 1
    assert "ListWorkersWithQualificationType failed" in run.stderr and "nothing was changed" in run.stderr
    assert_no_traceback(run)
    assert lab.calls("DisassociateQualificationFromWorker") == 0


def test_an_error_reading_assignments_aborts_the_plan(lab: Lab) -> None:
    lab.server.add_scripted_fault("ListAssignmentsForHIT", nth=1, count=50)
    run = lab.run("plan")
    assert run.status == 1
    assert "ListAssignmentsForHIT failed" in run.stderr
    assert lab.calls("CreateQualificationType") == 0


def test_throttling_is_retried_and_the_apply_completes(tmp_path: Path) -> None:
    with emulator(tmp_path, rate_limit=10) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("many", workers=[f"ATHROTTLE{index:06d}" for index in range(60)])
        run = lab.run("apply", "--auto-approve", AWS_MAX_ATTEMPTS="10")
        assert run.status == 0, run.output
        assert server.counters()["AssociateQualificationWithWorker"]["throttled"] > 0
        server.set_faults(rate_limit=0)  # converged? asked without the drained token bucket in the way
        assert lab.run("plan", "--detailed-exitcode").status == 0


def test_a_partly_failed_apply_says_what_failed_and_a_rerun_converges(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server, max_concurrency=1)
        # One grant fails on every attempt (3 with AWS_MAX_ATTEMPTS=3); the others go through.
        server.add_scripted_fault("AssociateQualificationWithWorker", nth=2, count=3)
        run = lab.run("apply", "--auto-approve")
        assert run.status == 1
        assert "Apply incomplete: 7 granted" in run.stderr
        assert "1 failed" in run.stderr
        assert "failed: grant" in run.stderr and "ServiceFault" in run.stderr
        assert_no_traceback(run)
        before = lab.calls("AssociateQualificationWithWorker")
        rerun = lab.run("apply", "--auto-approve")
        assert rerun.status == 0, rerun.output
        assert "Apply complete: 1 granted" in rerun.stdout
        assert lab.calls("AssociateQualificationWithWorker") == before + 1  # nothing repeated
        assert lab.run("plan", "--detailed-exitcode").status == 0


def test_an_unreachable_target_is_a_clear_error(lab: Lab) -> None:
    config = lab.config()
    config["targets"]["emu"]["endpoint_url"] = "http://127.0.0.1:9"
    lab.write_config(config)
    run = lab.run("plan", AWS_MAX_ATTEMPTS="1")
    assert run.status == 1
    assert "Could not connect" in run.stderr
    assert_no_traceback(run)


def test_long_lists_are_summarised_unless_verbose(lab: Lab) -> None:
    lab.write_study("crowd", workers=[f"ACROWD{index:06d}" for index in range(45)])
    short = lab.run("plan")
    assert "... and 32 more (--verbose shows every change)" in short.stdout  # 20 of the pool's 52 shown
    every = lab.run("plan", "--verbose")
    assert "more (--verbose" not in every.stdout
    assert sum(line.lstrip().startswith("+ AC") for line in every.stdout.splitlines()) == 45


def test_text_output_to_a_log_masks_worker_ids_unless_asked(lab: Lab) -> None:
    logged = lab.run("plan")  # stdout is a pipe here, as in a CI log
    assert "AEXAMPLEWORKER0001" not in logged.stdout
    assert "AE…" in logged.stdout
    shown = lab.run("plan", "--show-worker-ids")
    assert "AEXAMPLEWORKER0001" in shown.stdout
