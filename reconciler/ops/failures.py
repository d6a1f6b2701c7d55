"""Failures of an operation that a user can act on: one message, exit status 1, nothing half-done.

Operations raise ``OperationFailed``; the command line shows its problems (if any) and its message.
A ``PlatformError`` that escapes an operation is shown at the command line's one error boundary.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.core.problems import Problem


class OperationFailed(Exception):
    """An operation refused or could not finish; the message says why and what to do."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)  # located problems behind the failure, shown first
