"""Plan and apply against the local Prolific with added latency: calls made against the least, and time.

    .venv/bin/python -m benchmarks.prolific_plan_apply [--participants 5000] [--studies 50]
        [--members 2500] [--latency-ms 50]

The scenario: one pool whose participant group already has MEMBERS members; STUDIES Prolific
studies (one lab study each) whose submissions come from PARTICIPANTS distinct participants, the
first MEMBERS of them already in the group, so the change is additions only. The local Prolific
runs in this process with LATENCY_MS added to every request; the command line runs as a lab
would run it, in a process of its own.

It reports the calls a first plan makes against the least any correct plan can make, the wall
time of plan and of apply, and the calls apply made to change the membership.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from pathlib import Path

from benchmarks.support import exclusions
from reconciler.emulators.prolific import LocalProlific

WORKSPACE = "000000000000000000000001"
POOL_NAME = "Benchmark pool"
PAGE = 100  # rows per page of a Prolific listing
BATCH = 500  # participant IDs per membership call (reconciler.platform.prolific.BATCH_SIZE)

CONFIG = """\
# yaml-language-server: $schema=../schemas/config.schema.json
version: 1
default_target: bench
targets:
  bench:
    kind: prolific
    workspace_id: "{workspace}"
    endpoint_url: {url}
pools:
  bench:
    name: {name}
    description: Took part in a benchmark study.
"""
STUDY = """\
# yaml-language-server: $schema=../../schemas/study.schema.json
study: bench-{index:05d}
title: Benchmark study {index}
pools: [bench]
status: active
prolific_studies: ["{study}"]
"""


def participant(index: int) -> str:
    return f"b{index:023x}"


def prolific_study(index: int) -> str:
    return f"c{index:023x}"


def run(lab: Path, *args: str) -> float:
    elapsed, _ = exclusions(lab, *args, env={**os.environ, "PROLIFIC_TOKEN": "benchmark-only"})
    return elapsed


def least_plan_calls(studies: int, per_study: int, members: int) -> int:
    """Find the group (one listing), read every page of members, learn every study's state (one
    call each, or the pages of the studies listing when fewer: every study of the workspace is a
    lab's here) and read every page of each study's submissions."""
    states = min(studies, max(1, math.ceil(studies / PAGE)))
    submissions = studies * max(1, math.ceil(per_study / PAGE))
    return 1 + max(1, math.ceil(members / PAGE)) + states + submissions


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--studies", type=int, default=50)
    parser.add_argument("--members", type=int, default=2500)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    per_study = math.ceil(args.participants / args.studies)
    with tempfile.TemporaryDirectory() as folder, LocalProlific(latency=args.latency_ms / 1000) as server:
        lab = Path(folder)
        (lab / "exclusions" / "studies").mkdir(parents=True)
        (lab / "exclusions" / "config.yaml").write_text(
            CONFIG.format(workspace=WORKSPACE, url=server.endpoint_url, name=POOL_NAME)
        )
        server.create_group(WORKSPACE, POOL_NAME, [participant(i) for i in range(args.members)])
        for index in range(args.studies):
            server.add_study(prolific_study(index), f"Benchmark study {index}", status="COMPLETED")
            for offset in range(per_study):
                number = index * per_study + offset
                if number < args.participants:
                    server.add_submission(prolific_study(index), participant(number))
            (lab / "exclusions" / "studies" / f"bench-{index:05d}.yaml").write_text(
                STUDY.format(index=index, study=prolific_study(index))
            )
        plan_time = run(lab, "plan")
        made = sum(server.counters().values())
        least = least_plan_calls(args.studies, per_study, args.members)
        server.reset_counters()
        apply_time = run(lab, "apply", "--auto-approve")
        counters = server.counters()
        additions = counters.get("POST members", 0)
        grants = args.participants - args.members
        print(
            f"Prolific, {args.participants} participants in {args.studies} studies, "
            f"{args.members} already in the group, {args.latency_ms:.0f} ms latency per request"
        )
        print(f"first plan calls (made / least): {made} / {least} = {made / least:.2f}")
        print(f"  by route: {dict(sorted(counters.items()))} (apply)")
        print(
            f"apply: {additions} membership calls for {grants} additions (least: {math.ceil(grants / BATCH)})"
        )
        print(f"plan {plan_time:.2f} s; apply (plans again, then adds) {apply_time:.2f} s")
        assert len(server.group_members(server.group_named(POOL_NAME) or "")) == args.participants


if __name__ == "__main__":
    main()
