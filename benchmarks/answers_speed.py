"""How long `exclusions holders`, `why`, `export` and `report` take on a large lab.

    .venv/bin/python -m benchmarks.answers_speed [--studies 100] [--workers 200] [--distinct 5000] [--repeat 3]

Generates a lab of STUDIES files in one pool, WORKERS worker IDs each drawn from DISTINCT IDs (so
studies overlap), then times each command end to end (process start included) and prints the
best and median of REPEAT runs. No platform is read: the answers come from the lab's files.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.labgen import fake_worker, make_lab


def timed(lab: Path, args: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", "reconciler", *args], cwd=lab, capture_output=True, text=True, check=False
        )
        times.append(time.perf_counter() - started)
        if run.returncode != 0:
            raise SystemExit(f"exclusions {' '.join(args)} failed: {run.stderr}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--studies", type=int, default=100)
    parser.add_argument("--workers", type=int, default=200)
    parser.add_argument("--distinct", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        lab = make_lab(
            Path(folder) / "lab",
            studies=args.studies,
            workers_per_study=args.workers,
            distinct_workers=args.distinct,
        )
        print(f"{args.studies} studies x {args.workers} workers, {args.distinct} distinct workers")
        commands = {
            "holders": ["holders", "deception", "--format", "json"],
            "why": ["why", fake_worker(1)],
            "export": ["export", "--out", str(Path(folder) / "export")],
            "report": ["report", "--out", str(Path(folder) / "report")],
        }
        for name, command in commands.items():
            times = timed(lab, command, args.repeat)
            print(f"{name:<8} best {min(times):.2f} s, median {statistics.median(times):.2f} s")


if __name__ == "__main__":
    main()
