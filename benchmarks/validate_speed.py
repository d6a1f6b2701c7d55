"""How long `exclusions validate` takes on a large lab.

    .venv/bin/python -m benchmarks.validate_speed [--studies 1000] [--workers 100] [--repeat 3]

Generates a lab of STUDIES files of WORKERS worker IDs each in a temporary folder, then times the
command line end to end (process start included) and prints the best and median of REPEAT runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.labgen import make_lab


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--studies", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        lab = make_lab(Path(folder) / "lab", studies=args.studies, workers_per_study=args.workers)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            run = subprocess.run(
                [sys.executable, "-m", "reconciler", "validate"],
                cwd=lab,
                capture_output=True,
                text=True,
                check=False,
            )
            times.append(time.perf_counter() - started)
            if run.returncode != 0:
                sys.exit(f"validate failed:\n{run.stdout}{run.stderr}")
    print(
        f"validate: {args.studies} studies x {args.workers} workers: "
        f"best {min(times):.2f} s, median {statistics.median(times):.2f} s over {args.repeat} runs"
    )


if __name__ == "__main__":
    main()
