"""What every subcommand shares: the consoles, finding the repository, failing cleanly."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console

from reconciler.ops.repository import repository_root as _repository_root
from reconciler.render.problems import Problem
from reconciler.render.problems import print_problems as _print_problems

# markup and highlighting off: titles and IDs from user files must print exactly as written.
stdout = Console(markup=False, highlight=False, soft_wrap=True)
stderr = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)

repo_option = click.option(
    "--repo",
    "repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The repository (or any folder inside it) holding exclusions/config.yaml.",
)


class CommandFailed(click.ClickException):
    """A clean failure: one message on stderr, exit status 1, no traceback."""

    exit_code = 1

    def show(self, file: object = None) -> None:
        stderr.print(f"error: {self.message}", style="bold red")


def repository_root(start: Path) -> Path:
    return _repository_root(start)


def print_problems(
    problems: Sequence[Problem], *, to_stderr: bool = False, show_worker_ids: bool = False
) -> None:
    """``validate`` prints problems on stdout (they are its output); commands whose stdout is
    data (a JSON plan) print them on stderr."""
    _print_problems(problems, stderr if to_stderr else stdout, show_worker_ids=show_worker_ids)


def fail(message: str) -> NoReturn:
    raise CommandFailed(message)
