"""``exclusions validate``: check the whole repository without touching any platform."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.common import print_problems, repository_root, stderr, stdout
from reconciler.cli.options import worker_ids_option
from reconciler.core.problems import Severity
from reconciler.lab.loading import load_repository
from reconciler.ops.local_seed import local_seed_problems


@click.command("validate")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@worker_ids_option(False)
def validate_command(path: Path, show_worker_ids: bool) -> None:
    """Check every file of the repository at PATH (default: here).

    Each file is checked against its JSON Schema under schemas/, then for what a
    schema cannot say: a study's ID equals its file name, study IDs are unique,
    every pool a study names exists, no HIT or worker is listed twice. Every
    problem is reported as path:line:column with a hint. Nothing is sent to any
    platform. Worker IDs in the messages (and in GitHub annotations, which
    appear on pull requests) are masked unless --show-worker-ids. Exit
    status: 0 when valid, 1 otherwise.

    \b
    Example:
      exclusions validate
      exclusions validate path/to/lab-repo
    """
    root = repository_root(path)
    result = load_repository(root, check_seed=local_seed_problems)
    print_problems(result.problems, show_worker_ids=show_worker_ids)
    errors = sum(problem.severity is Severity.ERROR for problem in result.problems)
    warnings = len(result.problems) - errors
    studies = len(result.repository.studies) if result.repository else 0
    if errors:
        stderr.print(
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
            f"in {result.files_read} files read",
            style="bold red",
        )
        raise SystemExit(1)
    stdout.print(
        f"valid: {studies} stud{'ies' if studies != 1 else 'y'}, {result.files_read} files read"
        + (f", {warnings} warning{'s' * (warnings != 1)}" if warnings else ""),
        style="green",
    )
