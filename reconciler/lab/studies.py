"""Writing study files (``exclusions import`` writes one), round trip, with the schema line."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from reconciler.lab.layout import Layout
from reconciler.lab.schemas import STUDY_SCHEMA
from reconciler.lab.writing import atomic_write_text


def write_imported_study(
    layout: Layout,
    path: Path,
    study_id: str,
    pool: str,
    title: str,
    workers: list[str],
    when: datetime,
    key: str = "workers",
) -> None:
    """``key`` is where the IDs go: ``workers`` (MTurk) or ``participants`` (Prolific)."""
    document = CommentedMap()
    document.yaml_set_start_comment(
        layout.modeline_for(path, STUDY_SCHEMA)[2:]
        + f"\nImported by `exclusions import` on {when:%Y-%m-%d}: the holders of the pool's qualification then."
    )
    document["study"] = study_id
    document["title"] = title
    document["pools"] = CommentedSeq([pool])
    document["status"] = "active"
    document[key] = CommentedSeq(workers)
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = StringIO()
    yaml.dump(document, buffer)
    atomic_write_text(path, buffer.getvalue(), scratch=layout.scratch)
