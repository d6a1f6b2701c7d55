"""The requirement that keeps a pool out of a new HIT, and the audit of open HITs, end to end."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from reconciler.core.audit import audit_hits, is_open
from reconciler.core.live import HitRequirement, LiveHit
from reconciler.kinds.mturk import MTURK
from tests.e2e import Lab, emulator
from tests.helpers import assert_no_traceback

QUESTION = (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
    '2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.org/study</ExternalURL>'
    "<FrameHeight>600</FrameHeight></ExternalQuestion>"
)
OK_LINE = "OK: all"


def create_hit(lab: Lab, title: str, requirements: list[dict[str, Any]], lifetime: int = 86400) -> str:
    answer = lab.client().create_hit(
        Title=title,
        Description="A study of the lab",
        Reward="0.50",
        MaxAssignments=5,
        LifetimeInSeconds=lifetime,
        AssignmentDurationInSeconds=600,
        Question=QUESTION,
        QualificationRequirements=requirements,
    )
    return str(answer["HIT"]["HITId"])


def keeps_out(type_id: str, comparator: str = "DoesNotExist", **extra: Any) -> dict[str, Any]:
    return {"QualificationTypeId": type_id, "Comparator": comparator, **extra}


def applied_lab(tmp_path: Path, server: Any) -> Lab:
    lab = Lab(tmp_path / "lab", server)
    run = lab.run("apply", "--auto-approve")
    assert run.status == 0, run.output
    return lab


def reported_line(run_stdout: str, hit_id: str) -> str:
    lines = [line for line in run_stdout.splitlines() if hit_id in line]
    assert len(lines) == 1, run_stdout
    return lines[0]


# --- requirement ----------------------------------------------------------------------------


def test_requirement_prints_the_does_not_exist_requirement_in_every_format(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = applied_lab(tmp_path, server)
        type_id = lab.type_id("deception")
        expected = {
            "QualificationTypeId": type_id,
            "Comparator": "DoesNotExist",
            "ActionsGuarded": "DiscoverPreviewAndAccept",
        }
        run = lab.run("requirement", "deception")
        assert run.status == 0, run.output
        assert json.loads(run.stdout) == expected
        assert run.stderr == ""

        python = lab.run("requirement", "deception", "--format", "python")
        assert python.status == 0, python.output
        assert ast.literal_eval(python.stdout) == expected
        # usable as written inside QualificationRequirements=[...]
        assert ast.literal_eval(f"[{python.stdout}]") == [expected]

        yaml = lab.run("requirement", "deception", "--format", "yaml")
        assert yaml.status == 0, yaml.output
        assert YAML(typ="safe").load(yaml.stdout) == expected

        accept = lab.run("requirement", "economic-games", "--actions-guarded", "Accept")
        assert json.loads(accept.stdout) == {
            "QualificationTypeId": lab.type_id("economic-games"),
            "Comparator": "DoesNotExist",
            "ActionsGuarded": "Accept",
        }
        bad = lab.run("requirement", "deception", "--actions-guarded", "Everything")
        assert bad.status == 1 and bad.stdout == ""
        assert_no_traceback(bad)


def test_the_printed_requirement_is_accepted_by_create_hit(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = applied_lab(tmp_path, server)
        requirement = json.loads(lab.run("requirement", "deception").stdout)
        hit_id = create_hit(lab, "Trust game (session 3)", [requirement])
        hit = lab.client().get_hit(HITId=hit_id)["HIT"]
        assert hit["QualificationRequirements"] == [requirement]
        assert lab.run("audit").status == 0


def test_requirement_before_apply_tells_to_apply_first(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        run = lab.run("requirement", "deception")
        assert run.status == 1
        assert run.stdout == ""
        assert "no qualification type on target 'emu' yet" in run.stderr
        assert "exclusions apply" in run.stderr
        assert_no_traceback(run)
        assert lab.calls("CreateQualificationType") == 0  # read-only


def test_requirement_of_an_unknown_pool_fails(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = applied_lab(tmp_path, server)
        run = lab.run("requirement", "no-such-pool")
        assert run.status == 1
        assert run.stdout == ""
        assert "no pool named 'no-such-pool'" in run.stderr
        assert "deception, economic-games" in run.stderr
        assert_no_traceback(run)


def test_requirement_uses_the_pinned_type_without_looking_it_up(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        pinned = lab.client().create_qualification_type(
            Name="Hand-made prior participants", Description="kept by hand", QualificationTypeStatus="Active"
        )["QualificationType"]["QualificationTypeId"]
        config = lab.config()
        config["pools"]["deception"]["qualification_type_id"] = {"emu": pinned}
        lab.write_config(config)
        server.reset_counters()
        run = lab.run("requirement", "deception")
        assert run.status == 0, run.output
        assert json.loads(run.stdout)["QualificationTypeId"] == pinned
        assert lab.calls("ListQualificationTypes") == 0


def test_requirement_and_audit_explain_themselves(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        requirement = lab.run("requirement", "--help")
        assert requirement.status == 0
        assert "DoesNotExist" in requirement.stdout and "Example:" in requirement.stdout
        assert "exclusions requirement deception" in requirement.stdout
        audit = lab.run("audit", "--help")
        assert audit.status == 0
        assert "Example:" in audit.stdout and "exclusions audit" in audit.stdout


# --- audit ----------------------------------------------------------------------------------


def test_audit_reports_open_hits_without_a_protecting_requirement(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = applied_lab(tmp_path, server)
        deception, games = lab.type_id("deception"), lab.type_id("economic-games")
        covered = create_hit(lab, "Covered by deception", [keeps_out(deception)])
        covered_games = create_hit(
            lab, "Covered by games, preview only", [keeps_out(games, ActionsGuarded="Accept")]
        )
        bare = create_hit(lab, "Nobody thought of it", [])
        less_than = create_hit(lab, "Counted the games", [keeps_out(games, "LessThan", IntegerValues=[2])])
        exists = create_hit(lab, "Only repeaters", [keeps_out(deception, "Exists")])

        run = lab.run("audit")
        assert run.status == 1, run.output
        assert_no_traceback(run)
        assert OK_LINE not in run.output
        for hit_id in (covered, covered_games):
            assert hit_id not in run.stdout
        assert "Nobody thought of it" in reported_line(run.stdout, bare)
        assert "no pool's DoesNotExist requirement" in reported_line(run.stdout, bare)
        # A requirement on the type with another comparator is reported as not protecting.
        assert "Counted the games" in reported_line(run.stdout, less_than)
        assert "economic-games: LessThan does not protect (needs DoesNotExist)" in run.stdout
        assert "deception: Exists does not protect (needs DoesNotExist)" in run.stdout
        assert "Only repeaters" in reported_line(run.stdout, exists)
        assert "Created (UTC)" in run.stdout and "Expires (UTC)" in run.stdout
        assert "3 of 5 open HITs on target 'emu' lack" in run.stderr


def test_audit_passes_when_every_open_hit_is_covered(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = applied_lab(tmp_path, server)
        requirement = json.loads(lab.run("requirement", "economic-games").stdout)
        create_hit(lab, "Covered", [requirement])
        run = lab.run("audit")
        assert run.status == 0, run.output
        # The example's three seeded HITs are all submitted: listed, but no longer open.
        assert (
            "OK: all 1 open HITs on target 'emu' keep the pools' workers out (4 HITs listed)." in run.stdout
        )
        assert run.stderr == ""


def test_audit_with_required_pools_wants_each_of_them(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = applied_lab(tmp_path, server)
        config = lab.config()
        config["audit"] = {"required_pools": ["deception", "economic-games"]}
        lab.write_config(config)
        deception, games = lab.type_id("deception"), lab.type_id("economic-games")
        both = create_hit(lab, "Both pools", [keeps_out(games), keeps_out(deception)])
        only_deception = create_hit(lab, "Deception only", [keeps_out(deception)])
        wrong_games = create_hit(
            lab, "Games by value", [keeps_out(deception), keeps_out(games, "LessThan", IntegerValues=[2])]
        )
        run = lab.run("audit")
        assert run.status == 1, run.output
        assert both not in run.stdout
        assert "economic-games: no requirement" in reported_line(run.stdout, only_deception)
        assert "economic-games: LessThan does not protect" in reported_line(run.stdout, wrong_games)
        assert "each of: deception, economic-games" in run.stderr

        config["audit"] = {"required_pools": ["deception"]}
        lab.write_config(config)
        assert lab.run("audit").status == 0


def test_a_pool_without_a_type_counts_as_missing_on_every_hit(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        # A type of the lab's own, made by hand: the pools' types do not exist yet.
        other = lab.client().create_qualification_type(
            Name="Something else", Description="not a pool", QualificationTypeStatus="Active"
        )["QualificationType"]["QualificationTypeId"]
        hit_id = create_hit(lab, "Before the first apply", [keeps_out(other)])
        server.reset_counters()
        run = lab.run("audit")
        assert run.status == 1, run.output
        line = reported_line(run.stdout, hit_id)
        assert "no pool's DoesNotExist requirement" in line
        assert "deception: no qualification type on this target yet" in run.stdout
        assert "pool 'deception' has no qualification type on target 'emu' yet" in run.stderr
        assert "run exclusions apply" in run.stderr
        assert lab.calls("CreateQualificationType") == 0  # read-only

        config = lab.config()
        config["audit"] = {"required_pools": ["economic-games"]}
        lab.write_config(config)
        required = lab.run("audit")
        assert required.status == 1
        assert "economic-games: no qualification type on this target yet" in reported_line(
            required.stdout, hit_id
        )


def test_expired_and_disposed_hits_are_not_reported(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = applied_lab(tmp_path, server)
        short = create_hit(lab, "Short-lived", [], lifetime=60)
        assert lab.run("audit").status == 1
        server.set_clock(server.now() + timedelta(hours=1))  # expired: Reviewable, still listed
        run = lab.run("audit")
        assert run.status == 0, run.output
        assert short not in run.stdout
        assert (
            "OK: all 0 open HITs on target 'emu' keep the pools' workers out (4 HITs listed)." in run.stdout
        )

        long_lived = create_hit(lab, "Open a long time", [], lifetime=200 * 86400)
        assert long_lived in lab.run("audit").stdout
        server.set_clock(server.now() + timedelta(days=121))  # disposed: gone from ListHITs
        gone = lab.run("audit")
        assert gone.status == 0, gone.output
        assert "(0 HITs listed)" in gone.stdout


def test_audit_reads_every_page_of_hits(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = applied_lab(tmp_path, server)
        client = lab.client()
        requirement = json.loads(lab.run("requirement", "deception").stdout)
        hit_type = client.create_hit_type(
            Title="Many sessions",
            Description="One of many",
            Reward="0.10",
            AssignmentDurationInSeconds=600,
            QualificationRequirements=[requirement],
        )["HITTypeId"]
        for _ in range(105):
            client.create_hit_with_hit_type(
                HITTypeId=hit_type, MaxAssignments=1, LifetimeInSeconds=86400, Question=QUESTION
            )
        # Created last, so it is on the second page of 100.
        leak = create_hit(lab, "The last one", [])
        server.reset_counters()
        run = lab.run("audit")
        assert run.status == 1, run.output
        assert leak in run.stdout
        assert "1 of 106 open HITs" in run.stderr
        assert lab.calls("ListHITs") == 2

        # A failure on the second page fails the audit; nothing from the first page is reported.
        server.add_scripted_fault("ListHITs", nth=2, count=10)
        failed = lab.run("audit")
        assert failed.status == 1
        assert failed.stdout == ""
        assert "ListHITs failed on target 'emu'" in failed.stderr
        assert_no_traceback(failed)


def test_a_failed_listing_is_never_reported_as_all_good(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = applied_lab(tmp_path, server)
        requirement = json.loads(lab.run("requirement", "deception").stdout)
        create_hit(lab, "Covered", [requirement])
        server.add_scripted_fault("ListHITs", nth=1, count=10)
        run = lab.run("audit")
        assert run.status == 1
        assert_no_traceback(run)
        assert OK_LINE not in run.output
        assert run.stdout == ""
        assert "ListHITs failed on target 'emu': ServiceFault" in run.stderr
        assert "cannot tell whether" in run.stderr
        server.clear_scripted_faults()
        assert lab.run("audit").status == 0


def test_a_failed_type_lookup_fails_the_audit(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = applied_lab(tmp_path, server)
        server.reset_counters()  # the apply's plan lists HITs too; only the audit's calls count
        # Applied, the pools' types are recorded (locks/<target>/pools.yaml) and read by ID.
        server.add_scripted_fault("GetQualificationType", nth=1, count=10)
        run = lab.run("audit")
        assert run.status == 1
        assert run.stdout == ""
        assert "GetQualificationType failed" in run.stderr
        assert lab.calls("ListHITs") == 0


# --- the pure check -------------------------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def live_hit(
    hit_id: str,
    *requirements: HitRequirement,
    status: str = "Assignable",
    expires_in: timedelta | None = timedelta(days=1),
) -> LiveHit:
    expiration = None if expires_in is None else NOW + expires_in
    return LiveHit(hit_id, f"HIT {hit_id}", status, NOW - timedelta(days=1), expiration, requirements)


def test_only_hits_workers_can_still_take_are_open() -> None:
    assert is_open(live_hit("A"), NOW)
    assert is_open(live_hit("B", status="Unassignable"), NOW)
    assert is_open(live_hit("C", expires_in=None), NOW)
    # MTurk may still say Assignable for a moment after the expiration: not open.
    assert not is_open(live_hit("D", expires_in=timedelta(seconds=-1)), NOW)
    for status in ("Reviewable", "Reviewing", "Disposed"):
        assert not is_open(live_hit("E", status=status), NOW)


def test_the_check_counts_only_does_not_exist_on_the_pools_type() -> None:
    types: dict[str, str | None] = {"deception": "TDECEPTION", "games": "TGAMES"}
    hits = [
        live_hit("COVERED", HitRequirement("TGAMES", "DoesNotExist", "Accept")),
        live_hit("OTHERTYPE", HitRequirement("TOTHER", "DoesNotExist", "Accept")),
        live_hit(
            "BOTH",
            HitRequirement("TDECEPTION", "LessThan", "Accept"),
            HitRequirement("TDECEPTION", "DoesNotExist", "Accept"),
        ),
        live_hit("CLOSED", status="Reviewable"),
    ]
    result = audit_hits(types, (), hits, NOW, MTURK)
    assert (result.listed, result.open_hits) == (4, 3)
    assert [f.hit.hit_id for f in result.findings] == ["OTHERTYPE"]
    assert result.pools_without_type == ()

    required = audit_hits(
        {"deception": "TDECEPTION", "games": None}, ("deception", "games"), hits, NOW, MTURK
    )
    assert {f.hit.hit_id: f.missing for f in required.findings} == {
        "COVERED": ("deception: no requirement", "games: no qualification type on this target yet"),
        "OTHERTYPE": ("deception: no requirement", "games: no qualification type on this target yet"),
        "BOTH": ("games: no qualification type on this target yet",),
    }
    assert required.pools_without_type == ("games",)
