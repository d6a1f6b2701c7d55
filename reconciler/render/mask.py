"""Masking worker IDs, which ethics boards count as personal data.

A masked ID shows a few leading and trailing characters around an ellipsis (``AE…0001``): just
enough to tell it from every other ID shown alongside it, and never the whole ID.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace

from reconciler.core.problems import Problem

ELLIPSIS = "…"
MIN_PREFIX = 2
MIN_SUFFIX = 3
# Anything shaped like an MTurk worker ID or a Prolific participant ID (24 hexadecimal characters).
_TOKEN = re.compile(r"A[A-Z0-9]+|\b[0-9a-f]{24}\b")


def make_masker(worker_ids: Iterable[str], *, show: bool = False) -> Callable[[str], str]:
    """A function masking each of ``worker_ids`` (or showing them whole, with ``show``).

    Each ID gets its own shape (characters kept before and after the ellipsis). Two masks can only
    be equal if they have the same shape and the same characters, so an ID whose kept prefix is
    longer than any prefix it shares with another ID (or whose kept suffix is longer than any
    shared suffix) is told apart from all of them. Of the shapes that do that, the one showing
    the fewest characters is used; at least one character is always hidden.
    """
    if show:
        return lambda worker_id: worker_id
    ids = set(worker_ids)
    prefix_shared = _longest_shared(ids, lambda text: text)
    suffix_shared = _longest_shared(ids, lambda text: text[::-1])
    shapes = {worker_id: _shape(worker_id, prefix_shared, suffix_shared) for worker_id in ids}

    def mask(worker_id: str) -> str:
        prefix, suffix = shapes.get(worker_id) or _fits(len(worker_id), MIN_PREFIX, MIN_SUFFIX)
        return worker_id[:prefix] + ELLIPSIS + (worker_id[len(worker_id) - suffix :] if suffix else "")

    return mask


def mask_in_text(text: str, mask: Callable[[str], str], worker_ids: Collection[str]) -> str:
    """``text`` (an error message from the platform, say) with each of ``worker_ids`` masked."""
    return _TOKEN.sub(lambda match: mask(match[0]) if match[0] in worker_ids else match[0], text)


# A worker ID as the schema accepts it (8 characters or more); HIT and type IDs start with a digit.
_WORKER_SHAPED = re.compile(r"\bA[A-Z0-9]{7,}\b")
# A quoted value in a message about a worker entry (``"afakeworker1" is not a valid ... (at
# workers[2])``): not a valid ID, but very likely someone's ID all the same.
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")


def mask_worker_ids_in_messages(messages: list[str], *, show: bool = False) -> list[str]:
    """``messages`` (validation problems, say) with every worker ID in them masked: anything
    shaped like one, and any quoted value in a message about a ``workers`` entry. The masks
    are made over all the messages at once, so two IDs are told apart wherever they appear."""
    if show:
        return list(messages)
    shaped: set[str] = set()
    quoted: set[str] = set()
    for message in messages:
        shaped.update(_WORKER_SHAPED.findall(message))
        if "workers[" in message or "participants[" in message:
            quoted.update(a or b for a, b in _QUOTED.findall(message) if a or b)
    if not shaped and not quoted:
        return list(messages)
    mask = make_masker(shaped | quoted)

    def masked(message: str) -> str:
        # A quoted value is masked only inside its quotes ("no" is not the "no" of "not").
        message = _QUOTED.sub(
            lambda match: match[0] if (match[1] or match[2]) not in quoted else _requote(match, mask), message
        )
        return _WORKER_SHAPED.sub(lambda match: mask(match[0]) if match[0] in shaped else match[0], message)

    return [masked(message) for message in messages]


def _requote(match: re.Match[str], mask: Callable[[str], str]) -> str:
    quote = match[0][0]
    return f"{quote}{mask(match[1] or match[2])}{quote}"


def _longest_shared(ids: set[str], key: Callable[[str], str]) -> dict[str, int]:
    """For each ID, the longest prefix of ``key(id)`` it shares with any other ID: in sorted
    order, the longest is always shared with a neighbour."""
    ordered = sorted(ids, key=key)
    shared = dict.fromkeys(ordered, 0)
    for before, after in itertools.pairwise(ordered):
        # Character by character is what is wanted here: these are IDs, not paths.
        common = len(os.path.commonprefix([key(before), key(after)]))  # noqa: RUF071
        shared[before] = max(shared[before], common)
        shared[after] = max(shared[after], common)
    return shared


def _shape(worker_id: str, prefix_shared: dict[str, int], suffix_shared: dict[str, int]) -> tuple[int, int]:
    length = len(worker_id)
    by_prefix = (max(MIN_PREFIX, prefix_shared[worker_id] + 1), MIN_SUFFIX)
    by_suffix = (MIN_PREFIX, max(MIN_SUFFIX, suffix_shared[worker_id] + 1))
    both = (by_prefix[0], by_suffix[1])
    telling = [shape for shape in (by_prefix, by_suffix, both) if sum(shape) < length]
    if telling:
        return min(telling, key=sum)
    # Telling this ID apart would show it whole: hide what must stay hidden instead.
    return _fits(length, MIN_PREFIX, MIN_SUFFIX)


def _fits(length: int, prefix: int, suffix: int) -> tuple[int, int]:
    """The shape, shrunk so that at least one character (three where the ID allows) stays hidden."""
    hidden = 3 if length >= prefix + suffix + 3 else 1
    prefix = max(1, min(prefix, length - hidden))
    suffix = max(0, min(suffix, length - hidden - prefix))
    return prefix, suffix


def mask_problems(problems: list[Problem], *, show_worker_ids: bool) -> list[Problem]:
    """The problems with every holder ID in their messages and hints masked, unless shown."""
    texts = [text for problem in problems for text in (problem.message, problem.hint)]
    masked = iter(mask_worker_ids_in_messages(texts, show=show_worker_ids))
    return [replace(problem, message=next(masked), hint=next(masked)) for problem in problems]
