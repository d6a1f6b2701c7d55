"""Run the reliability campaign (tests/test_reliability_*.py) and print its figures as a table.

    .venv/bin/python benchmarks/reliability_report.py [--records FILE] [-- PYTEST ARGS...]

The tests append one JSON line per thing they tried (a run with faults injected, a crash point,
a hostile input, a concurrent run, a secrets or privacy check) to the file named by the
environment variable EXCLUSIONS_RELIABILITY_REPORT. This script runs pytest with it set, then
prints the Markdown table of docs/reliability.md. With --records FILE and no pytest run
(--no-run), it only summarises an existing file. Exit status: pytest's (0 when every test passed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
REPORT_ENV = "EXCLUSIONS_RELIABILITY_REPORT"


def run_campaign(records: Path, extra: list[str]) -> tuple[int, float]:
    tests = sorted(
        str(path.relative_to(PROJECT)) for path in (PROJECT / "tests").glob("test_reliability_*.py")
    )
    env = {**os.environ, REPORT_ENV: str(records)}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests, *extra],
        cwd=PROJECT,
        env=env,
        check=False,
    )
    return done.returncode, time.monotonic() - started


def load(records: Path) -> list[dict[str, Any]]:
    if not records.exists():
        return []
    return [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines() if line.strip()]


def summarise(entries: list[dict[str, Any]]) -> str:
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_kind.setdefault(entry["kind"], []).append(entry)
    faults = by_kind.get("fault_run", [])
    crashes = by_kind.get("crash_point", [])
    hostile = by_kind.get("hostile_input", [])
    concurrent = by_kind.get("concurrent_run", [])
    secrets = by_kind.get("secret_check", [])
    privacy = by_kind.get("privacy_check", [])
    platform = by_kind.get("hostile_platform", [])
    lost = sum(int(entry.get("lost_exclusions", 0)) for entry in entries)
    wrong = sum(int(entry.get("wrong_revocations", 0)) for entry in entries)

    crash_modes = Counter(entry["mode"] for entry in crashes)
    killed = [entry for entry in crashes if entry.get("killed")]
    exact = sum(bool(entry.get("next_plan_exact")) for entry in crashes)
    converged = sum(bool(entry.get("converged")) for entry in crashes)
    sources = Counter(entry["source"] for entry in hostile)
    through_cli = [entry for entry in hostile if "exits" in entry]
    refused_clean = sum(
        1
        for entry in through_cli
        if entry.get("mturk_calls", 0) == 0
        and all(status == 1 for status in entry.get("exits", {}).values())
        and entry.get("clean", True)
    )
    fault_calls = sum(int(entry.get("calls", 0)) for entry in faults)
    fault_failed = sum(int(entry.get("failed", 0)) + int(entry.get("throttled", 0)) for entry in faults)
    fault_ok = sum(
        entry.get("outcome", "") not in ("failed", "lost", "changed something") for entry in faults
    )

    rows = [
        (
            "Runs with faults injected",
            len(faults),
            f"{fault_ok} ended as required; {fault_failed:,} of {fault_calls:,} calls failed or throttled",
        ),
        (
            "Crash points tried (SIGKILL)",
            len(killed),
            f"{exact} next plans exact, {converged} converged; modes: "
            + ", ".join(f"{mode} {count}" for mode, count in sorted(crash_modes.items())),
        ),
        (
            "Hostile inputs tried",
            len(hostile),
            ", ".join(f"{source}: {count}" for source, count in sorted(sources.items())),
        ),
        (
            "  of which through plan and apply",
            len(through_cli),
            f"{refused_clean} refused cleanly with no MTurk call",
        ),
        (
            "Misbehaving platform answers and endpoints",
            len(platform),
            f"{sum(e.get('outcome') != 'failed' for e in platform)} ended as required "
            f"(refused naming the operation, retried away, or stopped at the deadline)",
        ),
        (
            "Concurrent runs (applies in pairs, locks in fives)",
            len(concurrent),
            ", ".join(f"exits {e['exits']}" for e in concurrent),
        ),
        (
            "Secret searches (commands run)",
            sum(e.get("commands", 0) for e in secrets),
            f"{sum(e.get('leaks', 0) for e in secrets)} leaks",
        ),
        (
            "Worker-ID privacy checks",
            len(privacy),
            f"{sum(e.get('whole_worker_ids', 0) for e in privacy)} whole worker IDs shown",
        ),
        ("**Lost exclusions**", lost, "target 0"),
        ("**Wrong revocations**", wrong, "target 0"),
    ]
    lines = ["| What | Count | Outcome |", "| --- | ---: | --- |"]
    lines += [f"| {what} | {count:,} | {outcome} |" for what, count, outcome in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=Path, help="the JSON-lines file (default: a temporary one)")
    parser.add_argument("--no-run", action="store_true", help="only summarise --records")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args()
    status, seconds = 0, 0.0
    with tempfile.TemporaryDirectory() as scratch:
        records = args.records or Path(scratch) / "reliability.jsonl"
        if not args.no_run:
            if records.exists():
                records.unlink()
            status, seconds = run_campaign(records, args.pytest_args)
        print()
        print(summarise(load(records)))
        if not args.no_run:
            print(f"\nCampaign: {seconds:.0f} s wall time; pytest exit status {status}.")
    return status


if __name__ == "__main__":
    sys.exit(main())
