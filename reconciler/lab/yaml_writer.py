"""The one writer of the lab's YAML files: ruamel.yaml's round trip, so a comment a lab added to a
file the tool rewrites survives, written whole (through the scratch folder, never beside the file
where a workflow would stage a leftover) and, for machine-written files, one run at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from reconciler.documents.writing import atomic_write_text, taking_turns
from reconciler.lab.layout import Layout
from reconciler.lab.yaml_files import parse_text


def _round_trip() -> YAML:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def file_time(moment: datetime) -> str:
    """A moment as every machine-written file records it: UTC, whole seconds, ``Z``."""
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def write_yaml(layout: Layout, path: Path, document: CommentedMap) -> None:
    buffer = StringIO()
    _round_trip().dump(document, buffer)
    atomic_write_text(path, buffer.getvalue(), scratch=layout.scratch)


def new_document(layout: Layout, path: Path, schema: str, header: str) -> CommentedMap:
    """An empty document whose first lines are the schema line editors read, then ``header``."""
    document = CommentedMap()
    document.yaml_set_start_comment(f"{layout.modeline_for(path, schema)[2:]}\n{header}")
    return document


@contextmanager
def rewriting(layout: Layout, path: Path, schema: str, header: str) -> Iterator[CommentedMap]:
    """A machine-written file, read (or started) under its folder's lock: the block edits the
    document, which is then written whole. Runs on one machine take turns, so each merges what
    the one before it wrote."""
    with taking_turns(path.parent, layout.turn_files):
        document = new_document(layout, path, schema, header)
        if path.is_file():
            document = _existing(path, path.read_text(encoding="utf-8"), document)
        yield document
        write_yaml(layout, path, document)


def _existing(path: Path, text: str, fresh: CommentedMap) -> CommentedMap:
    """The file's content to edit. Round trip when the file holds a comment the tool did not
    write; otherwise the C loader's plain data in ``fresh`` (the same first lines): a record of
    200,000 workers loads in one second instead of eleven, and nothing is lost."""
    own_lines = _start_comment(fresh)
    if text.startswith(own_lines) and "#" not in text[len(own_lines) :]:
        data = parse_text(path, text, allow_empty=True).data  # dates stay text, as written
        if isinstance(data, dict):
            fresh.update({key: _commented(value) for key, value in data.items()})
            return fresh
    loaded = _round_trip().load(text)
    return loaded if isinstance(loaded, CommentedMap) else fresh


def _start_comment(document: CommentedMap) -> str:
    buffer = StringIO()
    _round_trip().dump(document, buffer)  # an empty map: its comment lines, then "{}"
    return buffer.getvalue().rsplit("{}", 1)[0]


def sorted_list(existing: Any, values: Iterable[str]) -> CommentedSeq:
    """``values``, sorted, as the list to write in place of ``existing``: the comment a lab put on
    an item (``- AWORKER  # known bad actor``) stays with that item wherever it moves."""
    written = CommentedSeq(sorted(values))
    if isinstance(existing, CommentedSeq):
        by_value = {
            existing[index]: tokens for index, tokens in existing.ca.items.items() if index < len(existing)
        }
        for index, value in enumerate(written):
            if value in by_value:
                written.ca.items[index] = by_value[value]
        written.ca.comment = existing.ca.comment
    return written


def _commented(value: Any) -> Any:
    if isinstance(value, dict):
        return CommentedMap((key, _commented(item)) for key, item in value.items())
    if isinstance(value, list):
        return CommentedSeq(_commented(item) for item in value)
    return value
