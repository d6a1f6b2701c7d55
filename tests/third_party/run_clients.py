"""Run third-party MTurk clients, unmodified, against a local MTurk; print what they did.

Usage (as .ci/run does it): ``python -m tests.third_party.run_clients --psiturk-python PATH``
where PATH is the Python of a virtual environment with psiTurk installed (pinned in
.ci/run). Exits 1 if any call did not behave as on MTurk.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from reconciler.emulators.mturk import LocalMTurk

HERE = Path(__file__).parent


def run_psiturk(python: str) -> int:
    with LocalMTurk() as local:
        finished = subprocess.run(
            [python, str(HERE / "psiturk_calls.py"), local.endpoint_url],
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
        print(f"psiTurk  {mark} {result['call']:<40} {result['operations']}")
        if not result["ok"]:
            print(f"         {result['detail']}")
    print(f"psiTurk: {sum(r['ok'] for r in results)} of {len(results)} calls behave as on MTurk")
    if finished.returncode != 0 and not results:
        print(finished.stderr, file=sys.stderr)
    return 0 if finished.returncode == 0 and results and all(r["ok"] for r in results) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--psiturk-python", required=True, help="Python of a venv with psiTurk installed")
    return run_psiturk(parser.parse_args().psiturk_python)


if __name__ == "__main__":
    sys.exit(main())
