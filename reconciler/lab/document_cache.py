"""A cache of documents that passed the YAML reader and their schema, keyed by content.

Parsing and validating is most of a plan's local work, and a lab's files rarely change between
two runs. An entry holds a file's parsed data under the digest of its exact text and of the
rules that accepted it (this package's version, its YAML reader and schema code, and the schema
files), so an edited file, a new release or a changed schema is parsed and checked afresh:
whatever the reader refuses (YAML 1.1 booleans, duplicate keys, ...) never reaches the cache, and
the same bytes under the same rules always gave the same answer. Only documents without any
problem are kept (problems need line numbers, which only a parse gives).

The cache is JSON (never pickle: it may be restored from a shared CI cache), one file per
repository and section, under ``$XDG_CACHE_HOME/study-exclusions`` (``~/.cache/...``) or
``$EXCLUSIONS_CACHE_DIR``; ``EXCLUSIONS_CACHE=off`` turns it off. A missing, unreadable or
foreign file is an empty cache. Each save keeps only the entries this run used, so the file
never outgrows the repository, and replaces the file atomically.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from reconciler import __version__

# 2: long lists of text at a document's top level are stored as one string (see _pack).
FORMAT = 2
# The code whose behaviour decides what a document means and whether it is accepted.
_RULES = (
    "documents/yaml_reader.py",
    "documents/schema_messages.py",
    "lab/schemas.py",
    "lab/id_advice.py",
    "lab/document_cache.py",
    "emulators/mturk/seed.py",
)
# The schemas the package carries (reconciler/schemas/), in a source tree and in a wheel alike.
_SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"


def text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()


@cache
def rules_digest() -> str:
    digest = hashlib.blake2b(f"{FORMAT}:{__version__}".encode(), digest_size=20)
    package = Path(__file__).resolve().parents[1]
    for path in [package / name for name in _RULES] + sorted(_SCHEMA_DIR.glob("*.json")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def cache_folder() -> Path | None:
    if os.environ.get("EXCLUSIONS_CACHE", "").lower() in {"off", "0", "false", "no"}:
        return None
    configured = os.environ.get("EXCLUSIONS_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "study-exclusions"


class DocumentCache:
    """Validated documents of one section (the studies and config, or one target's captures)."""

    def __init__(self, file: Path | None) -> None:
        self.file = file
        self._stored: dict[str, list[Any]] = self._load() if file else {}
        self._used: dict[str, list[Any]] = {}
        self._changed = False

    @classmethod
    def for_section(cls, root: Path, section: str) -> DocumentCache:
        folder = cache_folder()
        if folder is None:
            return cls(None)
        name = hashlib.blake2b(f"{root.resolve()}\0{section}".encode(), digest_size=12).hexdigest()
        return cls(folder / f"{name}.json")

    def _load(self) -> dict[str, list[Any]]:
        assert self.file is not None
        try:
            with self.file.open(encoding="utf-8") as handle:
                stored = json.load(handle)
        except (OSError, ValueError):
            return {}
        if not isinstance(stored, dict) or stored.get("rules") != rules_digest():
            return {}
        entries = stored.get("entries")
        return entries if isinstance(entries, dict) else {}

    def get(self, path: Path, text: str, schema: str) -> tuple[Any, str] | None:
        """The data and first line stored for exactly this text of this file, if any."""
        if self.file is None:
            return None
        key = str(path)
        entry = self._stored.get(key)
        if not (isinstance(entry, list) and len(entry) == 5):
            return None
        digest, stored_schema, data, first_line, packed = entry
        if digest != text_digest(text) or stored_schema != schema:
            return None
        self._used[key] = entry
        return _unpack(data, packed), first_line

    def put(self, path: Path, text: str, schema: str, data: Any, first_line: str) -> None:
        if self.file is None or not _plain(data):
            return
        packed_data, packed = _pack(data)
        self._used[str(path)] = [text_digest(text), schema, packed_data, first_line, packed]
        self._changed = True

    def save(self) -> None:
        """Write the entries this run used, when they differ from the file's; never fails a run."""
        used, changed = self._used, self._changed or self._used.keys() != self._stored.keys()
        # The entries are not needed after this: let them go rather than hold a second copy.
        self._stored, self._used, self._changed = {}, {}, False
        if self.file is None or not changed:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
        except OSError:
            return  # a read-only home costs speed next time, nothing else
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"rules": rules_digest(), "entries": used}, out, separators=(",", ":"))
            os.replace(temporary, self.file)
        except OSError:
            Path(temporary).unlink(missing_ok=True)  # a full disk: same


def _pack(data: Any) -> tuple[Any, list[str]]:
    """``data`` with each top-level list of two or more texts (a study's or capture's IDs) joined
    into one string, and the keys so joined. The whole cache is read at once, and two million IDs
    as separate JSON strings held it at 120 MB more than one string per file."""
    if not isinstance(data, dict):
        return data, []
    packed = [
        key
        for key, value in data.items()
        if isinstance(value, list)
        and len(value) >= 2
        and all(type(item) is str and "\n" not in item for item in value)
    ]
    if not packed:
        return data, []
    return {key: "\n".join(value) if key in packed else value for key, value in data.items()}, packed


def _unpack(data: Any, packed: Any) -> Any:
    if not packed:
        return data
    return {key: value.split("\n") if key in packed else value for key, value in data.items()}


def _plain(data: Any) -> bool:
    """Whether JSON gives ``data`` back unchanged (string keys; no tuples, dates or other types)."""
    if isinstance(data, dict):
        return all(type(key) is str and _plain(value) for key, value in data.items())
    if isinstance(data, list):
        return all(_plain(item) for item in data)
    return data is None or type(data) in (str, int, bool) or (type(data) is float and not math.isnan(data))
