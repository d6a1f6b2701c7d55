"""Faults: plan and apply against a local MTurk that fails, throttles, loses pages and forgets HITs.

Complements tests/test_plan_apply.py (one throttled apply, one grant failing beyond its retries,
a holders and an assignments read failing) and tests/test_captures.py (a disposed HIT served
from its capture, or failing the plan at the study's line) with larger and seeded campaigns.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

import pytest

from tests.e2e import Lab, emulator, iso, load_yaml
from tests.helpers import EXAMPLE
from tests.reliability import (
    MUTATING,
    assert_clean_failure,
    desired_holders,
    hit_workers,
    live_holders,
    lost_exclusions,
    record,
    wrong_revocations,
)

NOW = datetime.now(UTC).replace(microsecond=0)
DECEPTION = load_yaml(EXAMPLE / "config.yaml")["pools"]["deception"]
FAILED_LINE = re.compile(r"^\s*failed: (grant|update|revoke) (\S+) in pool '([^']+)': (.*)$")


def seeded_type(holders: dict[str, int]) -> dict[str, Any]:
    """The deception pool's qualification type as it exists already, with these holders."""
    return {
        "qualification_types": [
            {
                "name": DECEPTION["name"],
                "description": DECEPTION["description"],
                "keywords": DECEPTION["keywords"],
                "holders": [{"worker_id": w, "value": v} for w, v in sorted(holders.items())],
            }
        ]
    }


def fault_totals(counters: dict[str, dict[str, int]]) -> dict[str, int]:
    calls = sum(sum(c.values()) for c in counters.values())
    failed = sum(c["failed"] for c in counters.values())
    throttled = sum(c["throttled"] for c in counters.values())
    return {"calls": calls, "failed": failed, "throttled": throttled}


# --- 20% of requests failing: a 2,000-worker change completes --------------------------------

ATTEMPTS = "25"


def test_a_2000_worker_change_completes_with_a_fifth_of_requests_failing(tmp_path: Path) -> None:
    """Retries are sized to the fault rate: with 64 threads the order in which calls draw from
    the seeded faults varies, so each call must survive any draw. The client paces itself below
    the emulator's rate limit (120 < 150 requests/s), so only the scripted throttles and the
    20% faults fail attempts, and with 25 attempts the chance that any of the ~2,600 calls
    fails every one is about 2,600 x 0.2^25, i.e. 1e-14. (With 10 attempts and the client
    unpaced, throttling on top of the faults exhausted 3 calls on a fresh clone now and then.)"""
    workers = [f"AFAULTY{index:07d}" for index in range(2000)]
    with emulator(tmp_path, fail_rate=0.2, fault_seed=2026, rate_limit=150) as server:
        lab = Lab(tmp_path / "lab", server, max_concurrency=64, rate_limit=120)
        lab.write_study("big-change", workers=workers)
        # Throttling for sure, whatever the speed of the machine: 3 bursts of refused grants.
        for nth in (50, 700, 1400):
            server.add_scripted_fault(
                "AssociateQualificationWithWorker", nth=nth, count=8, error="ThrottlingException"
            )
        desired = desired_holders(lab, hit_workers(server))
        plan = lab.run("plan", "--format", "json", AWS_MAX_ATTEMPTS=ATTEMPTS)
        applied = lab.run("apply", "--auto-approve", AWS_MAX_ATTEMPTS=ATTEMPTS)
        after = lab.run("plan", "--detailed-exitcode", AWS_MAX_ATTEMPTS=ATTEMPTS)
        totals = fault_totals(server.counters())
        server.set_faults(fail_rate=0, rate_limit=0)
        lost = lost_exclusions(lab, desired)
        record(
            "fault_run",
            test="faults",
            scenario="2,000 grants, fail_rate 0.2, rate limit 150/s (client 120/s), 24 scripted throttles",
            **totals,
            outcome="converged" if applied.status == 0 and after.status == 0 else "failed",
            lost_exclusions=len(lost),
            wrong_revocations=len(wrong_revocations(lab, desired)),
        )
        assert plan.status == 0, plan.output
        assert json.loads(plan.stdout)["summary"]["grant"] == 2000 + 8
        assert applied.status == 0, applied.output
        assert "Apply complete: 2008 granted" in applied.stdout
        assert after.status == 0, after.output  # the following plan shows no changes
        assert live_holders(lab) == desired
        assert lost == []
        assert totals["failed"] >= 0.15 * totals["calls"], totals
        assert totals["throttled"] >= 24, totals


# --- failures beyond the retries: exactly what failed is reported, and a re-run converges -----


def failed_changes(stderr: str) -> set[tuple[str, str, str]]:
    found = set()
    for line in stderr.splitlines():
        match = FAILED_LINE.match(line)
        if match:
            found.add((match.group(1), match.group(2), match.group(3)))
    return found


def missing_changes(lab: Lab, desired: dict[str, dict[str, int]]) -> set[tuple[str, str, str]]:
    """The changes still to make, as apply's report must name them."""
    live = live_holders(lab)
    missing = set()
    for pool, wanted in desired.items():
        held = live[pool]
        missing |= {("grant", w, pool) for w in wanted if w not in held}
        missing |= {("update", w, pool) for w in wanted if w in held and held[w] != wanted[w]}
        missing |= {("revoke", w, pool) for w in held if w not in wanted}
    return missing


EXHAUSTED = [
    # (seed, attempts, concurrency): every scripted fault fails one call, so with one attempt
    # each fault is one failed change; with three, a fault of count 3 exhausts a change's retries
    # and one of count 2 is retried away (run one at a time so the retries hit the same change).
    (11, 1, 8),
    (12, 1, 4),
    (13, 3, 1),
]


@pytest.mark.parametrize(("seed", "attempts", "concurrency"), EXHAUSTED)
def test_failures_beyond_the_retries_are_reported_exactly_and_a_rerun_converges(
    tmp_path: Path, seed: int, attempts: int, concurrency: int
) -> None:
    rng = Random(seed)
    kept = [f"AKEPT{seed:02d}X{i:04d}" for i in range(60)]
    gone = [f"AGONE{seed:02d}X{i:04d}" for i in range(30)]
    twice = [f"ATWICE{seed:02d}X{i:04d}" for i in range(10)]
    new = [f"ANEW{seed:02d}X{i:04d}" for i in range(60)]
    holders = {w: 1 for w in kept + gone + twice}
    with emulator(tmp_path, seeded_type(holders)) as server:
        lab = Lab(tmp_path / "lab", server, max_concurrency=concurrency)
        lab.write_study("kept", workers=kept + twice)
        lab.write_study("second", workers=twice)
        lab.write_study("released", status="released", workers=gone)
        lab.write_study("new", workers=new)
        desired = desired_holders(lab, hit_workers(server))
        grants = len(new) + len(twice) + 8  # and the example's 7 + 1
        step = attempts
        for operation, calls, failures in (
            ("AssociateQualificationWithWorker", grants, rng.randint(3, 8)),
            ("DisassociateQualificationFromWorker", len(gone), rng.randint(2, 5)),
        ):
            slots = sorted(rng.sample(range(calls), failures))
            for shift, slot in enumerate(slots):
                # Each earlier exhausted change took `attempts` calls instead of one.
                server.add_scripted_fault(operation, nth=slot + 1 + shift * (step - 1), count=step)
        if attempts > 1:  # a fault the retries absorb: never reported, nothing left undone
            server.add_scripted_fault("ListWorkersWithQualificationType", nth=1, count=attempts - 1)
        run = lab.run(
            "apply",
            "--auto-approve",
            "--allow-revoke",
            str(len(gone)),
            "--show-worker-ids",
            AWS_MAX_ATTEMPTS=str(attempts),
        )
        reported = failed_changes(run.stderr)
        left = missing_changes(lab, desired)
        wrong_first = wrong_revocations(lab, desired, holders_by_pool(holders))
        server.clear_scripted_faults()
        rerun_args = ["--allow-revoke", str(sum(k == "revoke" for k, _, _ in left))] if left else []
        rerun = lab.run("apply", "--auto-approve", *rerun_args)
        after = lab.run("plan", "--detailed-exitcode")
        lost = lost_exclusions(lab, desired)
        record(
            "fault_run",
            test="faults",
            scenario=f"grants and revocations failing beyond {attempts} attempt(s), concurrency {concurrency}",
            **fault_totals(server.counters()),
            failed_changes=len(reported),
            outcome="exit 1, re-run converged" if run.status == 1 and after.status == 0 else "failed",
            lost_exclusions=len(lost),
            wrong_revocations=len(wrong_first),
        )
        assert_clean_failure(run)
        assert reported, run.stderr
        assert reported == left  # exactly the changes that failed, no more and no fewer
        counts = re.search(r"; (\d+) failed, 0 not attempted\.", run.stderr)
        assert counts is not None and int(counts.group(1)) == len(left), run.stderr
        assert wrong_first == []
        assert rerun.status == 0, rerun.output
        assert after.status == 0, after.output
        assert live_holders(lab) == desired and lost == []


def holders_by_pool(holders: dict[str, int]) -> dict[str, dict[str, int]]:
    return {"deception": dict(holders), "economic-games": {}}


# --- a read failing on page k of n: the plan aborts and changes nothing ----------------------

PAGES = 3


@pytest.mark.parametrize("page", range(1, PAGES + 1))
@pytest.mark.parametrize("operation", ["ListWorkersWithQualificationType", "ListAssignmentsForHIT"])
def test_a_read_failing_on_page_k_of_n_aborts_and_changes_nothing(
    tmp_path: Path, operation: str, page: int
) -> None:
    hit_id = "3AAPAGEDHIT0000000000000000001"  # sorts first: read before the example's HITs
    participants = [f"APAGED{index:06d}" for index in range(250)]  # 3 pages of 100
    # Every participant holds the qualification already and a released study is due to be revoked:
    # an assignments page read as empty would revoke the missing participants.
    released = [f"ARELEASED{index:04d}" for index in range(3)]
    holders = {w: 1 for w in participants + released}
    seed = seeded_type(holders) | {
        "hits": [
            {
                "hit_id": hit_id,
                "created": iso(NOW - timedelta(days=2)),
                "lifetime_seconds": 30 * 86400,
                "max_assignments": len(participants),
                "assignments": [{"worker_id": w, "status": "Approved"} for w in participants],
            }
        ]
    }
    with emulator(tmp_path, seed) as server:
        # One request at a time, so the k-th call of the operation is page k of this pool or HIT.
        lab = Lab(tmp_path / "lab", server, max_concurrency=1)
        lab.write_study("paged", hits=[hit_id])
        lab.write_study("released", status="released", workers=released)
        before = live_holders(lab)
        runs = {}
        for name, args in (("plan", ["plan"]), ("apply", ["apply", "--auto-approve", "--allow-revoke", "3"])):
            server.clear_scripted_faults()
            server.add_scripted_fault(operation, nth=page, count=3)  # every attempt of page k fails
            runs[name] = lab.run(*args)
        served = server.counters()[operation]
        calls = {op: sum(c.values()) for op, c in server.counters().items() if op in MUTATING}
        record(
            "fault_run",
            test="faults",
            scenario=f"{operation} failing on page {page} of {PAGES}",
            **fault_totals(server.counters()),
            outcome="aborted, nothing changed" if not any(calls.values()) else "changed something",
            lost_exclusions=len(lost_exclusions(lab, {"deception": before["deception"]})),
            wrong_revocations=len(wrong_revocations(lab, {"deception": before["deception"]}, before)),
        )
        for name, run in runs.items():
            assert_clean_failure(run)
            assert f"{operation} failed" in run.stderr and "nothing was changed" in run.stderr, name
        assert served["served"] == 2 * (page - 1)  # pages before k were read, by plan then apply
        assert not any(calls.values()), calls
        assert server.counters().get("DisassociateQualificationFromWorker") is None
        assert live_holders(lab) == before
        assert not lab.locks.exists() or list(lab.locks.iterdir()) == []  # no capture from half a read


# --- disposed HITs ---------------------------------------------------------------------------


def seed_hit(hit_id: str, workers: list[str], *, age_days: float, lifetime_days: float = 3) -> dict[str, Any]:
    return {
        "hit_id": hit_id,
        "created": iso(NOW - timedelta(days=age_days)),
        "lifetime_seconds": int(lifetime_days * 86400),
        "max_assignments": len(workers),
        "assignments": [{"worker_id": w, "status": "Approved"} for w in workers],
    }


def test_a_captured_hit_keeps_its_workers_excluded_after_mturk_disposes_of_it(tmp_path: Path) -> None:
    hit_id = "3DISPOSEDLATER000000000000001"
    workers = [f"ADISPOSED{index:04d}" for index in range(40)]
    # Still open when first captured (so its capture is not complete yet), disposed of 21 days on.
    hit = seed_hit(hit_id, workers, age_days=100, lifetime_days=200)
    with emulator(tmp_path, {"hits": [hit]}) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("old-study", hits=[hit_id])
        desired = desired_holders(lab, hit_workers(server))
        assert lab.run("apply", "--auto-approve").status == 0
        capture = lab.locks / f"{hit_id}.yaml"
        assert sorted(load_yaml(capture)["workers"]) == workers
        assert load_yaml(capture)["complete"] is False
        outcomes = []
        for days in (21, 200, 3650):  # disposed (121 days old), then long after
            server.set_clock(NOW + timedelta(days=days))
            plan = lab.run("plan", "--detailed-exitcode")
            apply = lab.run("apply", "--auto-approve")
            outcomes.append((days, plan.status, apply.status))
            assert plan.status == 0, plan.output
            assert apply.status == 0, apply.output
            assert set(workers) <= live_holders(lab)["deception"].keys()
        final = load_yaml(capture)
        lost = lost_exclusions(lab, desired)
        record(
            "fault_run",
            test="faults",
            scenario="captured HIT disposed of by MTurk (clock +121 days, +300, +10 years)",
            outcome="still excluded" if not lost else "lost",
            runs=outcomes,
            lost_exclusions=len(lost),
            wrong_revocations=len(wrong_revocations(lab, desired)),
        )
        assert final["complete"] is True and final["hit_status"] == "Disposed"
        assert sorted(final["workers"]) == workers
        assert lost == []


def test_a_hit_disposed_of_without_a_capture_fails_at_the_study_line_and_revokes_no_one(
    tmp_path: Path,
) -> None:
    hit_id = "3DISPOSEDNOCAPTURE0000000001"
    workers = [f"ANOCAPTURE{index:04d}" for index in range(20)]
    with emulator(tmp_path, {"hits": [seed_hit(hit_id, workers, age_days=100)]}) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("lost-capture", hits=[hit_id])
        desired = desired_holders(lab, hit_workers(server))
        assert lab.run("apply", "--auto-approve").status == 0
        before = live_holders(lab)
        for capture in lab.locks.glob("*.yaml"):  # the capture was never committed
            capture.unlink()
        server.set_clock(NOW + timedelta(days=21))
        server.reset_counters()
        runs = [lab.run("plan"), lab.run("apply", "--auto-approve", "--allow-revoke", "20")]
        lines = (lab.studies / "lost-capture.yaml").read_text().splitlines()
        line = next(number for number, text in enumerate(lines, 1) if hit_id in text)
        calls = {op: sum(c.values()) for op, c in server.counters().items() if op in MUTATING}
        record(
            "fault_run",
            test="faults",
            scenario="HIT disposed of with no capture (clock +121 days)",
            outcome="plan and apply fail at the study's line, nothing changed",
            lost_exclusions=len(lost_exclusions(lab, desired)),
            wrong_revocations=len(wrong_revocations(lab, desired, before)),
        )
        for run in runs:
            assert_clean_failure(run)
            assert f"exclusions/studies/lost-capture.yaml:{line}:" in run.stderr, run.stderr
            assert "never captured" in run.stderr
        assert not any(calls.values()), calls
        assert server.counters().get("DisassociateQualificationFromWorker") is None
        assert live_holders(lab) == before


def test_a_capture_is_never_rewritten_with_fewer_workers(tmp_path: Path) -> None:
    hit_id = "3SUPERSETCAPTURE00000000000001"
    on_mturk = [f"ASUPERSET{index:04d}" for index in range(5)]
    only_in_capture = [f"AFORMER{index:04d}" for index in range(7)]  # MTurk no longer returns these
    with emulator(tmp_path, {"hits": [seed_hit(hit_id, on_mturk, age_days=30)]}) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("superset", hits=[hit_id])
        lab.locks.mkdir(parents=True)
        capture = lab.locks / f"{hit_id}.yaml"
        capture.write_text(
            "# yaml-language-server: $schema=../../../schemas/capture.schema.json\n"
            "# A comment the lab added.\n"
            f"format_version: 1\ntarget: emu\nhit_id: {hit_id}\nread_at: {iso(NOW - timedelta(days=3))}\n"
            "complete: false\nworkers:\n" + "".join(f"  - {w}\n" for w in sorted(only_in_capture))
        )
        everyone = set(on_mturk) | set(only_in_capture)
        sizes = []
        steps = [
            ("plan",),
            ("apply", "--auto-approve"),
            ("lock",),
            ("plan", "--format", "json"),
        ]
        for step in steps:
            run = lab.run(*step)
            assert run.status == 0, (step, run.output)
            sizes.append(len(load_yaml(capture)["workers"]))
            assert set(load_yaml(capture)["workers"]) == everyone, step
        server.set_clock(NOW + timedelta(days=95))  # disposed of
        assert lab.run("lock").status == 0 and lab.run("plan", "--detailed-exitcode").status == 0
        final = load_yaml(capture)
        lost = everyone - live_holders(lab)["deception"].keys()
        record(
            "fault_run",
            test="faults",
            scenario="capture holding more workers than MTurk returns, through plan/apply/lock/disposal",
            outcome="capture stayed a superset",
            lost_exclusions=len(lost) + len(everyone - set(final["workers"])),
            wrong_revocations=0,
        )
        assert set(final["workers"]) == everyone and final["complete"] is True
        assert "# A comment the lab added." in capture.read_text()
        assert lost == set()
