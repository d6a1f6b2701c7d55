"""Checking a local target's seed file as the local MTurk will read it, each problem at its line.

Kept apart from ``ops.targets`` so ``validate`` can check seeds without loading boto3.
"""

from __future__ import annotations

from pathlib import Path

from reconciler.core.problems import Problem


def local_seed_problems(seed: Path) -> list[Problem]:
    from reconciler.emulators.mturk.seed import SeedError, load_seed

    try:
        load_seed(seed)
    except SeedError as error:
        return error.problems
    return []
