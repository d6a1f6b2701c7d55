"""Checking a local target's seed file as its emulator will read it, each problem at its line.

A seed accepted before, byte for byte, is not read again: ``validate`` then loads no emulator.
"""

from __future__ import annotations

from reconciler.core.model import Target
from reconciler.core.problems import Problem
from reconciler.lab.document_cache import DocumentCache
from reconciler.ops.targets import seed_problems


def local_seed_problems(target: Target) -> list[Problem]:
    """The seed's problems. A seed whose exact text was accepted before (by the same version of
    the seed reader, schema and YAML reader) is not read again: a repeated validate, the
    pre-commit hook on every commit, then needs neither the emulator nor jsonschema."""
    seed = target.seed_path
    if seed is None:
        return []
    # What the document cache records for a seed the emulator accepted, exactly as it reads it.
    accepted = f"local-seed: accepted by the local {target.kind.name}"
    cache = DocumentCache.for_section(seed.resolve().parent, f"local seed {seed.name}")
    try:
        text = seed.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = None  # the seed reader says what is wrong with it
    if text is not None and cache.get(seed, text, accepted) is not None:
        cache.save()
        return []
    problems = seed_problems(target)
    if not problems and text is not None:
        cache.put(seed, text, accepted, None, "")
        cache.save()
    return problems
