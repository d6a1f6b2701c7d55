"""Does an apply use the whole rate limit, and no more?

    .venv/bin/python -m benchmarks.rate_limit [--grants 2000] [--latency-ms 50] [--rate 20]

The local MTurk (its own process) answers after LATENCY ms and throttles beyond RATE requests
per second (a token bucket, answering ThrottlingException as AWS does). The lab's target sets
`rate_limit: RATE`. We apply GRANTS grants and sample the server's counters every 0.25 s: the
sustained rate is the grants served between the first and the last, divided by that time.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.support import exclusions, serve, write_lab, write_seed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--grants", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--rate", type=float, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "seed.yaml"
        # One expired HIT per 100 workers, and no holders yet: the change is GRANTS grants.
        hit_ids = write_seed(seed, hits=args.grants // 100, assignments=100, holders=0, expired=True)
        with serve(seed, latency_ms=args.latency_ms, rate_limit=args.rate) as server:
            lab = write_lab(
                Path(tmp) / "lab",
                server.url,
                hit_ids,
                studies=1,
                target_extra=f"    rate_limit: {args.rate:g}\n",
            )
            exclusions(lab, "lock")  # capture first, so the apply below is grants only
            server.reset()
            samples: list[tuple[float, int]] = []
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    served = server.counters().get("AssociateQualificationWithWorker", {}).get("served", 0)
                    samples.append((time.perf_counter(), served))
                    time.sleep(0.25)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            elapsed, completed = exclusions(lab, "apply", "--auto-approve")
            done.set()
            sampler.join()
            counters = server.counters().get("AssociateQualificationWithWorker", {})
    first = next(t for t, n in samples if n > 0)
    last_time, last_count = next((t, n) for t, n in samples if n >= counters.get("served", 0))
    start_count = next(n for t, n in samples if t == first)
    rate = (last_count - start_count) / (last_time - first) if last_time > first else float("nan")
    print(
        f"apply of {args.grants} grants at {args.latency_ms:g} ms latency, rate limit {args.rate:g}/s: "
        f"{elapsed:.1f} s; grants served {counters.get('served')}, throttled {counters.get('throttled')}, "
        f"failed {counters.get('failed')}"
    )
    print(f"sustained {rate:.2f} grants/s = {rate / args.rate:.0%} of the rate limit (target >= 90%)")
    print(completed.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
