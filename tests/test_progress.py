"""On a terminal, apply shows a progress bar; in a log it shows none."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e import Lab, emulator
from tests.helpers import clean_env


def run_in_terminal(lab: Lab, *args: str, timeout: float = 120) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as its stdin, stdout and stderr, as a person would."""
    main, secondary = pty.openpty()
    env = clean_env(AWS_MAX_ATTEMPTS="3", TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        cwd=lab.root,
        env=env,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        close_fds=True,
    )
    os.close(secondary)
    output = bytearray()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output.extend(chunk)
        elif process.poll() is not None:
            break
    os.close(main)
    return process.wait(timeout=10), output.decode(errors="replace")


def test_apply_on_a_terminal_shows_progress_and_whole_worker_ids(tmp_path: Path) -> None:
    with emulator(tmp_path, latency_ms=20) as server:
        lab = Lab(tmp_path / "lab", server, max_concurrency=2)
        lab.write_study("crowd", workers=[f"ACROWD{index:06d}" for index in range(60)])
        status, output = run_in_terminal(lab, "apply", "--auto-approve")
        assert status == 0, output
        assert "applying" in output  # the progress bar's label
        assert "ACROWD000000" in output  # a person at a terminal sees whole IDs
        assert "Apply complete: 68 granted" in output


def test_apply_in_a_log_shows_no_progress_bar(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        run = lab.run("apply", "--auto-approve")
        assert run.status == 0
        assert "applying" not in run.output
