"""Does an apply use the whole rate limit, and no more?

    .venv/bin/python -m benchmarks.rate_limit [--rates 5,10,20,50] [--seconds 20] [--latency-ms 50]

For each RATE, the local MTurk (its own process) answers after LATENCY ms and throttles beyond
RATE requests per second (a token bucket, answering ThrottlingException as AWS does). We apply
RATE x SECONDS grants twice: once with the lab's target setting `rate_limit: RATE`, once with no
client limit at all (the server's throttling alone sets the pace). The server's counters are
sampled every 0.25 s: the sustained rate is the grants served between the first sample showing
one and the first showing them all, divided by that time.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.support import Server, exclusions, serve, write_lab, write_seed

GRANT = "AssociateQualificationWithWorker"


def sustained(samples: list[tuple[float, int]], total: int) -> float:
    """Grants per second between the first sample with a grant and the first with all of them."""
    started = next(((t, n) for t, n in samples if n > 0), None)
    finished = next(((t, n) for t, n in samples if n >= total), None)
    if started is None or finished is None or finished[0] <= started[0]:
        return float("nan")
    return (finished[1] - started[1]) / (finished[0] - started[0])


def apply_sampled(server: Server, lab: Path) -> tuple[float, list[tuple[float, int]]]:
    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def served() -> int:
        return server.counters().get(GRANT, {}).get("served", 0)

    def sample() -> None:
        while not done.wait(0.25):
            samples.append((time.perf_counter(), served()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    elapsed, _ = exclusions(lab, "apply", "--auto-approve")
    done.set()
    sampler.join()
    # The last grants may land after the sampler's last look: one more sample, after the apply,
    # so every run has a sample showing all of them (an early end once crashed this script).
    samples.append((time.perf_counter(), served()))
    return elapsed, samples


def measure(tmp: Path, rate: float, seconds: float, latency_ms: float, client_limit: bool) -> str:
    grants = int(rate * seconds)
    name = f"{rate:g}-{'client' if client_limit else 'server'}"
    seed = tmp / f"{name}.yaml"
    # One expired HIT per 100 workers, and no holders yet: the change is GRANTS grants.
    hit_ids = write_seed(
        seed, hits=max(1, grants // 100), assignments=min(100, grants), holders=0, expired=True
    )
    with serve(seed, latency_ms=latency_ms, rate_limit=rate) as server:
        extra = f"    rate_limit: {rate:g}\n" if client_limit else ""
        lab = write_lab(tmp / name, server.url, hit_ids, studies=1, target_extra=extra)
        exclusions(lab, "lock")  # capture first, so the apply below is grants only
        server.reset()
        elapsed, samples = apply_sampled(server, lab)
        counters = server.counters().get(GRANT, {})
    total = counters.get("served", 0)
    rate_seen = sustained(samples, total)
    attempts = total + counters.get("throttled", 0)
    throttled_share = counters.get("throttled", 0) / attempts if attempts else 0.0
    return (
        f"| {'rate_limit: ' + format(rate, 'g') if client_limit else 'none'} | {rate:g}/s | {total:,} "
        f"| {elapsed:.1f} s | {rate_seen:.2f}/s = **{rate_seen / rate:.0%}** "
        f"| {counters.get('throttled', 0)} ({throttled_share:.1%}) | {counters.get('failed', 0)} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rates", default="5,10,20,50", help="Server limits, requests per second.")
    parser.add_argument("--seconds", type=float, default=20, help="Grants = rate x seconds.")
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--client-only", action="store_true", help="Only runs with rate_limit set.")
    parser.add_argument("--server-only", action="store_true", help="Only runs without rate_limit.")
    args = parser.parse_args()
    print(f"latency {args.latency_ms:g} ms")
    print("| client limit | server limit | grants | wall time | sustained | throttled | failed |")
    print("| --- | --- | ---: | ---: | --- | ---: | ---: |")
    modes = [True, False]
    if args.client_only:
        modes = [True]
    elif args.server_only:
        modes = [False]
    with tempfile.TemporaryDirectory() as tmp:
        for client_limit in modes:
            for rate in (float(r) for r in args.rates.split(",")):
                print(measure(Path(tmp), rate, args.seconds, args.latency_ms, client_limit), flush=True)


if __name__ == "__main__":
    main()
