"""``exclusions validate``: check the whole repository without touching any platform."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from reconciler.cli.common import masked_problems, print_problems, repository_root, stderr, stdout
from reconciler.cli.options import worker_ids_option
from reconciler.core.problems import Problem, Severity, display_path
from reconciler.lab.loading import LoadResult, load_repository
from reconciler.ops.local_seed import local_seed_problems


@click.command("validate")
@click.argument("paths", metavar="[PATH]...", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--repo",
    "repo",
    type=click.Path(file_okay=False, path_type=Path),
    help="The repository (or any folder inside it) holding exclusions/config.yaml. Default: the "
    "repository of each PATH, or the one here.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one object on stdout with every problem (path, line, column, severity, message, hint).",
)
@worker_ids_option(False)
def validate_command(
    paths: tuple[Path, ...], repo: Path | None, output_format: str, show_worker_ids: bool
) -> None:
    """Check every file of the repository (of each PATH given, or the one here).

    Each file is checked against its JSON Schema under schemas/, then for what a
    schema cannot say: a study's ID equals its file name, study IDs are unique,
    every pool a study names exists, no HIT or worker is listed twice. Every
    problem is reported as path:line:column with a hint. Nothing is sent to any
    platform. Worker IDs in the messages (and in GitHub annotations, which
    appear on pull requests) are masked unless --show-worker-ids. Exit
    status: 0 when valid, 1 otherwise.

    A PATH may be a file (as pre-commit passes them) or a folder: the whole
    repository holding it is checked, since rules span files.

    \b
    Example:
      exclusions validate
      exclusions validate --repo path/to/lab-repo
      exclusions validate exclusions/studies/trust-game-2026.yaml
      exclusions validate --format json
    """
    roots = _roots(paths, repo)
    results = [(root, load_repository(root, check_seed=local_seed_problems)) for root in roots]
    # Worker IDs are masked in messages and annotations (which appear on pull requests) unless asked.
    for _, result in results:
        result.problems = masked_problems(result.problems, show_worker_ids=show_worker_ids)
    errors = sum(_count(result, Severity.ERROR) for _, result in results)
    if output_format == "json":
        click.echo(json.dumps(_as_json(results), indent=2))
    else:
        for root, result in results:
            _print_text(root, result, several=len(results) > 1)
    if errors:
        raise SystemExit(1)


def _roots(paths: tuple[Path, ...], repo: Path | None) -> list[Path]:
    """Each repository to check, once, in the order first named."""
    if repo is not None or not paths:
        return [repository_root(repo or Path("."))]
    roots: list[Path] = []
    for path in paths:
        root = repository_root(path)
        if root not in roots:
            roots.append(root)
    return roots


def _count(result: LoadResult, severity: Severity) -> int:
    return sum(problem.severity is severity for problem in result.problems)


def _print_text(root: Path, result: LoadResult, *, several: bool) -> None:
    print_problems(result.problems, show_worker_ids=True)  # already masked above, as asked
    errors = _count(result, Severity.ERROR)
    warnings = _count(result, Severity.WARNING)
    studies = len(result.repository.studies) if result.repository else 0
    where = f" in {display_path(root)}" if several else ""
    if errors:
        stderr.print(
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
            f"in {result.files_read} files read{where}",
            style="bold red",
        )
        return
    stdout.print(
        f"valid: {studies} stud{'ies' if studies != 1 else 'y'}, {result.files_read} files read"
        + (f", {warnings} warning{'s' * (warnings != 1)}" if warnings else "")
        + where,
        style="green",
    )


def _as_json(results: list[tuple[Path, LoadResult]]) -> dict[str, Any]:
    problems = [_problem_json(problem) for _, result in results for problem in result.problems]
    return {
        "valid": not any(problem["severity"] == "error" for problem in problems),
        "repositories": [
            {
                "root": str(root),
                "studies": len(result.repository.studies) if result.repository else 0,
                "files_read": result.files_read,
                "errors": _count(result, Severity.ERROR),
                "warnings": _count(result, Severity.WARNING),
            }
            for root, result in results
        ],
        "problems": problems,
    }


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {
        "path": display_path(problem.path),
        "line": problem.line or None,
        "column": (problem.column or 1) if problem.line else None,
        "severity": "warning" if problem.severity is Severity.WARNING else "error",
        "message": problem.message,
        "hint": problem.hint or None,
    }
