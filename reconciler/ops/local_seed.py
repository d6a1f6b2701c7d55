"""Checking a local target's seed file as the local MTurk will read it, each problem at its line.

Kept apart from ``ops.targets`` so ``validate`` can check seeds without loading boto3.
"""

from __future__ import annotations

from pathlib import Path

from reconciler.core.problems import Problem
from reconciler.lab.document_cache import DocumentCache

# What the document cache records for a seed the local MTurk accepted, exactly as it reads it.
SEED_ACCEPTED = "local-seed: accepted by the local MTurk"


def local_seed_problems(seed: Path) -> list[Problem]:
    """The seed's problems. A seed whose exact text was accepted before (by the same version of
    the seed reader, schema and YAML reader) is not read again: a repeated validate, the
    pre-commit hook on every commit, then needs neither the emulator nor jsonschema."""
    cache = DocumentCache.for_section(seed.resolve().parent, "local seeds")
    try:
        text = seed.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = None  # the seed reader says what is wrong with it
    if text is not None and cache.get(seed, text, SEED_ACCEPTED) is not None:
        cache.save()
        return []
    from reconciler.emulators.mturk.seed import SeedError, load_seed

    try:
        load_seed(seed)
    except SeedError as error:
        return error.problems
    if text is not None:
        cache.put(seed, text, SEED_ACCEPTED, None, "")
        cache.save()
    return []
