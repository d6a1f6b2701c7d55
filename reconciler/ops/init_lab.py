"""``exclusions init``: write a new lab repository, checked before anything is written.

The files are first written to a scratch folder and loaded the way ``validate`` loads a
repository, so a pool name the schema refuses (too long, a control character) is reported with
nothing written. Nothing that exists already is ever overwritten: one existing file refuses all.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from reconciler.core.problems import Severity, display_path
from reconciler.documents.writing import atomic_write_text
from reconciler.lab.loading import load_repository
from reconciler.lab.scaffold import (
    DEFAULT_TOOL_REPOSITORY,
    LabAnswers,
    default_pool_description,
    default_pool_name,
    lab_files,
)
from reconciler.ops.failures import OperationFailed

__all__ = [
    "DEFAULT_TOOL_REPOSITORY",
    "LabAnswers",
    "default_pool_description",
    "default_pool_name",
    "display_path",
    "init_lab",
]


def init_lab(directory: Path, answers: LabAnswers) -> list[Path]:
    """Write the new repository's files under ``directory``; returns their paths, in order."""
    planned = lab_files(answers)
    existing = [relative for relative in planned if (directory / relative).exists()]
    if existing:
        raise OperationFailed(
            f"{directory} already has {', '.join(existing)}; exclusions init never overwrites a file "
            "(pick an empty or new folder)"
        )
    _check(planned)
    written: list[Path] = []
    for relative, text in planned.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)
        written.append(path)
    return written


def _check(planned: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="exclusions-init-") as scratch:
        root = Path(scratch)
        for relative, text in planned.items():
            if relative.startswith("exclusions/"):
                (root / relative).parent.mkdir(parents=True, exist_ok=True)
                (root / relative).write_text(text, encoding="utf-8")
        result = load_repository(root)
        errors = [problem for problem in result.problems if problem.severity is Severity.ERROR]
        if errors:
            reasons = "; ".join(f"{problem.message} ({problem.hint})" for problem in errors)
            raise OperationFailed(
                f"these answers make an invalid config.yaml, so nothing was written: {reasons}"
            )
