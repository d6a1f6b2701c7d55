"""Plan and apply against the local MTurk with added latency: API calls made against the least
possible, and wall time.

    .venv/bin/python -m benchmarks.plan_apply [--hits 200] [--assignments 50] [--holders 5000]
        [--latency-ms 50] [--studies 20]

The scenario: STUDIES active study files sharing HITS HITs of ASSIGNMENTS distinct workers each, in
one pool whose qualification already has HOLDERS holders (all of them participants, so the plan
grants the rest and revokes nobody). The local MTurk runs in this process; the command line runs
as a separate process, exactly as a lab would run it.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from benchmarks.labgen import fake_hit, fake_worker
from reconciler.local_mturk import LocalMTurk

POOL_NAME = "Benchmark pool"
CONFIG = """\
# yaml-language-server: $schema=../schemas/config.schema.json
version: 1
default_target: bench
targets:
  bench:
    kind: mturk
    endpoint_url: {url}
pools:
  bench:
    name: {name}
    description: Took part in a benchmark study.
"""
STUDY = """\
# yaml-language-server: $schema=../../schemas/study.schema.json
study: {study_id}
title: Benchmark study {index}
pools: [bench]
status: active
hits:
{hits}
"""


def build(folder: Path, hits: int, assignments: int, holders: int, studies: int) -> tuple[Path, Path]:
    """The seed file and the lab (without its config, which needs the endpoint)."""
    created = datetime.now(UTC) - timedelta(days=5)
    hit_ids = [fake_hit(index) for index in range(hits)]
    participants = [fake_worker(index) for index in range(hits * assignments)]
    seed: dict[str, Any] = {
        "hits": [
            {
                "hit_id": hit_id,
                "created": created.isoformat().replace("+00:00", "Z"),
                "lifetime_seconds": 30 * 86400,
                "max_assignments": assignments,
                "assignments": [
                    {"worker_id": participants[index * assignments + slot], "status": "Approved"}
                    for slot in range(assignments)
                ],
            }
            for index, hit_id in enumerate(hit_ids)
        ],
        "qualification_types": [
            {
                "name": POOL_NAME,
                "description": "Took part in a benchmark study.",
                "holders": [{"worker_id": worker, "value": 1} for worker in participants[:holders]],
            }
        ],
    }
    seed_path = folder / "seed.yaml"
    yaml = YAML(typ="safe", pure=False)
    with seed_path.open("w") as handle:
        yaml.dump(seed, handle)
    lab = folder / "lab"
    (lab / "exclusions" / "studies").mkdir(parents=True)
    per_study = math.ceil(hits / studies)
    for index in range(studies):
        chunk = hit_ids[index * per_study : (index + 1) * per_study]
        if chunk:
            study_id = f"bench-{index:04d}"
            text = STUDY.format(study_id=study_id, index=index, hits="\n".join(f"  - {h}" for h in chunk))
            (lab / "exclusions" / "studies" / f"{study_id}.yaml").write_text(text)
    return seed_path, lab


def least_plan_calls(hits: int, assignments: int, holders: int, pools: int = 1) -> dict[str, int]:
    """The fewest calls any correct plan can make: find each pool's type, read every page of
    holders, and for each HIT not completely captured learn its state once and read its pages."""
    return {
        "ListQualificationTypes": pools,
        "ListWorkersWithQualificationType": max(1, math.ceil(holders / 100)),
        "GetHIT": hits,
        "ListAssignmentsForHIT": hits * max(1, math.ceil(assignments / 100)),
    }


def run(lab: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "reconciler", *args], cwd=lab, capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "AWS_ACCESS_KEY_ID": "AKIABENCHMARK", "AWS_SECRET_ACCESS_KEY": "bench",
             "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"},
    )
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 2):
        sys.exit(f"exclusions {' '.join(args)} failed:\n{completed.stdout}{completed.stderr}")
    return elapsed, completed


def served(server: LocalMTurk) -> dict[str, int]:
    return {operation: counts["served"] for operation, counts in server.counters().items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hits", type=int, default=200)
    parser.add_argument("--assignments", type=int, default=50)
    parser.add_argument("--holders", type=int, default=5000)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--studies", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seed, lab = build(Path(tmp), args.hits, args.assignments, args.holders, args.studies)
        with LocalMTurk(seed_path=seed, latency_ms=args.latency_ms) as server:
            (lab / "exclusions" / "config.yaml").write_text(
                CONFIG.format(url=server.endpoint_url, name=POOL_NAME)
            )
            server.reset_counters()
            plan_time, _ = run(lab, "plan")
            made = served(server)
            least = least_plan_calls(args.hits, args.assignments, args.holders)
            server.reset_counters()
            apply_time, applied = run(lab, "apply", "--auto-approve")
            apply_calls = served(server)
            grants = apply_calls.get("AssociateQualificationWithWorker", 0)
            server.reset_counters()
            again_time, _ = run(lab, "plan", "--detailed-exitcode")
            again = served(server)
    print(f"scenario: {args.hits} HITs x {args.assignments} assignments, {args.holders} holders, "
          f"{args.latency_ms:g} ms latency, {args.studies} studies")
    print("plan calls (made / least):")
    for operation in sorted(set(made) | set(least)):
        print(f"  {operation}: {made.get(operation, 0)} / {least.get(operation, 0)}")
    total_made, total_least = sum(made.values()), sum(least.values())
    print(f"  total: {total_made} / {total_least} = {total_made / total_least:.2f}")
    print(f"plan: {plan_time:.2f} s")
    print(f"apply (plans again, then {grants} grants): {apply_time:.2f} s")
    print(f"plan again after apply: {again_time:.2f} s, "
          f"{sum(again.values())} calls")
    print(applied.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
