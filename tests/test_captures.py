"""Capturing workers before MTurk forgets them: disposal, captures, lock and import, end to end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.e2e import Lab, emulator, iso, load_yaml
from tests.helpers import assert_no_traceback

NOW = datetime.now(UTC).replace(microsecond=0)
ALIVE = "3CAPTUREALIVE00000000000000001"
GONE = "3CAPTUREGONE000000000000000001"
FRESH = "3CAPTUREFRESH00000000000000001"
OLD = "3CAPTUREOLD0000000000000000001"


def seed_hit(hit_id: str, workers: list[str], *, age_days: float, lifetime_days: float = 3) -> dict[str, Any]:
    return {
        "hit_id": hit_id,
        "created": iso(NOW - timedelta(days=age_days)),
        "lifetime_seconds": int(lifetime_days * 86400),
        "max_assignments": max(1, len(workers)),
        "assignments": [{"worker_id": worker, "status": "Approved"} for worker in workers],
    }


def write_capture(lab: Lab, hit_id: str, workers: list[str], **fields: Any) -> Path:
    lab.locks.mkdir(parents=True, exist_ok=True)
    path = lab.locks / f"{hit_id}.yaml"
    document = {
        "format_version": 1,
        "target": "emu",
        "hit_id": hit_id,
        "read_at": iso(NOW - timedelta(days=1)),
        "complete": False,
        "workers": sorted(workers),
        **fields,
    }
    lines = ["# yaml-language-server: $schema=../../../schemas/capture.schema.json"]
    for key, value in document.items():
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines.extend(f"  - {item}" for item in value)
        elif isinstance(value, bool):
            lines.append(f"{key}: {'true' if value else 'false'}")
        else:
            lines.append(f"{key}: {value}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_disposed_hit_is_served_from_its_capture_and_the_capture_becomes_final(tmp_path: Path) -> None:
    seed = {"hits": [seed_hit(GONE, ["AGONEWORKER01"], age_days=130)]}
    with emulator(tmp_path, seed) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("old-study", hits=[GONE])
        capture = write_capture(lab, GONE, ["AGONEWORKER01", "AGONEWORKER02"])
        run = lab.run("apply", "--auto-approve")
        assert run.status == 0, run.output
        holders = lab.holders("deception")
        assert {"AGONEWORKER01", "AGONEWORKER02"} <= holders.keys()
        final = load_yaml(capture)
        assert final["complete"] is True and final["hit_status"] == "Disposed"
        assert final["workers"] == ["AGONEWORKER01", "AGONEWORKER02"]
        server.reset_counters()
        assert lab.run("plan", "--detailed-exitcode").status == 0
        # A complete capture is never read again: only the example's three open HITs are, from one
        # ListHITs page (fewer calls than three GetHIT).
        assert (lab.calls("ListHITs"), lab.calls("GetHIT")) == (1, 0)


def test_a_disposed_hit_without_a_capture_fails_the_plan_at_the_study_line(tmp_path: Path) -> None:
    seed = {"hits": [seed_hit(GONE, ["AGONEWORKER01"], age_days=130)]}
    with emulator(tmp_path, seed) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("old-study", hits=[ALIVE, GONE])  # written as: hits: then one line each
        run = lab.run("plan")
        assert run.status == 1
        assert_no_traceback(run)
        lines = (lab.studies / "old-study.yaml").read_text().splitlines()
        line = next(number for number, text in enumerate(lines, 1) if GONE in text)
        assert f"exclusions/studies/old-study.yaml:{line}:" in run.stderr
        assert "never captured" in run.stderr and "workers:" in run.stderr
        assert lab.calls("CreateQualificationType") == 0


def test_a_capture_never_loses_a_worker_when_mturk_returns_fewer(tmp_path: Path) -> None:
    seed = {"hits": [seed_hit(ALIVE, ["AKEPT0000001"], age_days=1, lifetime_days=30)]}
    with emulator(tmp_path, seed) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("live-study", hits=[ALIVE])
        capture = write_capture(lab, ALIVE, ["AKEPT0000001", "AKEPT0000002"])
        run = lab.run("apply", "--auto-approve")
        assert run.status == 0, run.output
        assert load_yaml(capture)["workers"] == ["AKEPT0000001", "AKEPT0000002"]
        assert {"AKEPT0000001", "AKEPT0000002"} <= lab.holders("deception").keys()


def test_a_capture_old_enough_to_be_disposed_is_not_asked_about(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("old-study", hits=[OLD])
        capture = write_capture(lab, OLD, ["AOLDWORKER001"], hit_created=iso(NOW - timedelta(days=121)))
        run = lab.run("plan")
        assert run.status == 0, run.output
        # The example's three HITs only, from one ListHITs page; the old one is never asked about.
        assert (lab.calls("ListHITs"), lab.calls("GetHIT")) == (1, 0)
        assert load_yaml(capture)["complete"] is True


def test_an_expired_hit_is_read_again_until_disposed_and_a_late_worker_is_excluded(tmp_path: Path) -> None:
    """MTurk can extend an expired HIT and add assignments: its capture is not final until
    disposal, and a worker who takes part after the extension is captured and excluded."""
    seed = {"hits": [seed_hit(FRESH, ["AFRESHWORKER1"], age_days=10, lifetime_days=1)]}
    with emulator(tmp_path, seed) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("fresh", hits=[FRESH])
        assert lab.run("apply", "--auto-approve").status == 0
        capture = load_yaml(lab.locks / f"{FRESH}.yaml")
        assert capture["complete"] is False and capture["workers"] == ["AFRESHWORKER1"]
        assert capture["hit_created"].startswith(iso(NOW - timedelta(days=10))[:10])
        client = lab.client()
        client.create_additional_assignments_for_hit(HITId=FRESH, NumberOfAdditionalAssignments=1)
        client.update_expiration_for_hit(HITId=FRESH, ExpireAt=NOW + timedelta(days=1))
        server.take_part(FRESH, "AFRESHWORKER2")
        server.reset_counters()
        plan = lab.run("plan", "--detailed-exitcode")
        assert plan.status == 2, plan.output  # the late worker is to be excluded
        # All four HITs' states from one ListHITs page; only the extended HIT's counts changed
        # since its capture, so only its assignments are listed again.
        assert (lab.calls("ListHITs"), lab.calls("GetHIT")) == (1, 0)
        assert lab.calls("ListAssignmentsForHIT") == 1
        assert lab.run("apply", "--auto-approve").status == 0
        assert {"AFRESHWORKER1", "AFRESHWORKER2"} <= lab.holders("deception").keys()
        assert load_yaml(lab.locks / f"{FRESH}.yaml")["workers"] == ["AFRESHWORKER1", "AFRESHWORKER2"]
        # Once MTurk disposes of the HIT, the capture is final.
        server.set_clock(NOW + timedelta(days=111))
        assert lab.run("lock").status == 0
        assert load_yaml(lab.locks / f"{FRESH}.yaml")["complete"] is True


def test_plan_warns_about_a_hit_close_to_disposal_and_lock_can_fail_on_it(tmp_path: Path) -> None:
    seed = {"hits": [seed_hit(ALIVE, ["ALATEWORKER01"], age_days=110, lifetime_days=365)]}
    with emulator(tmp_path, seed) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("late", hits=[ALIVE])
        run = lab.run("plan")
        assert run.status == 0
        assert f"HIT {ALIVE} (late) will be disposed of by MTurk in 9 days" in run.stdout
        assert lab.run("lock", "--fail-within", "7").status == 0
        late = lab.run("lock", "--fail-within", "14")
        assert late.status == 1
        assert ALIVE in late.stderr and "within 14 days" in late.stderr


def test_lock_captures_every_study_deterministically(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("released-one", status="released", hits=["3EXAMPLEHITULTIMATUM0000000001"])
        run = lab.run("lock")
        assert run.status == 0, run.output
        assert "3 HITs: 3 capture files written" in run.stdout
        files = sorted(lab.locks.iterdir())
        assert [f.name for f in files] == [
            "3EXAMPLEHITTRUSTGAME0000000001.yaml",
            "3EXAMPLEHITTRUSTGAME0000000002.yaml",
            "3EXAMPLEHITULTIMATUM0000000001.yaml",
        ]
        first = files[0].read_text()
        assert first.startswith("# yaml-language-server: $schema=../../../schemas/capture.schema.json\n")
        assert load_yaml(files[0])["workers"] == sorted(load_yaml(files[0])["workers"])
        before = {f.name: f.read_text() for f in files}
        again = lab.run("lock")
        assert again.status == 0
        assert "0 capture files written" in again.stdout
        assert {f.name: f.read_text() for f in files} == before  # nothing changed: no git noise
        assert lab.run("validate").status == 0


def test_import_adopts_an_existing_qualification_without_revoking_anyone(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        name = lab.config()["pools"]["deception"]["name"]
        client = lab.client()
        type_id = client.create_qualification_type(
            Name=name,
            Description=lab.config()["pools"]["deception"]["description"],
            QualificationTypeStatus="Active",
            Keywords=lab.config()["pools"]["deception"]["keywords"],
        )["QualificationType"]["QualificationTypeId"]
        for worker in ("ALEGACY00003", "ALEGACY00001", "ALEGACY00002"):
            client.associate_qualification_with_worker(
                QualificationTypeId=type_id, WorkerId=worker, IntegerValue=1, SendNotification=False
            )
        run = lab.run("import", "deception", "--study", "legacy-holders")
        assert run.status == 0, run.output
        study = lab.study("legacy-holders")
        assert study["workers"] == ["ALEGACY00001", "ALEGACY00002", "ALEGACY00003"]
        assert study["pools"] == ["deception"] and study["status"] == "active"
        assert (lab.studies / "legacy-holders.yaml").read_text().startswith("# yaml-language-server:")
        plan = lab.run("plan", "--format", "json")
        assert '"revoke": 0' in plan.stdout
        again = lab.run("import", "deception", "--study", "legacy-holders")
        assert again.status == 1 and "exists already" in again.stderr
