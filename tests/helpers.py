"""Running the command line as a user would: a separate process, its output and exit status."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.launcher import SERVER_OF_THIS_PROCESS

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLE = PROJECT / "exclusions"


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def clean_env(**extra: str) -> dict[str, str]:
    """An environment with no AWS configuration of the developer's, and fake credentials."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "GITHUB_"))}
    env.update(
        AWS_ACCESS_KEY_ID="AKIAFAKEFAKEFAKEFAKE",
        AWS_SECRET_ACCESS_KEY="fake/secret/for/tests/only",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        NO_COLOR="1",
        COLUMNS="120",
    )
    env.update(extra)
    return env


def exclusions(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 120
) -> Run:
    """Run ``exclusions ARGS`` in ``cwd`` as a separate process (forked from a process that has
    imported the tool already; see ``tests/launcher.py``)."""
    if not os.environ.get("EXCLUSIONS_TESTS_SPAWN"):
        finished = SERVER_OF_THIS_PROCESS.run(list(args), cwd, env or clean_env(), stdin, timeout)
        return Run(finished.status, finished.stdout, finished.stderr)
    completed = subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        cwd=cwd,
        env=env or clean_env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def copy_example(destination: Path) -> Path:
    """A fresh copy of the shipped example lab; returns the repository root."""
    shutil.copytree(EXAMPLE, destination / "exclusions", ignore=shutil.ignore_patterns("locks"))
    (destination / "exclusions" / "locks").mkdir()
    return destination


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.output, run.output
