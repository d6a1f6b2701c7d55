"""Plan and apply against the local MTurk with added latency, against the approach labs use today.

    .venv/bin/python -m benchmarks.plan_apply [--hits 200] [--assignments 50] [--holders 5000]
        [--latency-ms 50] [--studies 20] [--no-baseline]

The scenario: STUDIES active study files sharing HITS HITs of ASSIGNMENTS distinct workers each,
in one pool whose qualification already has HOLDERS holders (all of them participants, so the
change is grants only). The HITs are past their expiration with nothing pending, as a lab's old
HITs are. The local MTurk runs in its own process; the command line runs as a lab would run it.

It reports, for our tool: the calls a first plan makes against the least possible, the wall time
of plan and of apply, and the calls of a plan once every HIT is completely captured; and for the
baseline (benchmarks/baseline.py, a port of the `participation_record` script), the same
scenario's wall time and read calls, on a fresh local MTurk with the same seed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import boto3
from botocore.config import Config

from benchmarks.baseline import ParticipationRecord
from benchmarks.support import (
    CLIENT_ENV,
    POOL_NAME,
    exclusions,
    least_plan_calls,
    serve,
    write_lab,
    write_seed,
)


def ours(seed: Path, lab_root: Path, hit_ids: list[str], args: argparse.Namespace) -> dict[str, float]:
    with serve(seed, latency_ms=args.latency_ms) as server:
        lab = write_lab(lab_root, server.url, hit_ids, studies=args.studies)
        server.reset()
        plan_time, _ = exclusions(lab, "plan")
        made = server.served()
        least = least_plan_calls(args.hits, args.assignments, args.holders)
        server.reset()
        apply_time, applied = exclusions(lab, "apply", "--auto-approve")
        grants = server.served().get("AssociateQualificationWithWorker", 0)
        server.reset()
        captured_time, _ = exclusions(lab, "plan", "--detailed-exitcode")
        captured = server.served()
    print("ours: first plan calls (made / least):")
    for operation in sorted(set(made) | set(least)):
        print(f"  {operation}: {made.get(operation, 0)} / {least.get(operation, 0)}")
    ratio = sum(made.values()) / sum(least.values())
    print(f"  total: {sum(made.values())} / {sum(least.values())} = {ratio:.2f}")
    print(
        f"ours: plan {plan_time:.2f} s; apply (plans again, then {grants} grants) {apply_time:.2f} s; "
        f"plan + apply {plan_time + apply_time:.2f} s"
    )
    print(
        f"ours: plan once every HIT is completely captured: {captured_time:.2f} s, "
        f"{sum(captured.values())} calls {dict(sorted(captured.items()))}"
    )
    print(f"      {applied.stdout.strip().splitlines()[-1]}")
    return {"time": plan_time + apply_time, "captured_reads": sum(captured.values())}


def baseline(seed: Path, hit_ids: list[str], args: argparse.Namespace) -> dict[str, float]:
    with serve(seed, latency_ms=args.latency_ms) as server:
        client = boto3.client(
            "mturk",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id=CLIENT_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CLIENT_ENV["AWS_SECRET_ACCESS_KEY"],
            config=Config(retries={"mode": "standard"}),
        )
        answer = client.list_qualification_types(
            Query=POOL_NAME, MustBeRequestable=False, MustBeOwnedByCaller=True
        )
        type_id = answer["QualificationTypes"][0]["QualificationTypeId"]
        server.reset()
        started = time.perf_counter()
        added, _, holders = ParticipationRecord(
            client, type_id, hit_list=hit_ids
        ).participation_record_update()
        elapsed = time.perf_counter() - started
        calls = server.served()
    reads = sum(count for operation, count in calls.items() if operation.startswith(("List", "Get")))
    print(
        f"baseline: {elapsed:.2f} s, {added} grants, {holders} holders after; calls {dict(sorted(calls.items()))}"
    )
    print(f"baseline: read calls {reads}")
    return {"time": elapsed, "reads": reads}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hits", type=int, default=200)
    parser.add_argument("--assignments", type=int, default=50)
    parser.add_argument("--holders", type=int, default=5000)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--studies", type=int, default=20)
    parser.add_argument("--no-baseline", action="store_true", help="Measure our tool only.")
    args = parser.parse_args()
    print(
        f"scenario: {args.hits} HITs x {args.assignments} assignments, {args.holders} holders, "
        f"{args.latency_ms:g} ms latency, {args.studies} studies"
    )
    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "seed.yaml"
        hit_ids = write_seed(
            seed, hits=args.hits, assignments=args.assignments, holders=args.holders, expired=True
        )
        mine = ours(seed, Path(tmp) / "lab", hit_ids, args)
        if args.no_baseline:
            return
        theirs = baseline(seed, hit_ids, args)
    print(
        f"ratio: baseline / ours wall time = {theirs['time'] / mine['time']:.1f}x "
        f"(target >= 10); captured plan reads / baseline reads = "
        f"{mine['captured_reads'] / theirs['reads']:.3f} (target <= 0.1)"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
