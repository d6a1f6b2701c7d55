"""The lab's YAML files, read with the project's hardened reader (``reconciler.documents``): what
it finds is turned into the lab's located problems."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reconciler.core.problems import InvalidInput, Problem
from reconciler.documents import yaml_reader
from reconciler.documents.findings import DocumentError, Finding
from reconciler.documents.yaml_reader import (
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    MAX_FILE_BYTES,
    Document,
    JsonPointer,
    locate,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPANDED_NODES",
    "MAX_FILE_BYTES",
    "Document",
    "JsonPointer",
    "as_problems",
    "locate",
    "parse_text",
    "read_document",
    "read_text",
]


def as_problems(findings: list[Finding]) -> list[Problem]:
    return [Problem(f.path, f.message, f.hint, f.line, f.column) for f in findings]


@contextmanager
def _as_invalid_input() -> Iterator[None]:
    try:
        yield
    except DocumentError as error:
        raise InvalidInput(as_problems(error.findings)) from None


def read_document(path: Path, *, root: Path | None = None, allow_empty: bool = False) -> Document:
    """Parse one YAML file, raising ``InvalidInput`` with a located problem when it cannot be used."""
    with _as_invalid_input():
        return yaml_reader.read_document(path, root=root, allow_empty=allow_empty)


def parse_text(path: Path, text: str, *, allow_empty: bool = False) -> Document:
    """Parse the text of ``path`` (as ``read_text`` returned it); see ``read_document``."""
    with _as_invalid_input():
        return yaml_reader.parse_text(path, text, allow_empty=allow_empty)


def read_text(path: Path, *, root: Path | None = None) -> str:
    """The file's text, refusing what no YAML file of ours should be."""
    with _as_invalid_input():
        return yaml_reader.read_text(path, root=root)
