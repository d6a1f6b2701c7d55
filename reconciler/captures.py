"""Captures: the workers of each HIT, kept in git because MTurk disposes of HITs after 120 days.

A capture only ever grows: a re-read that returns fewer workers (an API hiccup, a HIT being
disposed) keeps the union. A capture is complete once no worker can be added any more, and a
complete capture is never read again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from io import StringIO

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from reconciler.files import atomic_write_text, locked
from reconciler.layout import Layout
from reconciler.model import Capture
from reconciler.platform.base import HitReading
from reconciler.schemas import CAPTURE_SCHEMA

DISPOSAL_AGE = timedelta(days=120)  # MTurk disposes of a HIT this long after its creation
DISPOSED = "Disposed"
HEADER = (
    "Written by `exclusions lock`, `plan` and `apply`: the workers of one HIT, kept because MTurk\n"
    "disposes of HITs 120 days after their creation. Commit it; do not edit it by hand."
)


def known_disposed(capture: Capture | None, now: datetime) -> bool:
    """Whether the capture alone proves MTurk has disposed of the HIT (no call needed)."""
    return bool(capture and capture.hit_created and now - capture.hit_created >= DISPOSAL_AGE)


def needs_reading(capture: Capture | None, now: datetime) -> bool:
    return capture is None or not (capture.complete or known_disposed(capture, now))


def disposal_date(capture: Capture | None, reading: HitReading | None) -> datetime | None:
    created = reading.created if reading else capture.hit_created if capture else None
    return created + DISPOSAL_AGE if created else None


def merge_reading(target: str, previous: Capture | None, reading: HitReading, now: datetime) -> Capture:
    """The capture after a successful read: the union of workers, and whether it is complete."""
    workers = reading.workers | (previous.workers if previous else frozenset())
    expired = reading.expiration is not None and reading.expiration <= now
    return Capture(
        target=target,
        hit_id=reading.hit_id,
        read_at=now,
        complete=reading.status == DISPOSED or (expired and reading.pending == 0),
        workers=workers,
        # Whole seconds, as the file keeps them, so an unchanged HIT compares equal to its capture.
        hit_created=reading.created.replace(microsecond=0),
        hit_expiration=reading.expiration.replace(microsecond=0) if reading.expiration else None,
        hit_status=reading.status,
        path=previous.path if previous else None,
    )


def mark_disposed(previous: Capture, now: datetime) -> Capture:
    """MTurk no longer knows the HIT: the capture is all there will ever be."""
    return replace(previous, complete=True, hit_status=DISPOSED, read_at=now)


def differs(old: Capture | None, new: Capture) -> bool:
    """Whether writing ``new`` changes anything but the time of reading (keeps git diffs quiet)."""
    if old is None:
        return True
    return replace(old, read_at=new.read_at, path=None) != replace(new, path=None)


def write_capture(layout: Layout, capture: Capture) -> Capture:
    """Write the capture with ruamel.yaml (round trip, so any comment a lab added survives) and
    return what was written.

    The workers already in the file are kept (the union is written): another run may have
    captured more since this one read the file. Runs on one machine take turns (a lock on the
    target's folder); each writes through a temporary file of its own.
    """
    path = layout.capture_file(capture.target, capture.hit_id)
    with locked(path.parent):
        yaml = YAML()
        yaml.indent(mapping=2, sequence=4, offset=2)
        document: CommentedMap
        if path.is_file():
            loaded = yaml.load(path.read_text(encoding="utf-8"))
            document = loaded if isinstance(loaded, CommentedMap) else CommentedMap()
            on_disk = {worker for worker in document.get("workers") or () if isinstance(worker, str)}
            capture = replace(capture, workers=capture.workers | on_disk)
        else:
            document = CommentedMap()
            document.yaml_set_start_comment(f"{layout.modeline_for(path, CAPTURE_SCHEMA)[2:]}\n{HEADER}")
        values: dict[str, object] = {
            "format_version": 1,
            "target": capture.target,
            "hit_id": capture.hit_id,
            "hit_created": _iso(capture.hit_created),
            "hit_expiration": _iso(capture.hit_expiration),
            "hit_status": capture.hit_status,
            "read_at": _iso(capture.read_at),
            "complete": capture.complete,
            "workers": CommentedSeq(sorted(capture.workers)),
        }
        for key, value in values.items():
            if value is None:
                document.pop(key, None)
            else:
                document[key] = value
        buffer = StringIO()
        yaml.dump(document, buffer)
        atomic_write_text(path, buffer.getvalue())
    return replace(capture, path=path)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
