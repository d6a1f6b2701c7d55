"""What ``validate`` found, as a line of counts or as one JSON object."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from reconciler.core.problems import Problem, Severity, display_path
from reconciler.render.problems import count


class _Checked(Protocol):
    """One repository checked (``ops.validate.Checked``)."""

    @property
    def root(self) -> Any: ...

    @property
    def result(self) -> Any: ...


def summary(checked: _Checked, *, several: bool) -> tuple[str, bool]:
    """The line that ends the output for one repository, and whether it is valid."""
    result = checked.result
    errors = count(result.problems, Severity.ERROR)
    warnings = count(result.problems, Severity.WARNING)
    studies = len(result.repository.studies) if result.repository else 0
    where = f" in {display_path(checked.root)}" if several else ""
    if errors:
        return (
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
            f"in {result.files_read} files read{where}",
            False,
        )
    return (
        f"valid: {studies} stud{'ies' if studies != 1 else 'y'}, {result.files_read} files read"
        + (f", {warnings} warning{'s' * (warnings != 1)}" if warnings else "")
        + where,
        True,
    )


def as_json(checked: Sequence[_Checked]) -> dict[str, Any]:
    problems = [_problem_json(problem) for one in checked for problem in one.result.problems]
    return {
        "valid": not any(problem["severity"] == "error" for problem in problems),
        "repositories": [
            {
                "root": str(one.root),
                "studies": len(one.result.repository.studies) if one.result.repository else 0,
                "files_read": one.result.files_read,
                "errors": count(one.result.problems, Severity.ERROR),
                "warnings": count(one.result.problems, Severity.WARNING),
            }
            for one in checked
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
