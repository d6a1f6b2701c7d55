"""Capture files on disk: one YAML file per HIT under ``exclusions/locks/<target>/``.

Written with ruamel.yaml's round-trip dumper, so a comment a lab added survives; runs on one
machine take turns writing; the workers already in a file are always kept. The rules that
decide what a capture holds live in ``reconciler.core.captures``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from reconciler.core.model import Capture
from reconciler.lab.layout import Layout
from reconciler.lab.schemas import CAPTURE_SCHEMA
from reconciler.lab.yaml_writer import file_time, rewriting, sorted_list

HEADER = (
    "Written by `exclusions lock`, `plan` and `apply`: the workers of one HIT (or the participants\n"
    "of one Prolific study), kept because MTurk disposes of HITs 120 days after their creation and\n"
    "the repository is the lab's record. Commit it; do not edit it by hand."
)


def write_capture(layout: Layout, capture: Capture) -> Capture:
    """Write the capture with ruamel.yaml (round trip, so any comment a lab added survives) and
    return what was written.

    The workers already in the file are kept (the union is written): another run may have
    captured more since this one read the file. Runs on one machine take turns (a lock on the
    target's folder); each writes through a temporary file of its own.
    """
    path = layout.capture_file(capture.target, capture.hit_id)
    with rewriting(layout, path, CAPTURE_SCHEMA, HEADER) as document:
        on_disk = {worker for worker in document.get("workers") or () if isinstance(worker, str)}
        capture = replace(capture, workers=capture.workers | on_disk)
        values: dict[str, object] = {
            "format_version": 1,
            "target": capture.target,
            "hit_id": capture.hit_id,
            "hit_created": _iso(capture.hit_created),
            "hit_expiration": _iso(capture.hit_expiration),
            "hit_status": capture.hit_status,
            "hit_submitted": capture.hit_submitted,
            "read_at": _iso(capture.read_at),
            "complete": capture.complete,
            "workers": sorted_list(document.get("workers"), capture.workers),
        }
        for key, value in values.items():
            if value is None:
                document.pop(key, None)
            else:
                document[key] = value
    return replace(capture, path=path)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else file_time(moment)
