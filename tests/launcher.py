"""Start the command line as a separate process without paying its imports every time.

Most of the suite's time used to go into starting Python and importing boto3, botocore, jsonschema
and rich for each of about a thousand runs. A *fork server* (pre-commit and pytest-xdist users know
the idea from ``multiprocessing``'s forkserver) imports the command line once, then forks one child
per run. Each child is still a process of its own, exactly as a user's: its own working directory,
environment, standard streams and exit status, talking to the local MTurk over HTTP; only the
imports were done before the fork.

The server is single-threaded and never runs the tool itself, so a fork copies no lock held by
another thread. The test process hands the server the child's standard streams and the write end of
a status pipe (file descriptors passed over a Unix socket); the child writes its exit status there.
End of file on that pipe means the child is gone, whatever killed it, so waiting is on a condition,
never a sleep.

``EXCLUSIONS_TESTS_SPAWN=1`` runs every command with a plain ``python -m reconciler`` instead. The
workflow tests always do (they run the installed ``exclusions`` from a shell), so the real start-up
path stays covered.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

SERVER = r"""
import json, os, signal, socket, sys

# Everything a command may import, imported once here, before any fork.
import reconciler.cli
for name in reconciler.cli.COMMANDS:
    reconciler.cli.cli.get_command(None, name)
import reconciler.emulators.mturk.model  # botocore's model, which the embedded local target uses

signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
channel = socket.socket(fileno=int(sys.argv[1]))


def run(request, stdin, stdout, stderr, status):
    os.setsid()  # a group of its own, so a timeout can kill whatever it started
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for fd, given in ((0, stdin), (1, stdout), (2, stderr)):
        os.dup2(given, fd)
        os.close(given)
    sys.stdin = open(0, "r", closefd=False)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    sys.argv = ["exclusions", *request["args"]]
    code = 0
    try:
        reconciler.cli.main(request["args"])
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os.write(status, str(code).encode())
    os._exit(code)


while True:
    data, fds, _, _ = socket.recv_fds(channel, 1 << 20, 4)
    if not data:
        break
    pid = os.fork()
    if pid == 0:
        try:
            channel.close()
            run(json.loads(data), *fds)
        finally:
            os._exit(70)
    for fd in fds:
        os.close(fd)
    channel.send(str(pid).encode())
"""


@dataclass
class Finished:
    status: int
    stdout: str
    stderr: str


class ForkServer:
    """One fork server per test process, started on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: socket.socket | None = None

    def _start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._channel = ours

    def run(
        self, args: list[str], cwd: Path, env: dict[str, str], stdin: str | None, timeout: float
    ) -> Finished:
        with (
            tempfile.TemporaryFile() as given,
            tempfile.TemporaryFile() as out,
            tempfile.TemporaryFile() as err,
        ):
            given.write((stdin or "").encode())
            given.flush()
            given.seek(0)
            status_read, status_write = os.pipe()
            try:
                request = json.dumps({"args": args, "cwd": str(cwd), "env": env}).encode()
                with self._lock:
                    if self._process is None or self._process.poll() is not None:
                        self._start()
                    assert self._channel is not None
                    socket.send_fds(
                        self._channel, [request], [given.fileno(), out.fileno(), err.fileno(), status_write]
                    )
                    pid = int(self._channel.recv(64))
                os.close(status_write)
                status_write = -1
                code = _wait(pid, status_read, timeout)
            finally:
                os.close(status_read)
                if status_write != -1:
                    os.close(status_write)
            out.seek(0)
            err.seek(0)
            return Finished(code, out.read().decode(errors="replace"), err.read().decode(errors="replace"))


def _wait(pid: int, status_read: int, timeout: float) -> int:
    """The child's exit status from the status pipe; end of file once the child is gone."""
    ready, _, _ = select.select([status_read], [], [], timeout)
    if not ready:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        raise subprocess.TimeoutExpired(["exclusions"], timeout)
    received = b""
    while chunk := os.read(status_read, 64):
        received += chunk
    return int(received) if received else -signal.SIGKILL  # killed before it could say


SERVER_OF_THIS_PROCESS = ForkServer()
