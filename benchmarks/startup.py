"""How long the command line spends importing before it does anything.

    .venv/bin/python -m benchmarks.startup [--runs 7]

Each figure is the median over RUNS fresh processes of the time Python's `-X importtime` reports
for every module imported after start-up (the interpreter's own `site` and `encodings` left out):

- `--help` and `validate` (on a copy of the example lab), as a lab runs them;
- "every command" imports the module of each command, as `import reconciler.cli` did before the
  command registry became lazy: the time a `--help` used to pay.

It also says which of boto3, botocore, jsonschema, deepdiff, rich, ruamel.yaml and the emulator
each command loads.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
HEAVY = ("boto3", "botocore", "jsonschema", "deepdiff", "rich", "ruamel", "reconciler.emulators")
STARTUP = {"site", "encodings", "_frozen_importlib_external", "zipimport"}
EVERY_COMMAND = (
    "import importlib, reconciler.cli as c\n"
    "for spec, _ in c.COMMANDS.values(): importlib.import_module(spec.split(':')[0])"
)
REPORT_HEAVY = (
    "import atexit, sys\n"
    f"atexit.register(lambda: print('HEAVY', *sorted(h for h in {HEAVY!r} "
    "if any(m == h or m.startswith(h + '.') for m in sys.modules)), file=sys.stderr))\n"
)


def import_seconds(stderr: str) -> float:
    """The sum of the top-level imports' cumulative times (microseconds in the report)."""
    total = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line[len("import time:") :].split("|")
        # Nested imports are indented by two spaces a level after the one separating space.
        top_level = not name.startswith("  ")
        if top_level and name.strip() not in STARTUP:
            total += int(cumulative)
    return total / 1e6


def run(code: str, cwd: Path) -> tuple[float, str]:
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", REPORT_HEAVY + code],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode not in (0, 2):
        sys.exit(f"failed:\n{completed.stdout}{completed.stderr}")
    heavy = next((line for line in completed.stderr.splitlines() if line.startswith("HEAVY")), "HEAVY")
    return import_seconds(completed.stderr), heavy.removeprefix("HEAVY").strip()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    cli = "import sys\nfrom reconciler.cli import main\nsys.argv = ['exclusions', {}]\nmain()"
    cases = {
        "--help": cli.format("'--help'"),
        "validate": cli.format("'validate'"),
        "every command (before the lazy registry)": EVERY_COMMAND,
    }
    with tempfile.TemporaryDirectory() as tmp:
        lab = Path(tmp)
        shutil.copytree(PROJECT / "exclusions", lab / "exclusions")
        shutil.copytree(PROJECT / "schemas", lab / "schemas")
        results = {}
        for name, code in cases.items():
            times, heavy = [], ""
            for _ in range(args.runs):
                seconds, heavy = run(code, lab)
                times.append(seconds)
            results[name] = statistics.median(times)
            print(f"| {name} | {results[name]:.3f} s | {heavy or 'none'} |", flush=True)
    full = results["every command (before the lazy registry)"]
    for name in ("--help", "validate"):
        print(f"{name}: {results[name] / full:.0%} of every command's import time (target <= 33%)")


if __name__ == "__main__":
    main()
