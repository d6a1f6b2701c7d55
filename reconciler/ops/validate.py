"""``validate``: every file of each repository checked, with every problem located; no platform.

Worker IDs in the messages are masked here, before anything prints them (the messages and their
GitHub annotations reach pull requests), unless the user asked for them whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.lab.loading import LoadResult, load_repository
from reconciler.ops.local_seed import local_seed_problems
from reconciler.ops.repository import repository_root
from reconciler.render.mask import mask_problems


@dataclass(frozen=True)
class Checked:
    root: Path
    result: LoadResult


def roots_of(paths: tuple[Path, ...], repo: Path | None) -> list[Path]:
    """Each repository to check, once, in the order first named."""
    if repo is not None or not paths:
        return [repository_root(repo or Path("."))]
    roots: list[Path] = []
    for path in paths:
        root = repository_root(path)
        if root not in roots:
            roots.append(root)
    return roots


def validate(paths: tuple[Path, ...], repo: Path | None, *, show_worker_ids: bool) -> list[Checked]:
    checked = []
    for root in roots_of(paths, repo):
        result = load_repository(root, check_seed=local_seed_problems)
        result.problems = mask_problems(result.problems, show_worker_ids=show_worker_ids)
        checked.append(Checked(root, result))
    return checked
