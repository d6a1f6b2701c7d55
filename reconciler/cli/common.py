"""What every subcommand shares: finding the repository, printing problems, failing cleanly."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console

from reconciler.core.problems import Problem, Severity, display_path, printable
from reconciler.lab.layout import find_root
from reconciler.render.mask import mask_worker_ids_in_messages

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
    root = find_root(start)
    if root is None:
        raise CommandFailed(
            f"no exclusions/config.yaml in {start} or any folder above it "
            "(run inside a study-exclusions repository, or pass --repo)"
        )
    return root


def print_problems(
    problems: list[Problem], *, to_stderr: bool = False, show_worker_ids: bool = False
) -> None:
    """Errors and warnings, one per line, and as GitHub annotations when running in Actions.

    ``validate`` prints them on stdout (they are its output); commands whose stdout is data
    (a JSON plan) print them on stderr. Worker IDs in them are masked (annotations end up on
    pull requests) unless ``show_worker_ids``; file names are escaped, so none can forge a line.
    """
    console = stderr if to_stderr else stdout
    for problem in masked_problems(problems, show_worker_ids=show_worker_ids):
        style = "yellow" if problem.severity is Severity.WARNING else "red"
        console.print(problem.format(), style=style)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            print(_annotation(problem), file=sys.stderr if to_stderr else sys.stdout)


def masked_problems(problems: list[Problem], *, show_worker_ids: bool) -> list[Problem]:
    """The problems with every worker ID in their messages and hints masked, unless shown."""
    texts = [text for problem in problems for text in (problem.message, problem.hint)]
    masked = iter(mask_worker_ids_in_messages(texts, show=show_worker_ids))
    return [replace(problem, message=next(masked), hint=next(masked)) for problem in problems]


def _annotation(problem: Problem) -> str:
    """A GitHub workflow command, escaped as GitHub unescapes it (property values also escape
    ``:`` and ``,``), after control characters were written out by ``printable``."""
    kind = "warning" if problem.severity is Severity.WARNING else "error"
    place = f"file={_escape_property(display_path(problem.path))}"
    if problem.line:
        place += f",line={problem.line},col={problem.column or 1}"
    message = printable(problem.message + (f" ({problem.hint})" if problem.hint else ""))
    return f"::{kind} {place}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def fail(message: str) -> NoReturn:
    raise CommandFailed(message)
