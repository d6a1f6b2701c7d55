"""Prolific end to end: the command line against the local Prolific over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.emulators.prolific import LocalProlific
from tests.e2e import dump_yaml, load_yaml
from tests.helpers import assert_no_traceback, exclusions
from tests.prolific_e2e import DECEPTION, GAMES, ProlificLab, local_prolific, participant, study_id

# Every submission of the example's two Prolific studies but the screened-out one (0004),
# and the participant listed directly (0007).
EXAMPLE_MEMBERS = {participant(n) for n in (1, 2, 3, 5, 6, 7)}


@pytest.fixture
def prolific(tmp_path: Path) -> Iterator[LocalProlific]:
    with local_prolific(tmp_path) as server:
        yield server


@pytest.fixture
def lab(tmp_path: Path, prolific: LocalProlific) -> ProlificLab:
    return ProlificLab(tmp_path / "lab", prolific)


def test_plan_apply_and_a_second_plan_with_no_changes(lab: ProlificLab) -> None:
    plan = lab.run("plan", "--detailed-exitcode")
    assert plan.status == 2, plan.output
    assert "Target: emu-prolific (Prolific)" in plan.stdout
    assert 'Pool deception  Prolific participant group (new) "Example Lab: took part' in plan.stdout
    assert '+ create participant group "Example Lab: took part in a deception study"' in plan.stdout
    assert "6 to add" in plan.stdout
    applied = lab.run("apply", "--auto-approve")
    assert applied.status == 0, applied.output
    assert "6 added" in applied.stdout
    assert lab.members() == EXAMPLE_MEMBERS
    again = lab.run("plan", "--detailed-exitcode")
    assert again.status == 0, again.output
    assert "No changes" in again.stdout
    # Each Prolific study's participants are captured into the repository like a HIT's workers.
    first = load_yaml(lab.locks / f"{study_id(1)}.yaml")
    # Closed (AWAITING REVIEW), yet not final: a researcher can add places to a closed study,
    # and Prolific never disposes of one, so its submissions are read again on every run.
    assert first["complete"] is False
    assert first["workers"] == [participant(1), participant(2), participant(3)]
    second = load_yaml(lab.locks / f"{study_id(2)}.yaml")
    assert second["complete"] is False  # still active
    assert_no_traceback(applied)


def test_membership_changes_are_additions_and_removals_never_a_patch(lab: ProlificLab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    lab.write_study("moral-dilemmas-2026", **{**lab.study("moral-dilemmas-2026"), "participants": []})
    assert lab.run("apply", "--auto-approve").status == 0
    assert lab.members() == EXAMPLE_MEMBERS - {participant(7)}
    methods = {(method, path.rsplit("/", 2)[-2]) for method, path, _ in lab.server.requests}
    assert ("POST", "participants") in methods
    assert ("DELETE", "participants") in methods
    assert all(method != "PATCH" for method, _, _ in lab.server.requests)
    # The six grants went out in one call.
    posts = [
        body for method, path, body in lab.server.requests if method == "POST" and "participants" in path
    ]
    assert len(posts[0]["participant_ids"]) == 6


def test_a_participant_joining_an_active_study_is_excluded_at_once(lab: ProlificLab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    lab.server.add_submission(study_id(2), participant(8), "RESERVED")
    assert lab.run("apply", "--auto-approve").status == 0
    assert participant(8) in lab.members()


def test_a_released_study_removes_its_participants(lab: ProlificLab) -> None:
    lab.write_study("other-deception", participants=[participant(20)])
    assert lab.run("apply", "--auto-approve").status == 0
    lab.write_study("moral-dilemmas-2026", **{**lab.study("moral-dilemmas-2026"), "status": "released"})
    planned = lab.run("plan", "--show-worker-ids")
    # Six of seven is over the pool's limit: the plan says so, and names the release as the cause
    # of each revocation (the study's participants come from its captured Prolific studies).
    assert "apply will refuse this plan unless" in planned.stdout
    assert planned.stdout.count("moral-dilemmas-2026 was released") == 6, planned.stdout
    run = lab.run("apply", "--auto-approve", "--allow-revoke", "6")
    assert run.status == 0, run.output
    assert "6 removed" in run.stdout
    assert lab.members() == {participant(20)}


def test_releasing_every_study_is_refused_by_the_safety_check(lab: ProlificLab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    lab.write_study("moral-dilemmas-2026", **{**lab.study("moral-dilemmas-2026"), "status": "released"})
    run = lab.run("apply", "--auto-approve")
    assert run.status == 1, run.output
    assert "empty" in run.output
    assert lab.members() == EXAMPLE_MEMBERS
    assert_no_traceback(run)


def test_exclude_after_counts_studies_and_the_group_holds_those_at_the_threshold(lab: ProlificLab) -> None:
    lab.write_study("game-a", pools=["economic-games"], participants=[participant(30), participant(31)])
    lab.write_study("game-b", pools=["economic-games"], participants=[participant(31), participant(32)])
    run = lab.run("apply", "--auto-approve")
    assert run.status == 0, run.output
    assert lab.members(GAMES) == {participant(31)}
    again = lab.run("plan", "--detailed-exitcode")
    assert again.status == 0, again.output


def test_a_saved_plan_gone_stale_is_refused(lab: ProlificLab) -> None:
    plan_file = lab.root / "p.plan.json"
    assert lab.run("plan", "--out", str(plan_file)).status == 0
    assert json.loads(plan_file.read_text())["platform"] == "Prolific"
    lab.server.create_group("000000000000000000000001", "someone else's group")
    group = lab.server.group_named("someone else's group")
    assert group is not None
    assert lab.run("apply", "--auto-approve").status == 0  # the lab's groups now exist
    run = lab.run("apply", str(plan_file))
    assert run.status == 1
    assert "stale plan" in run.output


def test_429_answers_are_retried_with_backoff(tmp_path: Path) -> None:
    with local_prolific(tmp_path, rate_limit=5.0) as server:
        lab = ProlificLab(tmp_path / "lab", server)
        run = lab.run("apply", "--auto-approve", PROLIFIC_MAX_ATTEMPTS="30")
        assert run.status == 0, run.output
        assert server.throttled > 0
        assert lab.members() == EXAMPLE_MEMBERS


def test_a_partly_failed_apply_says_what_failed_and_a_rerun_converges(lab: ProlificLab) -> None:
    lab.write_study("game-a", pools=["economic-games"], participants=[participant(30)])
    lab.write_study("game-b", pools=["economic-games"], participants=[participant(30)])
    # With no retries, the first addition of members fails and the other succeeds.
    lab.server.add_fault("POST members", nth=1, count=1, status=500)
    run = lab.run("apply", "--auto-approve", PROLIFIC_MAX_ATTEMPTS="1")
    assert run.status == 1, run.output
    failed_pool_members = lab.members() | lab.members(GAMES)
    assert failed_pool_members in ({participant(30)}, EXAMPLE_MEMBERS)
    assert "failed" in run.output
    assert_no_traceback(run)
    again = lab.run("apply", "--auto-approve")
    assert again.status == 0, again.output
    assert lab.members() == EXAMPLE_MEMBERS
    assert lab.members(GAMES) == {participant(30)}
    assert lab.run("plan", "--detailed-exitcode").status == 0


def test_a_member_listing_short_of_the_group_count_fails_closed(lab: ProlificLab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    lab.server.hidden_members = 1
    lab.write_study("moral-dilemmas-2026", **{**lab.study("moral-dilemmas-2026"), "participants": []})
    run = lab.run("apply", "--auto-approve")
    assert run.status == 1, run.output
    assert "the group reports 6" in run.output
    assert participant(7) in lab.members()  # nothing removed on a partial listing
    assert_no_traceback(run)


def test_many_members_are_read_page_by_page(tmp_path: Path) -> None:
    with local_prolific(tmp_path, page_size=7) as server:
        lab = ProlificLab(tmp_path / "lab", server)
        many = [participant(100 + n) for n in range(40)]
        lab.write_study("big", participants=many)
        assert lab.run("apply", "--auto-approve").status == 0
        assert lab.members() == EXAMPLE_MEMBERS | set(many)
        run = lab.run("plan", "--detailed-exitcode")
        assert run.status == 0, run.output
        assert server.counters()["GET members"] >= 7  # 46 members, 7 a page


def test_a_missing_token_is_a_clear_error(lab: ProlificLab) -> None:
    run = lab.run("plan", PROLIFIC_TOKEN="")
    assert run.status == 1
    assert "PROLIFIC_TOKEN" in run.output
    assert_no_traceback(run)


@pytest.mark.parametrize(
    ("key", "bad", "line"),
    [("prolific_studies", "AB0000000000000000000001", 8), ("participants", "aaaa0001", 8)],
)
def test_a_malformed_prolific_id_is_named_at_its_line(
    lab: ProlificLab, key: str, bad: str, line: int
) -> None:
    path = lab.write_study("typo", **{key: [bad]})
    run = lab.run("validate")
    assert run.status == 1, run.output
    assert f"exclusions/studies/typo.yaml:{line}:" in run.stdout, (run.stdout, path.read_text())
    assert_no_traceback(run)


def test_the_examples_embedded_local_prolific_needs_no_account(example_lab: Path) -> None:
    lab_run = ProlificLab.__new__(ProlificLab)
    lab_run.root = example_lab
    run = lab_run.run("apply", "--target", "local-prolific", "--auto-approve", PROLIFIC_TOKEN="")
    assert run.status == 0, run.output
    assert "6 added" in run.stdout
    again = lab_run.run("plan", "--target", "local-prolific", "--detailed-exitcode", PROLIFIC_TOKEN="")
    assert again.status == 0, again.output


def test_requirement_prints_the_blocklist_filter_of_the_pools_group(lab: ProlificLab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    run = lab.run("requirement", "deception")
    assert run.status == 0, run.output
    group_id = lab.server.group_named("Example Lab: took part in a deception study")
    assert json.loads(run.stdout) == {
        "filter_id": "participant_group_blocklist",
        "selected_values": [group_id],
    }


def test_audit_lists_active_studies_that_do_not_block_a_pools_group(lab: ProlificLab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    group_id = lab.server.group_named("Example Lab: took part in a deception study")
    blocking = [{"filter_id": "participant_group_blocklist", "selected_values": [group_id]}]
    lab.server.set_study_status(study_id(2), "COMPLETED")
    lab.server.add_study(study_id(50), "New deception study, blocked", filters=blocking)
    lab.server.add_study(study_id(51), "New deception study, open to everyone")
    lab.server.add_study(study_id(52), "Old study, finished", status="COMPLETED")
    run = lab.run("audit")
    assert run.status == 1, run.output
    assert study_id(51) in run.stdout
    assert study_id(50) not in run.stdout
    assert study_id(52) not in run.stdout
    assert "1 of 2 active Prolific studies" in run.output
    lab.server.set_study_status(study_id(51), "COMPLETED")
    assert lab.run("audit").status == 0


def test_import_adopts_an_existing_participant_group(lab: ProlificLab) -> None:
    existing = [participant(60), participant(61)]
    lab.server.create_group(
        "000000000000000000000001", "Example Lab: took part in a deception study", existing
    )
    run = lab.run("import", "deception", "--study", "hand-kept")
    assert run.status == 0, run.output
    assert lab.study("hand-kept")["participants"] == existing
    applied = lab.run("apply", "--auto-approve")
    assert applied.status == 0, applied.output
    assert lab.members() == EXAMPLE_MEMBERS | set(existing)


def test_a_member_added_on_prolific_is_kept_and_a_removed_participant_is_not(lab: ProlificLab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    group = lab.server.group_named(DECEPTION)
    assert group is not None
    lab.server.add_members(group, [participant(80)])  # added on Prolific's site, by hand
    lab.write_study("moral-dilemmas-2026", **{**lab.study("moral-dilemmas-2026"), "participants": []})
    plan = lab.run("plan", "--format", "json")
    assert plan.status == 0, plan.output
    (deception,) = [entry for entry in json.loads(plan.stdout)["pools"] if entry["pool"] == "deception"]
    assert [kept["id"] for kept in deception["kept"]] == [participant(80)]
    assert [(change["id"], change["cause"]) for change in deception["revoke"]] == [
        (
            participant(7),
            "listed at the last apply, in no study of this pool now: "
            "a line listing them, or their Prolific study, was removed from a study file",
        )
    ]
    assert lab.run("apply", "--auto-approve").status == 0
    assert lab.members() == (EXAMPLE_MEMBERS - {participant(7)}) | {participant(80)}


def test_lock_captures_every_prolific_study(lab: ProlificLab) -> None:
    run = lab.run("lock")
    assert run.status == 0, run.output
    assert sorted(path.name for path in lab.locks.iterdir()) == [
        f"{study_id(1)}.yaml",
        f"{study_id(2)}.yaml",
    ]
    assert load_yaml(lab.locks / f"{study_id(2)}.yaml")["workers"] == [participant(5), participant(6)]
    assert lab.members() == set()  # lock changes nothing on Prolific


def test_the_pull_request_comment_names_the_platform_and_masks_participant_ids(lab: ProlificLab) -> None:
    run = lab.run("plan", "--format", "markdown")
    assert run.status == 0, run.output
    assert "(Prolific)" in run.stdout
    for number in (1, 2, 3, 5, 6, 7):
        assert participant(number) not in run.stdout
    as_json = json.loads(lab.run("plan", "--format", "json").stdout)
    assert as_json["platform"] == "Prolific"


def test_an_error_naming_participants_masks_them(lab: ProlificLab) -> None:
    lab.server.add_fault("POST members", nth=1, count=1, status=500)
    run = lab.run("apply", "--auto-approve", PROLIFIC_MAX_ATTEMPTS="1")
    assert run.status == 1, run.output
    for number in (1, 2, 3, 5, 6, 7):
        assert participant(number) not in run.output


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        ({"seed": "missing.yaml"}, "does not exist"),
        ({"local": False}, "only read by the embedded local Prolific"),
        ({"workspace_id": "12345"}, "not a valid prolific ID"),
    ],
)
def test_a_wrong_prolific_target_is_named_at_its_line(
    example_lab: Path, edit: dict[str, object], fragment: str
) -> None:
    config_path = example_lab / "exclusions" / "config.yaml"
    config = load_yaml(config_path)
    config["targets"]["local-prolific"].update(edit)
    dump_yaml(config, config_path)
    config_path.write_text(
        "# yaml-language-server: $schema=../schemas/config.schema.json\n" + config_path.read_text()
    )
    run = exclusions("validate", cwd=example_lab)
    assert run.status == 1, run.output
    assert any(
        line.startswith("exclusions/config.yaml:") and fragment in line for line in run.stdout.splitlines()
    ), run.stdout


def test_the_token_is_never_printed(lab: ProlificLab) -> None:
    token = "secret-token-0123456789abcdef"
    lab.server.add_fault("GET groups", nth=1, count=1, status=500)
    run = lab.run("apply", "--auto-approve", PROLIFIC_TOKEN=token, PROLIFIC_MAX_ATTEMPTS="1")
    assert run.status == 1, run.output
    assert "Prolific answered 500" in run.output
    assert token not in run.output
    assert_no_traceback(run)
