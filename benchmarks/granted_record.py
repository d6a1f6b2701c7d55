"""What the record of listed holders (locks/<target>/granted/<pool>.yaml) costs at scale.

    .venv/bin/python -m benchmarks.granted_record [--holders 10000,50000,200000] [--repeat 3]

For each size, in a temporary lab: writing the record the first time, rewriting it after one
holder changed (what an apply does), and reading it as a plan does, cold (parsed and checked
against its schema) and warm (from the cache of validated documents). Best of REPEAT, in seconds.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.labgen import fake_worker
from reconciler.core.model import GrantRecord
from reconciler.lab.granted import record_grants
from reconciler.lab.layout import Layout
from reconciler.lab.loading import LoadResult, load_grant_records

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def best(repeat: int, run: Callable[[], object], before: Callable[[], object] = lambda: None) -> float:
    times = []
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(holders: int, repeat: int, folder: Path) -> dict[str, float]:
    layout = Layout(folder)
    (folder / "exclusions").mkdir(parents=True)
    workers = frozenset(fake_worker(index) for index in range(holders))
    record = GrantRecord(workers, frozenset(f"study-{index:05d}" for index in range(holders // 100)))
    path = layout.granted_file("bench", "bench")

    def remove() -> None:
        path.unlink(missing_ok=True)

    first = best(repeat, lambda: record_grants(layout, "bench", "bench", record, NOW), remove)
    record_grants(layout, "bench", "bench", record, NOW)
    changed = GrantRecord(workers | {fake_worker(holders + 1)}, record.studies)
    rewrite = best(repeat, lambda: record_grants(layout, "bench", "bench", changed, NOW))

    def read() -> object:
        result = LoadResult(None)
        records = load_grant_records(layout, "bench", result)
        assert not result.problems and len(records["bench"].workers) == holders + 1
        return records

    cache = folder / "cache"
    os.environ["EXCLUSIONS_CACHE_DIR"] = str(cache)

    def clear_cache() -> None:
        for entry in cache.glob("**/*"):
            if entry.is_file():
                entry.unlink()

    cold = best(repeat, read, clear_cache)
    read()
    warm = best(repeat, read)
    return {
        "write": first,
        "rewrite": rewrite,
        "read cold": cold,
        "read warm": warm,
        "bytes": path.stat().st_size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--holders", default="10000,50000,200000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| holders | file | first write | rewrite after one change | read, cold | read, cached |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in (int(text) for text in args.holders.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            figures = measure(size, args.repeat, Path(folder))
        print(
            f"| {size:,} | {figures['bytes'] / 1e6:.1f} MB | {figures['write']:.2f} s | {figures['rewrite']:.2f} s "
            f"| {figures['read cold']:.2f} s | {figures['read warm']:.2f} s |"
        )


if __name__ == "__main__":
    main()
