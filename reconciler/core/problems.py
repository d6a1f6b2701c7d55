"""Problems found in a lab's repository, each pointing at a file, line and column.

Every check reports into a list of ``Problem`` rather than raising on the first one, so
``exclusions validate`` can show a user everything that is wrong in one run.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

# Characters that would end a log line early (and start a forged one, such as a GitHub
# workflow command), move the cursor, or reorder the text around them; a file name may hold any.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every control, line-breaking or direction-changing character written as
    its Python escape (a newline as ``\\n``), so one problem is always one honest line."""
    return _UNPRINTABLE.sub(lambda match: match[0].encode("unicode_escape").decode("ascii"), text)


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one file. ``line`` and ``column`` are 1-based; 0 means unknown."""

    path: Path
    message: str
    hint: str = ""
    line: int = 0
    column: int = 0
    severity: Severity = Severity.ERROR

    def location(self) -> str:
        shown = display_path(self.path)
        if self.line:
            return f"{shown}:{self.line}:{self.column or 1}"
        return shown

    def format(self) -> str:
        """``path:line:column: message`` then the hint, the form editors and CI annotate."""
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        text = f"{self.location()}: {prefix}{self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return printable(text)


class InvalidInput(Exception):
    """Raised when input cannot be used; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(problem.format() for problem in problems))
        self.problems = problems


def display_path(path: Path) -> str:
    """A path relative to the working directory when it lies below it, so messages stay short."""
    try:
        shown = os.path.relpath(path) if path.is_absolute() and _below_cwd(path) else str(path)
    except ValueError:  # a different drive on Windows
        shown = str(path)
    return printable(shown)


def _below_cwd(path: Path) -> bool:
    try:
        path.relative_to(Path.cwd())
    except ValueError:
        return False
    return True


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity is Severity.ERROR]
