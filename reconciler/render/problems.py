"""Problems with the lab's files on a terminal or in a log, and as GitHub annotations in Actions.

Holder IDs in them are masked (annotations end up on pull requests) unless asked for; file names
and messages are escaped, so none can forge a line or a workflow command.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from rich.console import Console

from reconciler.core.problems import Problem, Severity, display_path, printable
from reconciler.render.mask import mask_problems

__all__ = ["Problem", "Severity", "annotation", "count", "print_problems"]


def print_problems(problems: Sequence[Problem], console: Console, *, show_worker_ids: bool = False) -> None:
    """Errors and warnings, one per line; in GitHub Actions also as annotations, on the same
    stream as ``console``."""
    to_stderr = console.stderr
    for problem in mask_problems(list(problems), show_worker_ids=show_worker_ids):
        style = "yellow" if problem.severity is Severity.WARNING else "red"
        console.print(problem.format(), style=style)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            print(annotation(problem), file=sys.stderr if to_stderr else sys.stdout)


def annotation(problem: Problem) -> str:
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


def count(problems: Sequence[Problem], severity: Severity) -> int:
    return sum(problem.severity is severity for problem in problems)
