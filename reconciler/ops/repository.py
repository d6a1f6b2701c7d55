"""Finding the lab's repository from where a command runs (``--repo``, or the folder it is in)."""

from __future__ import annotations

from pathlib import Path

from reconciler.lab.layout import find_root
from reconciler.ops.failures import OperationFailed


def repository_root(start: Path) -> Path:
    root = find_root(start)
    if root is None:
        raise OperationFailed(
            f"no exclusions/config.yaml in {start} or any folder above it "
            "(run inside a study-exclusions repository, or pass --repo)"
        )
    return root
