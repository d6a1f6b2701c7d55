"""The one writer of the lab's YAML files: ruamel.yaml's round trip, so a comment a lab added to a
file the tool rewrites survives, written whole (through the scratch folder, never beside the file
where a workflow would stage a leftover) and, for machine-written files, one run at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from reconciler.lab.layout import Layout
from reconciler.lab.writing import atomic_write_text, locked


def _round_trip() -> YAML:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


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
    with locked(path.parent):
        document: CommentedMap
        if path.is_file():
            loaded = _round_trip().load(path.read_text(encoding="utf-8"))
            document = (
                loaded if isinstance(loaded, CommentedMap) else new_document(layout, path, schema, header)
            )
        else:
            document = new_document(layout, path, schema, header)
        yield document
        write_yaml(layout, path, document)
