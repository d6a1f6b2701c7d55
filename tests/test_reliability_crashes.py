"""Crashes: `exclusions apply` killed with SIGKILL at seeded points, then planned and applied again.

Each run starts a fresh local MTurk with some latency, a lab with a change of 60-200 workers
(grants only, or grants mixed with value updates and the revocations a released study makes
due), starts `python -m reconciler apply --auto-approve` as a process and kills it with SIGKILL:
during its reads, right after it created a qualification type, after a seeded number of grants
or revocations observed through the emulator's counters, or after a seeded delay. Then:

- no worker who must stay excluded was revoked (nor lost a qualification held before);
- the next `plan --format json` shows exactly the changes not yet made, computed here from the
  emulator's actual holders and the study files, independently of the tool;
- applying that saved plan converges: the holders are then exactly the desired ones.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from random import Random
from typing import Any

import pytest

from reconciler.emulators.mturk import LocalMTurk
from tests.e2e import Lab, emulator, load_yaml
from tests.helpers import EXAMPLE, PROJECT, clean_env
from tests.reliability import (
    Holders,
    desired_holders,
    expected_changes,
    hit_workers,
    kill,
    live_holders,
    lost_exclusions,
    planned_changes,
    record,
    settle,
    start,
    total_calls,
    type_record,
    wrong_revocations,
)

RUNS = 22  # seeded runs, two at a time
# Where the kill lands. "reads": while it reads holders and HITs (before any change); "type":
# right after a qualification type was created; "grants"/"revokes": after a seeded number of
# those calls were served; "delay": a seeded time after its first call reached the emulator.
MODES = ("grants", "revokes", "delay", "type", "grants", "reads", "revokes", "delay")
WATCHED = {
    "reads": "ListAssignmentsForHIT",
    "type": "CreateQualificationType",
    "grants": "AssociateQualificationWithWorker",
    "revokes": "DisassociateQualificationFromWorker",
}
POLL = 0.002
DEADLINE = 60.0


class Scenario:
    """The lab's change for one seed, and what the emulator starts with."""

    def __init__(self, seed: int) -> None:
        rng = Random(seed)
        self.seed = seed
        self.mode = MODES[seed % len(MODES)]
        self.mixed = self.mode == "revokes" or seed % 3 != 0
        # A kill after a delay needs an apply slow enough to still be running: few threads, slow calls.
        self.latency = 20 if self.mode == "delay" else rng.choice([5, 10, 15, 20])
        self.concurrency = 2 if self.mode == "delay" else rng.choice([2, 4, 8])

        def ids(prefix: str, low: int, high: int) -> list[str]:
            return [f"A{prefix}{seed:03d}X{index:05d}" for index in range(rng.randint(low, high))]

        self.new = ids("NEW", 40, 110)
        self.kept = ids("KEPT", 15, 40) if self.mixed else []
        self.gone = ids("GONE", 8, 30) if self.mixed else []  # only in the released study: revoked
        self.both = ids("BOTH", 2, 6) if self.mixed else []  # released study and an active one: kept
        self.twice = ids("TWICE", 2, 8) if self.mixed else []  # held with 1, now in two studies: 2
        self.stale = ids("STALE", 1, 4) if self.mixed else []  # held with 3, in one study now: 1
        self.rng = rng

    @property
    def revocations(self) -> int:
        return len(self.gone)

    def seed_document(self, pool: dict[str, Any]) -> dict[str, Any]:
        if not self.mixed:
            return {}
        holders = [{"worker_id": w, "value": 1} for w in self.kept + self.gone + self.both + self.twice]
        holders += [{"worker_id": w, "value": 3} for w in self.stale]
        return {
            "qualification_types": [
                {
                    "name": pool["name"],
                    "description": pool["description"],
                    "keywords": pool["keywords"],
                    "holders": holders,
                }
            ]
        }

    def write_studies(self, lab: Lab) -> None:
        lab.write_study("crash-new", workers=self.new)
        if self.mixed:
            lab.write_study("crash-kept", workers=self.kept + self.both + self.twice + self.stale)
            lab.write_study("crash-second", workers=self.twice)
            lab.write_study("crash-released", status="released", workers=self.gone + self.both)

    def kill_point(self, changes: int) -> float:
        if self.mode == "delay":
            return round(self.rng.uniform(0.0, 0.8), 3)  # seconds after its first call
        if self.mode == "grants":
            return self.rng.randint(1, max(1, changes - 5))
        if self.mode == "revokes":
            return self.rng.randint(1, max(1, self.revocations - 3))
        return 1


def run_until_killed(server: LocalMTurk, lab: Lab, scenario: Scenario, at: float) -> tuple[bool, float]:
    """Start apply, kill it at the scenario's point; whether it was still running, and when."""
    args = ["apply", "--auto-approve"]
    if scenario.revocations:
        args += ["--allow-revoke", str(scenario.revocations)]
    process = start(lab, *args)
    started = time.monotonic()
    first_call: float | None = None
    watched = WATCHED.get(scenario.mode)
    while process.poll() is None and time.monotonic() - started < DEADLINE:
        if first_call is None and total_calls(server):
            first_call = time.monotonic()
        if watched is None and first_call is not None and time.monotonic() - first_call >= at:
            break
        if watched is not None and server.counters().get(watched, {}).get("served", 0) >= at:
            break
        time.sleep(POLL)
    running = process.poll() is None
    killed_run = kill(process)
    assert running or killed_run.status == 0, killed_run.output
    return running, time.monotonic() - started


def types_present(lab: Lab) -> dict[str, bool]:
    return {
        pool: type_record(lab.server, spec["name"]) is not None
        for pool, spec in lab.config()["pools"].items()
    }


def check_plan(plan: dict[str, Any], desired: Holders, live: Holders, types: dict[str, bool]) -> None:
    assert planned_changes(plan) == expected_changes(desired, live)
    for pool in plan["pools"]:
        action = (pool["group_change"] or {}).get("action")
        assert (action == "create") == (not types[pool["pool"]]), pool


@pytest.mark.parametrize("pair", range(RUNS // 2))
def test_apply_killed_at_a_random_point_loses_nothing_and_the_next_run_converges(
    tmp_path: Path, pair: int
) -> None:
    # Two seeded runs side by side (each with its own emulator and lab) to keep the campaign short.
    seeds = (2 * pair, 2 * pair + 1)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="crash") as pool:
        futures = {seed: pool.submit(one_run, tmp_path / f"seed-{seed}", seed) for seed in seeds}
    for seed, future in futures.items():
        error = future.exception()
        if error is not None:
            raise AssertionError(f"seed {seed} ({Scenario(seed).mode}): {error}") from error


def one_run(tmp_path: Path, seed: int) -> None:
    tmp_path.mkdir()
    scenario = Scenario(seed)
    pool = load_yaml(EXAMPLE / "config.yaml")["pools"]["deception"]
    with emulator(tmp_path, scenario.seed_document(pool), latency_ms=scenario.latency) as server:
        lab = Lab(tmp_path / "lab", server, max_concurrency=scenario.concurrency)
        scenario.write_studies(lab)
        desired = desired_holders(lab, hit_workers(server))
        before = live_holders(lab)
        changes = sum(len(c["grant"]) + len(c["update"]) for c in expected_changes(desired, before).values())
        at = scenario.kill_point(changes)

        killed, after = run_until_killed(server, lab, scenario, at)
        settle(server)  # requests in flight when the process died are answered or dropped
        done = {op: c["served"] for op, c in server.counters().items() if op in WATCHED.values()}
        at_crash = live_holders(lab)
        types_at_crash = types_present(lab)
        wrong_at_crash = wrong_revocations(lab, desired, before)

        saved = tmp_path / "after-crash.plan.json"
        planned = lab.run("plan", "--format", "json", "--out", str(saved))
        assert planned.status == 0, planned.output
        plan = json.loads(planned.stdout)
        remaining = plan["summary"]["grant"] + plan["summary"]["update"] + plan["summary"]["revoke"]
        plan_matches = planned_changes(plan) == expected_changes(desired, at_crash)

        allow = ["--allow-revoke", str(plan["summary"]["revoke"])] if plan["summary"]["revoke"] else []
        applied = lab.run("apply", str(saved), *allow)
        final = live_holders(lab)
        lost = lost_exclusions(lab, desired)
        wrong = sorted(set(wrong_at_crash) | set(wrong_revocations(lab, desired, before)))
        record(
            "crash_point",
            test="crashes",
            seed=seed,
            scenario="grants, updates and revocations" if scenario.mixed else "grants",
            mode=scenario.mode,
            kill_at=at,
            killed=killed,
            seconds_to_kill=round(after, 3),
            changes=changes + scenario.revocations,
            calls_done_at_kill=done,
            remaining_in_next_plan=remaining,
            next_plan_exact=plan_matches,
            converged=applied.status == 0 and final == desired,
            lost_exclusions=len(lost),
            wrong_revocations=len(wrong),
        )

        assert killed, f"apply finished before the kill point {scenario.mode}={at}"
        assert wrong == [], wrong
        check_plan(plan, desired, at_crash, types_at_crash)
        assert applied.status == 0, applied.output
        assert final == desired
        assert lost == []
        assert server.state()["notifications"] == []  # no worker was emailed, crash or not
        if seed % 4 == 0:  # and the tool agrees there is nothing left to do
            assert lab.run("plan", "--detailed-exitcode").status == 0


# --- killed between writing a capture's temporary file and renaming it ------------------------

# The run is killed by the operating system's rename itself, so the kill lands exactly between
# the temporary file's last byte and the rename, every time.
KILLED_AT_RENAME = (
    "import os, signal, sys\n"
    "os.replace = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)\n"
    "from reconciler.cli import main\n"
    "sys.argv[0] = 'exclusions'\n"
    "main()\n"
)


def test_a_run_killed_before_renaming_a_capture_leaves_nothing_a_workflow_would_commit(
    tmp_path: Path,
) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        shutil.copy(PROJECT / ".gitignore", lab.root / ".gitignore")
        killed = subprocess.run(
            [sys.executable, "-c", KILLED_AT_RENAME, "lock"],
            cwd=lab.root,
            # No document cache: its own write would be the first rename, before any capture's.
            env=clean_env(AWS_MAX_ATTEMPTS="3", EXCLUSIONS_CACHE="off"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        left = sorted(str(p.relative_to(lab.root)) for p in lab.root.rglob("*.tmp"))
        staged_by_workflow = [p for p in left if p.startswith("exclusions/")]
        # What the workflows do next: stage the captures folder and commit it.
        git = ["git", "-C", str(lab.root)]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "add", "--", "exclusions/locks"], check=True)
        staged = subprocess.run(
            [*git, "diff", "--cached", "--name-only"], capture_output=True, text=True, check=True
        ).stdout.split()
        rerun = lab.run("lock")
        record(
            "crash_point",
            test="crashes",
            mode="capture rename",
            killed=killed.returncode == -9,
            next_plan_exact=not staged_by_workflow,
            converged=rerun.status == 0,
        )
        assert killed.returncode == -9, killed.stderr
        assert left, "the kill came before any temporary file was written"
        assert staged_by_workflow == [], left
        assert not [name for name in staged if name.endswith(".tmp")], staged
        assert rerun.status == 0, rerun.output  # and a re-run captures every HIT
        assert len(list(lab.locks.glob("*.yaml"))) == 3


def test_an_older_versions_leftover_temporary_file_is_ignored_by_git(tmp_path: Path) -> None:
    leftover = tmp_path / "exclusions" / "locks" / "emu" / ".3EXAMPLEHIT.yaml.k2j3h4.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("half a capture")
    shutil.copy(PROJECT / ".gitignore", tmp_path / ".gitignore")
    subprocess.run(["git", "-C", str(tmp_path), "init", "-q"], check=True)
    ignored = subprocess.run(["git", "-C", str(tmp_path), "check-ignore", "-q", str(leftover)], check=False)
    assert ignored.returncode == 0
