"""Writing study files (``exclusions import`` writes one), round trip, with the schema line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ruamel.yaml.comments import CommentedSeq

from reconciler.lab.layout import Layout
from reconciler.lab.schemas import STUDY_SCHEMA
from reconciler.lab.yaml_writer import new_document, write_yaml


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
    document = new_document(
        layout,
        path,
        STUDY_SCHEMA,
        f"Imported by `exclusions import` on {when:%Y-%m-%d}: the holders of the pool's qualification then.",
    )
    document["study"] = study_id
    document["title"] = title
    document["pools"] = CommentedSeq([pool])
    document["status"] = "active"
    document[key] = CommentedSeq(workers)
    write_yaml(layout, path, document)
