"""Failures of an operation that a user can act on: one message, exit status 1, nothing half-done.

Operations raise ``OperationFailed``; the command line shows its problems (if any), its details
and its message. A ``PlatformError`` that escapes an operation, or ``InvalidInput`` (the lab's
files), is shown at the command line's one error boundary, which takes them from here.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.core.problems import InvalidInput, Problem
from reconciler.platform.base import PlatformError

__all__ = ["InvalidInput", "OperationFailed", "PlatformError"]


class OperationFailed(Exception):
    """An operation refused or could not finish; the message says why and what to do."""

    def __init__(self, message: str, problems: Sequence[Problem] = (), details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)  # located problems behind the failure, shown first
        self.details = list(details)  # one line each, shown before the message
