"""How a plan reads HITs, end to end: one by one or in ListHITs pages, and an open HIT's
assignments only when its counts show a worker its capture lacks."""

from __future__ import annotations

from pathlib import Path

from tests.e2e import Lab, dump_yaml, emulator, load_yaml
from tests.helpers import assert_no_traceback

TRUST_1 = "3EXAMPLEHITTRUSTGAME0000000001"
TRUST_2 = "3EXAMPLEHITTRUSTGAME0000000002"
ULTIMATUM = "3EXAMPLEHITULTIMATUM0000000001"
EXAMPLE_HITS = (TRUST_1, TRUST_2, ULTIMATUM)


def test_open_hits_with_nothing_submitted_since_their_capture_are_not_listed_again(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        first = lab.run("plan")
        assert first.status == 0, first.output
        # Three open HITs to read for a lab that knows of three: one ListHITs page, not 3 GetHIT.
        assert (lab.calls("ListHITs"), lab.calls("GetHIT"), lab.calls("ListAssignmentsForHIT")) == (1, 0, 3)
        assert sorted(path.stem for path in lab.locks.glob("*.yaml")) == sorted(EXAMPLE_HITS)
        server.reset_counters()
        second = lab.run("plan")
        assert second.status == 0, second.output
        assert (lab.calls("ListHITs"), lab.calls("GetHIT"), lab.calls("ListAssignmentsForHIT")) == (1, 0, 0)
        assert second.stdout == first.stdout  # the same plan, from the captures


def test_a_hit_with_more_submissions_than_its_capture_is_read_again(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        assert lab.run("plan").status == 0
        # The capture as it was before the HIT's third worker submitted.
        path = lab.locks / f"{TRUST_1}.yaml"
        capture = load_yaml(path)
        assert "AEXAMPLEWORKER0007" in capture["workers"] and capture["hit_submitted"] == 3
        capture["workers"].remove("AEXAMPLEWORKER0007")
        capture["hit_submitted"] = 2
        dump_yaml(capture, path)
        server.reset_counters()
        run = lab.run("plan")
        assert run.status == 0, run.output
        # Only that HIT's assignments are listed; the worker is captured again.
        assert (lab.calls("ListHITs"), lab.calls("ListAssignmentsForHIT")) == (1, 1)
        assert "AEXAMPLEWORKER0007" in load_yaml(path)["workers"]
        assert load_yaml(path)["hit_submitted"] == 3


def test_a_single_hit_to_read_is_asked_for_on_its_own(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        for study in lab.studies.glob("*.yaml"):
            study.unlink()
        lab.write_study("one-hit", hits=[TRUST_2])
        run = lab.run("plan")
        assert run.status == 0, run.output
        assert (lab.calls("ListHITs"), lab.calls("GetHIT"), lab.calls("ListAssignmentsForHIT")) == (0, 1, 1)
        assert load_yaml(lab.locks / f"{TRUST_2}.yaml")["workers"] == [
            "AEXAMPLEWORKER0008",
            "AEXAMPLEWORKER0009",
        ]


def test_a_failed_hit_listing_aborts_the_apply_and_changes_nothing(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        server.add_scripted_fault("ListHITs", nth=1, count=50)
        run = lab.run("apply", "--auto-approve")
        assert run.status == 1
        assert "ListHITs failed" in run.stderr and "nothing was changed" in run.stderr
        assert_no_traceback(run)
        assert lab.calls("AssociateQualificationWithWorker") == 0
        assert lab.calls("CreateQualificationType") == 0
