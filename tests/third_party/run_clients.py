"""Run third-party MTurk clients, unmodified, against a local MTurk; print what they did.

Usage (as .ci/run does it): ``python -m tests.third_party.run_clients --psiturk-python PATH
--dallinger-python PATH`` where each PATH is the Python of a virtual environment with that
client installed (pinned in .ci/run). Exits 1 if any call did not behave as on MTurk.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from reconciler.emulators.mturk import LocalMTurk

HERE = Path(__file__).parent


def run_client(client: str, python: str, script: str) -> int:
    """Run ``script`` with ``python`` against a fresh local MTurk; print and judge its results."""
    with LocalMTurk() as local:
        finished = subprocess.run(
            [python, str(HERE / script), local.endpoint_url],
            capture_output=True,
            text=True,
            timeout=300,
            env={
                "AWS_CONFIG_FILE": "/dev/null",
                "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                "PATH": "/usr/bin:/bin",
            },
        )
    results = [json.loads(line) for line in finished.stdout.splitlines() if line.startswith("{")]
    for result in results:
        mark = "ok  " if result["ok"] else "FAIL"
        print(f"{client:<9} {mark} {result['call']:<40} {result['operations']}")
        if not result["ok"]:
            print(f"{'':<14} {result['detail']}")
    print(f"{client}: {sum(r['ok'] for r in results)} of {len(results)} calls behave as on MTurk")
    if finished.returncode != 0 and not results:
        print(finished.stderr, file=sys.stderr)
    return 0 if finished.returncode == 0 and results and all(r["ok"] for r in results) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--psiturk-python", required=True, help="Python of a venv with psiTurk installed")
    parser.add_argument("--dallinger-python", required=True, help="Python of a venv with Dallinger installed")
    arguments = parser.parse_args()
    statuses = [
        run_client("psiTurk", arguments.psiturk_python, "psiturk_calls.py"),
        run_client("Dallinger", arguments.dallinger_python, "dallinger_calls.py"),
    ]
    return max(statuses)


if __name__ == "__main__":
    sys.exit(main())
