"""Benchmark plumbing: the local MTurk in a process of its own, seeds, and running the CLI."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from benchmarks.labgen import fake_hit, fake_worker

POOL_NAME = "Benchmark pool"
CONFIG = """\
# yaml-language-server: $schema=../schemas/config.schema.json
version: 1
default_target: bench
targets:
  bench:
    kind: mturk
    endpoint_url: {url}
{extra}pools:
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
CLIENT_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIABENCHMARK",
    "AWS_SECRET_ACCESS_KEY": "benchmark-only",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]

    def counters(self) -> dict[str, dict[str, int]]:
        with urllib.request.urlopen(f"{self.url}/_local/counters", timeout=10) as answer:
            data: dict[str, dict[str, int]] = json.load(answer)
        return data.get("counters", data)  # type: ignore[return-value]

    def served(self) -> dict[str, int]:
        return {op: counts["served"] for op, counts in self.counters().items() if counts.get("served")}

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/_local/counters/reset", data=b"{}", method="POST")
        urllib.request.urlopen(request, timeout=10).close()


@contextmanager
def serve(seed: Path, *, latency_ms: float = 0, rate_limit: float | None = None) -> Iterator[Server]:
    """``exclusions local serve`` in its own process, so the client's work never slows it."""
    command = [
        sys.executable,
        "-m",
        "reconciler",
        "local",
        "serve",
        "--seed",
        str(seed),
        "--latency-ms",
        str(latency_ms),
    ]
    if rate_limit:
        command += ["--rate-limit", str(rate_limit)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError("the local MTurk did not start")
        yield Server(url, process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def write_seed(path: Path, *, hits: int, assignments: int, holders: int, expired: bool) -> list[str]:
    """HITs of distinct workers and a qualification whose holders are the first participants.

    ``expired`` HITs are past their expiration with nothing pending, so their first read
    captures them completely; otherwise they stay open for 30 days.
    """
    created = datetime.now(UTC) - timedelta(days=5)
    participants = [fake_worker(index) for index in range(hits * assignments)]
    seed: dict[str, Any] = {
        "hits": [
            {
                "hit_id": fake_hit(index),
                "created": created.isoformat().replace("+00:00", "Z"),
                "lifetime_seconds": 86400 if expired else 30 * 86400,
                "max_assignments": assignments,
                "assignments": [
                    {"worker_id": participants[index * assignments + slot], "status": "Approved"}
                    for slot in range(assignments)
                ],
            }
            for index in range(hits)
        ],
        "qualification_types": [
            {
                "name": POOL_NAME,
                "description": "Took part in a benchmark study.",
                "holders": [{"worker_id": worker, "value": 1} for worker in participants[:holders]],
            }
        ],
    }
    with path.open("w") as handle:
        YAML(typ="safe", pure=False).dump(seed, handle)
    return [fake_hit(index) for index in range(hits)]


def write_lab(
    root: Path,
    url: str,
    hit_ids: list[str],
    *,
    studies: int,
    target_extra: str = "",
    first_index: int = 0,
) -> Path:
    """A lab naming ``hit_ids`` in ``studies`` study files, numbered from ``first_index`` (a
    second call with a higher one adds studies beside the first's)."""
    (root / "exclusions" / "studies").mkdir(parents=True, exist_ok=True)
    (root / "exclusions" / "config.yaml").write_text(
        CONFIG.format(url=url, name=POOL_NAME, extra=target_extra)
    )
    per_study = max(1, math.ceil(len(hit_ids) / max(1, studies)))
    for offset in range(studies):
        chunk = hit_ids[offset * per_study : (offset + 1) * per_study]
        index = first_index + offset
        if chunk:
            study_id = f"bench-{index:05d}"
            hits = "\n".join(f"  - {hit}" for hit in chunk)
            (root / "exclusions" / "studies" / f"{study_id}.yaml").write_text(
                STUDY.format(study_id=study_id, index=index, hits=hits)
            )
    return root


def exclusions(
    lab: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run the command line in ``lab`` and time it; any status but 0 or 2 ends the benchmark.
    ``env``: the whole environment (default: this one, with the benchmark's fake AWS client)."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        cwd=lab,
        capture_output=True,
        text=True,
        check=False,
        env=env or {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, **CLIENT_ENV},
    )
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 2):
        sys.exit(f"exclusions {' '.join(args)} failed:\n{completed.stdout}{completed.stderr}")
    return elapsed, completed


def least_plan_calls(
    hits_to_read: int,
    assignments: int,
    holders: int,
    pools: int = 1,
    *,
    live_hits: int | None = None,
    hits_with_new_workers: int | None = None,
) -> dict[str, int]:
    """The fewest calls any correct plan can make, from the scenario's inputs alone: find each
    pool's type, read every page of holders, learn the state and counts of each HIT not completely
    captured (one ``GetHIT`` each, or every ``ListHITs`` page of the account's LIVE_HITS HITs,
    whichever is fewer), and list the assignments of those with workers not yet captured."""
    live = hits_to_read if live_hits is None else live_hits
    with_new = hits_to_read if hits_with_new_workers is None else hits_with_new_workers
    listing_pages = max(1, math.ceil(live / 100))
    least = {
        "ListQualificationTypes": pools,
        "ListWorkersWithQualificationType": max(1, math.ceil(holders / 100)),
        "ListAssignmentsForHIT": with_new * max(1, math.ceil(assignments / 100)),
    }
    if hits_to_read and listing_pages < hits_to_read:
        least["ListHITs"] = listing_pages
    else:
        least["GetHIT"] = hits_to_read
    return {operation: count for operation, count in least.items() if count}
