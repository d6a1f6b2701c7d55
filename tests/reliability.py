"""Shared support of the reliability campaign (tests/test_reliability_*.py).

Each test records what it tried (a run with faults injected, a crash point, a hostile input, ...)
and what it found (lost exclusions, wrong revocations) with ``record``. When the environment
variable ``EXCLUSIONS_RELIABILITY_REPORT`` names a file, every record is appended to it as one
JSON line; ``benchmarks/reliability_report.py`` runs the campaign with it set and prints the
table of docs/reliability.md. Records are written *before* a test asserts, so a failing run is
counted too.

The desired state is computed here independently of the tool (from the study files and the
emulator's HITs), so a test can tell a lost exclusion or a wrong revocation without trusting the
code under test.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from reconciler.emulators.mturk import LocalMTurk
from tests.e2e import Lab, load_yaml
from tests.helpers import Run, clean_env

REPORT_ENV = "EXCLUSIONS_RELIABILITY_REPORT"
MUTATING = ("CreateQualificationType", "UpdateQualificationType", "AssociateQualificationWithWorker")
# Worker statuses whose workers saw a study (docs/concepts.md: whatever their status).
SEEN = {"Submitted", "Approved", "Rejected"}

Holders = dict[str, dict[str, int]]  # pool -> worker -> value


def record(kind: str, **fields: Any) -> None:
    """Append one record of the campaign to the report file, when one is asked for."""
    path = os.environ.get(REPORT_ENV)
    if not path:
        return
    line = json.dumps({"kind": kind, **fields}, sort_keys=True, default=str)
    with open(path, "a", encoding="utf-8") as handle:  # one write per line: safe enough to append
        handle.write(line + "\n")


# --- the desired state, computed without the tool ---------------------------------------------


def hit_workers(server: LocalMTurk) -> dict[str, set[str]]:
    """Every HIT the emulator knows (even one it has disposed of) with the workers who saw it."""
    return {
        hit["id"]: {a["worker_id"] for a in hit.get("assignments", []) if a.get("status") in SEEN}
        for hit in server.state()["hits"]
    }


def desired_holders(lab: Lab, hits: Mapping[str, Iterable[str]], today: date | None = None) -> Holders:
    """Who must hold each pool's qualification, and with which value (docs/concepts.md)."""
    today = today or datetime.now(UTC).date()
    config = lab.config()
    counts: dict[str, dict[str, int]] = {pool: {} for pool in config["pools"]}
    for path in sorted(lab.studies.glob("*.yaml")):
        study = load_yaml(path)
        until = study.get("exclude_until")
        if study["status"] != "active" or (until is not None and str(until) < today.isoformat()):
            continue
        workers = set(study.get("workers") or ())
        for hit_id in study.get("hits") or ():
            workers |= set(hits[hit_id])
        for pool in study["pools"]:
            for worker in workers:
                counts[pool][worker] = counts[pool].get(worker, 0) + 1
    return {
        pool: {
            worker: count
            for worker, count in per_worker.items()
            if count >= config["pools"][pool].get("exclude_after", 1)
        }
        for pool, per_worker in counts.items()
    }


# --- the live state, read behind the tool's back ---------------------------------------------


def type_record(server: LocalMTurk, name: str) -> dict[str, Any] | None:
    found = [qt for qt in server.state()["qualification_types"] if qt["name"] == name]
    assert len(found) <= 1, f"{len(found)} qualification types named {name!r}"
    return found[0] if found else None


def live_holders(lab: Lab) -> Holders:
    """Each pool's granted holders with their values ({} for a pool whose type does not exist)."""
    result: Holders = {}
    for pool, spec in lab.config()["pools"].items():
        record_ = type_record(lab.server, spec["name"])
        holders = record_["holders"] if record_ else []
        result[pool] = {h["worker_id"]: h["value"] for h in holders if h["status"] == "Granted"}
    return result


def revoked_workers(lab: Lab) -> dict[str, set[str]]:
    """Each pool's workers whose qualification is on record as revoked."""
    result: dict[str, set[str]] = {}
    for pool, spec in lab.config()["pools"].items():
        record_ = type_record(lab.server, spec["name"])
        holders = record_["holders"] if record_ else []
        result[pool] = {h["worker_id"] for h in holders if h["status"] == "Revoked"}
    return result


def grant_times(lab: Lab) -> dict[str, dict[str, str]]:
    """When each holder was granted: a revocation followed by a re-grant moves this time."""
    result: dict[str, dict[str, str]] = {}
    for pool, spec in lab.config()["pools"].items():
        record_ = type_record(lab.server, spec["name"])
        result[pool] = {h["worker_id"]: h["granted"] for h in (record_ or {}).get("holders", [])}
    return result


def wrong_revocations(lab: Lab, desired: Holders, before: Holders | None = None) -> list[str]:
    """Workers who must be excluded but were revoked, or were holders before and are not now."""
    now = live_holders(lab)
    revoked = revoked_workers(lab)
    wrong = set()
    for pool, wanted in desired.items():
        wrong |= {f"{pool}:{w}" for w in revoked.get(pool, set()) & wanted.keys()}
        if before is not None:
            held_before = before.get(pool, {}).keys() & wanted.keys()
            wrong |= {f"{pool}:{w}" for w in held_before - now.get(pool, {}).keys()}
    return sorted(wrong)


def lost_exclusions(lab: Lab, desired: Holders) -> list[str]:
    """Workers who must be excluded and hold no qualification."""
    now = live_holders(lab)
    return sorted(f"{pool}:{w}" for pool, wanted in desired.items() for w in wanted.keys() - now[pool].keys())


def expected_changes(desired: Holders, live: Holders) -> dict[str, dict[str, Any]]:
    """The changes a correct plan shows, per pool: grants, value updates and revocations."""
    changes: dict[str, dict[str, Any]] = {}
    for pool in desired:
        wanted, held = desired[pool], live.get(pool, {})
        changes[pool] = {
            "grant": {w: v for w, v in wanted.items() if w not in held},
            "update": {w: (held[w], v) for w, v in wanted.items() if w in held and held[w] != v},
            "revoke": {w: held[w] for w in held if w not in wanted},
        }
    return changes


def planned_changes(plan: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The same shape, from a JSON plan (schemas/plan.schema.json)."""
    return {
        pool["pool"]: {
            "grant": {g["id"]: g["value"] for g in pool["grant"]},
            "update": {u["id"]: (u["old_value"], u["value"]) for u in pool["update"]},
            "revoke": {r["id"]: r["value"] for r in pool["revoke"]},
        }
        for pool in plan["pools"]
    }


def total_calls(server: LocalMTurk) -> int:
    return sum(sum(counts.values()) for counts in server.counters().values())


def settle(server: LocalMTurk, quiet: float = 0.15, limit: float = 5.0) -> None:
    """Wait until no request has reached the emulator for ``quiet`` seconds (bounded)."""
    deadline = time.monotonic() + limit
    last = server.counters()
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = server.counters()
        if now == last:
            return
        last = now


# --- running the command line as a process we can kill ------------------------------------------


def start(lab: Lab, *args: str, **env: str) -> subprocess.Popen[str]:
    """``exclusions ARGS`` in the lab, started and not waited for."""
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        cwd=lab.root,
        env=clean_env(**{"AWS_MAX_ATTEMPTS": "3", **env}),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 120) -> Run:
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        raise AssertionError(f"timed out: {stdout}{stderr}") from None
    return Run(process.returncode, stdout, stderr)


def kill(process: subprocess.Popen[str]) -> Run:
    """SIGKILL: no handler runs, nothing is flushed or cleaned up."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    return finish(process)


def assert_clean_failure(run: Run) -> None:
    """Exit 1 with a message: no traceback, no internal error."""
    assert run.status == 1, run.output
    assert "Traceback" not in run.output, run.output
    assert "internal error" not in run.output, run.output


def counters_all_zero(server: LocalMTurk) -> dict[str, int]:
    """Every call the emulator answered, throttled or failed, per operation (empty when none)."""
    return {op: sum(c.values()) for op, c in server.counters().items() if sum(c.values())}
