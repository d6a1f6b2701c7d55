"""Throughput of the local MTurk, measured from boto3 the way the reconciler calls it.

Starts ``exclusions local serve`` with a state file in a temporary directory (its own
process, as a developer runs it), then

1. grants a qualification to ``--holders`` workers with AssociateQualificationWithWorker
   from ``--threads`` client threads (every answered write is journalled to disk), and
2. reads ListWorkersWithQualificationType pages of 100 (MaxResults=100, walking the
   NextToken chain and starting over) from ``--threads`` threads for ``--seconds``.

Both phases are bounded (by the number of holders and by time). Prints requests/second
for each and the command that reproduces the run.

    .venv/bin/python benchmarks/local_mturk_throughput.py --holders 10000 --seconds 10 --threads 4
"""

from __future__ import annotations

import argparse
import os
import select
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config


def client(url: str, threads: int) -> Any:
    config = Config(max_pool_connections=threads * 2, retries={"total_max_attempts": 1, "mode": "standard"})
    return boto3.client(
        "mturk",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIDBENCHMARK",
        aws_secret_access_key="fake",
        config=config,
    )


def start_server(state: Path) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "reconciler", "local", "serve", "--state", str(state)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 30)
    if not ready:
        process.kill()
        raise SystemExit("the local MTurk did not start within 30 s")
    return process, process.stdout.readline().strip()


def grant(mturk: Any, type_id: str, holders: int, threads: int) -> float:
    workers = [f"A{index:08d}BENCH" for index in range(holders)]

    def run(chunk: list[str]) -> None:
        for worker in chunk:
            mturk.associate_qualification_with_worker(
                QualificationTypeId=type_id, WorkerId=worker, IntegerValue=1
            )

    chunks = [workers[i::threads] for i in range(threads)]
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(run, chunks))
    return holders / (time.perf_counter() - started)


def read_pages(mturk: Any, type_id: str, seconds: float, threads: int) -> tuple[float, int]:
    deadline = time.perf_counter() + seconds
    counts = [0] * threads
    lock = threading.Lock()

    def run(slot: int) -> None:
        token: str | None = None
        while time.perf_counter() < deadline:
            params: dict[str, Any] = {"QualificationTypeId": type_id, "MaxResults": 100}
            if token:
                params["NextToken"] = token
            page = mturk.list_workers_with_qualification_type(**params)
            token = page.get("NextToken")
            with lock:
                counts[slot] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(run, range(threads)))
    total = sum(counts)
    return total / (time.perf_counter() - started), total


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--holders", type=int, default=10_000, help="qualification holders to grant")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of the page-reading phase")
    parser.add_argument("--threads", type=int, default=4, help="boto3 client threads")
    args = parser.parse_args()
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        os.environ[name] = os.devnull

    with tempfile.TemporaryDirectory() as folder:
        process, url = start_server(Path(folder) / "state.json")
        try:
            mturk = client(url, args.threads)
            type_id = mturk.create_qualification_type(
                Name="Benchmark", Description="throughput", QualificationTypeStatus="Active"
            )["QualificationType"]["QualificationTypeId"]
            writes = grant(mturk, type_id, args.holders, args.threads)
            reads, pages = read_pages(mturk, type_id, args.seconds, args.threads)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(30)

    command = "python benchmarks/local_mturk_throughput.py " + shlex.join(
        ["--holders", str(args.holders), "--seconds", str(args.seconds), "--threads", str(args.threads)]
    )
    print(f"command: {command}")
    print(f"cpus: {os.cpu_count()}, python {sys.version.split()[0]}")
    print(f"AssociateQualificationWithWorker (journalled state file): {writes:.0f} requests/s")
    print(f"ListWorkersWithQualificationType, MaxResults=100, {args.holders} holders: {reads:.0f} requests/s")
    print(f"  ({pages} pages in {args.seconds:g} s = {reads * 100:.0f} qualifications/s)")


if __name__ == "__main__":
    main()
