"""Keeping the state on disk: a JSON snapshot plus an append-only journal.

Why two files: rewriting a multi-megabyte JSON file on every one of thousands of
AssociateQualificationWithWorker calls would collapse throughput, yet an answered
request must not be lost if the server process dies. So:

* every mutating request appends its records as one JSON line to the current journal
  (``<state>.journal.<generation>``) with a single ``write`` before the answer is sent.
  Once ``write`` returns the data is in the kernel, so a crash (even SIGKILL) of the
  server process loses nothing that was answered. The journal is not fsynced per
  request: an OS crash or power loss can lose the writes since the last compaction.
* a background compaction (every ``compact_interval`` seconds when something changed,
  and at stop) writes the whole state to a temporary file in the same directory,
  fsyncs it, ``os.replace``s it over the state file and fsyncs the directory, then
  deletes journals the new snapshot already contains. The state file is therefore
  always either the old or the new complete document, never a partial one.

One process at a time: ``open`` takes an exclusive lock (``<state>.lock``, held until
``close``), so a served local MTurk and the embedded ``local`` target, or two servers,
can never both write the same state and lose each other's writes; the second is refused
with a message saying who holds it.

On open, the snapshot is loaded and every journal of its generation or later replayed
(records are idempotent upserts; a torn last line is ignored), then compacted.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from reconciler.documents.writing import atomic_write_bytes
from reconciler.emulators.mturk.state import Record, State

FORMAT = "local-mturk-state/1"


class StateError(Exception):
    """The state file cannot be read (not JSON, or not a local MTurk state)."""


class StateStore:
    """The state, the lock every request takes, and (when ``path`` is set) its files."""

    def __init__(self, path: Path | None, *, compact_interval: float = 2.0) -> None:
        self.path = path
        self.state = State()
        # One lock for all state access: operations are dictionary work taking
        # microseconds, so a global lock costs little and makes every request atomic.
        self.lock = threading.RLock()
        self._compact_interval = compact_interval
        self._compact_lock = threading.Lock()
        self._generation = 0
        self._journal_fd: int | None = None
        self._pending = 0  # records journalled since the last compaction
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._process_lock: FileLock | None = None

    # -- files ------------------------------------------------------------------------------

    def _journal_path(self, generation: int) -> Path:
        assert self.path is not None
        return self.path.with_name(f"{self.path.name}.journal.{generation}")

    def _journals(self) -> list[tuple[int, Path]]:
        assert self.path is not None
        found = []
        for candidate in self.path.parent.glob(self.path.name + ".journal.*"):
            suffix = candidate.name.rsplit(".", 1)[-1]
            if suffix.isdigit():
                found.append((int(suffix), candidate))
        return sorted(found)

    def open(self) -> None:
        """Load the snapshot and journals, compact them, and start background compaction."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._take_process_lock()
        try:
            self._load()
        except BaseException:
            self._release_process_lock()
            raise
        self._thread = threading.Thread(target=self._compact_loop, name="local-mturk-compact", daemon=True)
        self._thread.start()

    def _owner_path(self) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + ".owner")

    def _take_process_lock(self) -> None:
        assert self.path is not None
        lock = FileLock(self.path.with_name(self.path.name + ".lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            try:
                owner = self._owner_path().read_text(encoding="utf-8").strip()
            except OSError:
                owner = "another process"
            raise StateError(
                f"{self.path} is in use by another local MTurk ({owner}). Only one process may "
                "serve a state at a time: stop that one first, or talk to it over HTTP (a target "
                "of kind mturk with its endpoint_url) instead of opening the same state again."
            ) from None
        self._process_lock = lock
        self._owner_path().write_text(f"process {os.getpid()}\n", encoding="utf-8")

    def _release_process_lock(self) -> None:
        if self._process_lock is not None:
            with contextlib.suppress(FileNotFoundError):
                self._owner_path().unlink()
            self._process_lock.release()
            self._process_lock = None

    def _load(self) -> None:
        assert self.path is not None
        if self.path.exists():
            try:
                document = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise StateError(f"{self.path}: cannot read the local MTurk state: {exc}") from exc
            if not isinstance(document, dict) or document.get("format") != FORMAT:
                raise StateError(f"{self.path}: not a local MTurk state file (format {FORMAT!r})")
            self._generation = int(document.get("journal_generation", 0))
            self.state.load_json(document)
        for generation, journal in self._journals():
            if generation >= self._generation:
                self._replay(journal)
        self.compact(force=True)

    def _replay(self, journal: Path) -> None:
        lines = journal.read_bytes().split(b"\n")
        for index, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                records = json.loads(line)
            except ValueError:
                if index >= len(lines) - 2:
                    break  # a line torn by a crash mid-write: it was never acknowledged
                raise StateError(f"{journal}: corrupt journal line {index + 1}") from None
            for record in records:
                self.state.apply(record)

    def log(self, records: list[Record]) -> None:
        """Journal the records of one request (caller holds the lock, before answering)."""
        if self._journal_fd is None or not records:
            return
        line = json.dumps(records, separators=(",", ":")).encode() + b"\n"
        os.write(self._journal_fd, line)
        self._pending += len(records)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"format": FORMAT, "journal_generation": self._generation, **self.state.to_json()}

    def compact(self, *, force: bool = False) -> None:
        """Write a fresh snapshot and drop the journals it makes redundant."""
        if self.path is None:
            return
        with self._compact_lock:
            with self.lock:
                if not force and self._pending == 0:
                    return
                # Switch to a new journal generation and serialise under the lock, so the
                # snapshot holds exactly the records of the older journals.
                self._generation += 1
                old_fd = self._journal_fd
                self._journal_fd = os.open(
                    self._journal_path(self._generation), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644
                )
                self._pending = 0
                document = {"format": FORMAT, "journal_generation": self._generation, **self.state.to_json()}
                generation = self._generation
            if old_fd is not None:
                os.close(old_fd)
            # No indent: the C encoder only runs without one, and this runs under load.
            atomic_write_bytes(self.path, json.dumps(document, separators=(",", ":")).encode())
            for older, journal in self._journals():
                if older < generation:
                    with contextlib.suppress(FileNotFoundError):
                        journal.unlink()

    def _compact_loop(self) -> None:
        while not self._stop.wait(self._compact_interval):
            self.compact()

    def close(self) -> None:
        """Final compaction; afterwards only the state file (and its empty lock file) remain."""
        if self.path is None:
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.compact(force=True)
        with self._compact_lock, self.lock:
            if self._journal_fd is not None:
                os.close(self._journal_fd)
                self._journal_fd = None
            with contextlib.suppress(FileNotFoundError):
                self._journal_path(self._generation).unlink()
        self._release_process_lock()
