"""Does a plan read HITs with the least calls, whatever the lab's shape?

    .venv/bin/python -m benchmarks.hit_reading [--scenarios first,...]

Each scenario seeds a local MTurk (its own process, no added latency: only calls are counted)
with LIVE HITs of one approved assignment each, locks (captures completely) the HITs the lab
already knew, then adds a study naming the rest and counts the calls of one `plan`, against the
least any correct plan can make (`benchmarks.support.least_plan_calls`, from the inputs alone):

- `60-of-80`, `200-of-5000`, `20-of-5000`: that many uncaptured HITs among the account's HITs;
- `captured`: every HIT completely captured;
- `open-twice`: 80 HITs still open, planned twice; the second plan is counted (its captures
  were written by the first, and nobody submitted anything since).
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.support import exclusions, least_plan_calls, serve, write_lab, write_seed


@dataclass(frozen=True)
class Scenario:
    name: str
    live: int  # HITs on the account, every one named by the lab's studies
    uncaptured: int  # of those, not captured when the counted plan runs
    open: bool = False  # HITs still open (not expired), so never completely captured
    plan_twice: bool = False


SCENARIOS = {
    scenario.name: scenario
    for scenario in (
        Scenario("60-of-80", live=80, uncaptured=60),
        Scenario("200-of-5000", live=5000, uncaptured=200),
        Scenario("20-of-5000", live=5000, uncaptured=20),
        Scenario("captured", live=80, uncaptured=0),
        Scenario("open-twice", live=80, uncaptured=80, open=True, plan_twice=True),
    )
}


def run(scenario: Scenario, tmp: Path) -> tuple[dict[str, int], dict[str, int]]:
    seed = tmp / f"{scenario.name}.yaml"
    hit_ids = write_seed(seed, hits=scenario.live, assignments=1, holders=0, expired=not scenario.open)
    known = scenario.live - scenario.uncaptured
    with serve(seed) as server:
        lab = write_lab(tmp / scenario.name, server.url, hit_ids[:known], studies=1)
        if known:
            exclusions(lab, "lock")
        # The HITs the lab did not know yet, in a study of their own.
        write_lab(lab, server.url, hit_ids[known:], studies=1, first_index=1)
        if scenario.plan_twice:
            exclusions(lab, "plan")
        server.reset()
        exclusions(lab, "plan")
        made = server.served()
    # Open HITs planned twice: nobody submitted anything since the first plan's capture.
    with_new = 0 if scenario.plan_twice else scenario.uncaptured
    to_read = scenario.live if scenario.open else scenario.uncaptured
    least = least_plan_calls(to_read, 1, 0, live_hits=scenario.live, hits_with_new_workers=with_new)
    return made, least


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="Comma-separated names.")
    args = parser.parse_args()
    print("| scenario | calls made / least | ratio |")
    print("| --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.scenarios.split(","):
            made, least = run(SCENARIOS[name], Path(tmp))
            detail = ", ".join(
                f"{operation} {made.get(operation, 0)}/{least.get(operation, 0)}"
                for operation in sorted(set(made) | set(least))
            )
            total_made, total_least = sum(made.values()), sum(least.values())
            print(
                f"| {name} | {total_made} / {total_least} ({detail}) | **{total_made / total_least:.2f}** |",
                flush=True,
            )


if __name__ == "__main__":
    main()
