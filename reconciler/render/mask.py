"""Masking worker IDs, which ethics boards count as personal data.

A masked ID keeps its first two characters and just enough of its end to tell it apart from
every other ID shown alongside it, and always hides at least three characters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

ELLIPSIS = "…"
MIN_SUFFIX = 3
MIN_HIDDEN = 3


def make_masker(worker_ids: Iterable[str], *, show: bool = False) -> Callable[[str], str]:
    """A function masking each of ``worker_ids`` (or showing them whole, with ``show``)."""
    if show:
        return lambda worker_id: worker_id
    ids = set(worker_ids)
    longest = max((len(worker_id) for worker_id in ids), default=0)
    suffix = MIN_SUFFIX
    while suffix < longest and len({_mask(worker_id, suffix) for worker_id in ids}) < len(ids):
        suffix += 1
    return lambda worker_id: _mask(worker_id, suffix)


def _mask(worker_id: str, suffix: int) -> str:
    keep = max(0, min(suffix, len(worker_id) - 2 - MIN_HIDDEN))
    return worker_id[:2] + ELLIPSIS + (worker_id[-keep:] if keep else "")
