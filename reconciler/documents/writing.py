"""Writing files whole or not at all, safely when several runs (or an emulator) write at once."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

if sys.platform != "win32":  # on Windows, runs are not locked against each other
    import fcntl


def atomic_write_text(path: Path, text: str, *, scratch: Path | None = None) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), scratch=scratch)


def atomic_write_bytes(path: Path, data: bytes, *, scratch: Path | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file of its own, then rename it into
    place: a crash leaves the old file or the new one, never half of either, and two writers
    never share a temporary file. The folder is synced too, so the rename itself survives a
    power loss.

    The temporary file is made in ``scratch`` when given (a git-ignored folder of the same
    repository), so a run killed before the rename leaves nothing in a folder that workflows
    commit; in ``path``'s own folder otherwise, or when ``scratch`` is on another file system."""
    if scratch is not None:
        scratch.mkdir(parents=True, exist_ok=True)
        try:
            _write_and_rename(path, data, scratch)
        except OSError as error:
            if error.errno != errno.EXDEV:  # a rename across file systems cannot be atomic
                raise
        else:
            _sync_folder(path.parent)
            return
    _write_and_rename(path, data, path.parent)
    _sync_folder(path.parent)


def _write_and_rename(path: Path, data: bytes, folder: Path) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _sync_folder(folder_path: Path) -> None:
    if sys.platform != "win32":  # folders cannot be opened for syncing on Windows
        folder = os.open(folder_path, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


@contextlib.contextmanager
def taking_turns(folder: Path, turn_files: Path) -> Iterator[None]:
    """Hold ``folder`` for the block, so two runs on one machine read-merge-write its files one
    after the other. The turn is taken on a file in ``turn_files`` (the git-ignored local
    folder) with an exclusive flock, so no folder a workflow commits ever holds one."""
    folder.mkdir(parents=True, exist_ok=True)
    if sys.platform == "win32":
        yield
        return
    turn_files.mkdir(parents=True, exist_ok=True)
    # One turn file per folder, named by its whole path (two targets' granted/ are different folders).
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    with (turn_files / f"{folder.name}-{digest}.turn").open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
