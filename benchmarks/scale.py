"""How the local work of a plan grows with the repository, and its peak memory.

    .venv/bin/python -m benchmarks.scale [--sizes 200,2000,20000] [--workers-per-study 100]
        [--distinct 200000] [--network 2000]

Each study has one HIT whose capture is complete (so no HIT is read), listing WORKERS-PER-STUDY
workers drawn from DISTINCT worker IDs. For each size, a fresh process loads the repository
(reading and validating every study and capture), computes the desired holders, diffs them with
live holders equal to the desired ones but for 1% (so the plan has changes to render), and
renders the plan as text and JSON. Its time and peak resident memory are reported, with the
document cache off. Then two more fresh processes plan the same repository with the cache on:
the first fills it, the second (a repeated plan of an unchanged repository) loads from it.

With --network N, the lab of N studies is also planned end to end through the command line
against the local MTurk holding the same holders, to count the calls a plan makes: only the
pages of holders (and the pool's type lookup).
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks.labgen import fake_hit, fake_worker

CAPTURE = """\
# yaml-language-server: $schema=../../../schemas/capture.schema.json
format_version: 1
target: bench
hit_id: {hit_id}
hit_created: '{created}'
hit_status: Disposed
read_at: '{created}'
complete: true
workers:
{workers}
"""


def build(root: Path, studies: int, per_study: int, distinct: int, url: str = "http://127.0.0.1:9") -> None:
    from benchmarks.support import STUDY, write_lab

    hit_ids = [fake_hit(index) for index in range(studies)]
    write_lab(root, url, [], studies=0)
    locks = root / "exclusions" / "locks" / "bench"
    locks.mkdir(parents=True)
    created = (
        (datetime.now(UTC) - timedelta(days=200)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    )
    for index, hit_id in enumerate(hit_ids):
        study_id = f"bench-{index:05d}"
        (root / "exclusions" / "studies" / f"{study_id}.yaml").write_text(
            STUDY.format(study_id=study_id, index=index, hits=f"  - {hit_id}")
        )
        workers = sorted({fake_worker((index * per_study + slot) % distinct) for slot in range(per_study)})
        (locks / f"{hit_id}.yaml").write_text(
            CAPTURE.format(hit_id=hit_id, created=created, workers="\n".join(f"  - {w}" for w in workers))
        )


def measure(root: Path, cache: Path | None) -> dict[str, float]:
    """One plan's local work in a fresh process; ``cache``: the document cache's folder, or off."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("EXCLUSIONS_CACHE")}
    env.update({"EXCLUSIONS_CACHE_DIR": str(cache)} if cache else {"EXCLUSIONS_CACHE": "off"})
    answer = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", "--inner", str(root)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result: dict[str, float] = json.loads(answer.stdout)
    return result


def inner(root: Path) -> None:
    """One measurement, in this (fresh) process."""
    from rich.console import Console

    from reconciler.core.live import LiveQualificationType
    from reconciler.core.planner import Reading, make_plan
    from reconciler.ops.reading import HitWorkers, LivePool
    from reconciler.ops.session import load_run
    from reconciler.render.json import plan_to_json
    from reconciler.render.text import render_text

    started = time.perf_counter()
    inputs = load_run(root, None)
    repository, captures = inputs.repository, inputs.captures
    loaded = time.perf_counter()
    hit_workers = {hit_id: capture.workers for hit_id, capture in captures.items()}
    from reconciler.core.planner import desires

    wanted = desires(repository.config.pools, repository.studies, hit_workers, date.today())["bench"].values
    live_holders = dict(list(wanted.items())[: len(wanted) * 99 // 100])  # 1% to grant
    live_type = LiveQualificationType(
        "3BENCHTYPE", "Benchmark pool", "Took part in a benchmark study.", None, "Active", False
    )
    reading = Reading(
        {"bench": LivePool("bench", live_type, live_holders)},
        HitWorkers(hit_workers, [], [], len(hit_workers)),
    )
    planned_at = time.perf_counter()
    plan = make_plan(repository, reading, "bench", inputs.kind, datetime.now(UTC))
    diffed = time.perf_counter()
    render_text(plan, Console(file=io.StringIO(), width=120), show_worker_ids=False)
    json.dumps(plan_to_json(plan))
    rendered = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "load": loaded - started,
                "desired": planned_at - loaded,
                "diff": diffed - planned_at,
                "render": rendered - diffed,
                "total": rendered - started,
                "peak_mb": peak,
                "studies": len(repository.studies),
                "holders": len(wanted),
                "grants": plan.count("grants"),
            }
        )
    )


def network(root: Path, studies: int, per_study: int, distinct: int) -> None:
    from ruamel.yaml import YAML

    from benchmarks.support import exclusions, serve

    holders = sorted(
        {fake_worker((i * per_study + s) % distinct) for i in range(studies) for s in range(per_study)}
    )
    seed = root.parent / "seed.yaml"
    with seed.open("w") as handle:
        YAML(typ="safe", pure=False).dump(
            {
                "qualification_types": [
                    {
                        "name": "Benchmark pool",
                        "description": "Took part in a benchmark study.",
                        "holders": [{"worker_id": w, "value": 1} for w in holders],
                    }
                ]
            },
            handle,
        )
    with serve(seed) as server:
        config = root / "exclusions" / "config.yaml"
        config.write_text(config.read_text().replace("http://127.0.0.1:9", server.url))
        server.reset()
        elapsed, completed = exclusions(root, "plan", "--detailed-exitcode")
        calls = server.served()
    print(
        f"network: plan of {studies} studies, {len(holders)} holders through the CLI against the local MTurk: "
        f"{elapsed:.2f} s, exit {completed.returncode}, calls {dict(sorted(calls.items()))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="200,2000,20000")
    parser.add_argument("--workers-per-study", type=int, default=100)
    parser.add_argument("--distinct", type=int, default=200_000)
    parser.add_argument("--network", type=int, default=0, metavar="N")
    parser.add_argument("--inner", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.inner)
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(text) for text in args.sizes.split(",")):
            root = Path(tmp) / f"lab-{size}"
            build(root, size, args.workers_per_study, args.distinct)
            result = measure(root, None)
            results.append((size, result))
            print(
                f"{size:>6} studies, {result['holders']:>7} holders: total {result['total']:.2f} s "
                f"(load {result['load']:.2f}, desired {result['desired']:.2f}, diff {result['diff']:.2f}, "
                f"render {result['render']:.2f}), peak {result['peak_mb']:.0f} MB",
                flush=True,
            )
            filling = measure(root, Path(tmp) / f"cache-{size}")
            warm = measure(root, Path(tmp) / f"cache-{size}")
            print(
                f"{size:>6} studies, document cache: load {filling['load']:.2f} s filling it, "
                f"{warm['load']:.2f} s from it (x{result['load'] / warm['load']:.1f} faster than "
                f"{result['load']:.2f} s without; target >= x4), peak {warm['peak_mb']:.0f} MB",
                flush=True,
            )
        for (small, a), (large, b) in itertools.pairwise(results):
            print(f"x{large // small} studies: x{b['total'] / a['total']:.1f} time (target <= x12)")
        if args.network:
            root = Path(tmp) / f"lab-net-{args.network}"
            build(root, args.network, args.workers_per_study, args.distinct)
            network(root, args.network, args.workers_per_study, args.distinct)


if __name__ == "__main__":
    main()
