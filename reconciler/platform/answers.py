"""Checking the platform's answers before anything uses them.

botocore parses whatever came back: a truncated body becomes ``{"message": ...}``, a field the
server left out is simply absent. Every answer the engine relies on is checked here first, so a
malformed one is retried and then reported by name, never read as fewer workers or as a default.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any


class MalformedAnswer(Exception):
    """The answer does not have the shape the operation promises (retried, then reported)."""


Check = Callable[[dict[str, Any]], None]


def page_of(list_key: str, item: Callable[[Any], None]) -> Check:
    """A page must hold a list under ``list_key`` whose every entry passes ``item``."""

    def check(answer: dict[str, Any]) -> None:
        entries = answer.get(list_key)
        if not isinstance(entries, list):
            raise MalformedAnswer(f"no '{list_key}' list in the answer")
        token = answer.get("NextToken")
        if token is not None and (not isinstance(token, str) or not token):
            raise MalformedAnswer("a NextToken that is not a non-empty string")
        for entry in entries:
            if not isinstance(entry, dict):
                raise MalformedAnswer(f"an entry of '{list_key}' that is not an object")
            item(entry)

    return check


def one(key: str, item: Callable[[Any], None]) -> Check:
    """The answer must hold an object under ``key`` that passes ``item``."""

    def check(answer: dict[str, Any]) -> None:
        entry = answer.get(key)
        if not isinstance(entry, dict):
            raise MalformedAnswer(f"no '{key}' object in the answer")
        item(entry)

    return check


def nothing(answer: dict[str, Any]) -> None:
    """Changes answer with an empty object; there is nothing to check."""


def text(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedAnswer(f"an entry without '{key}'")
    return value


def moment(entry: dict[str, Any], key: str, *, required: bool = True) -> None:
    value = entry.get(key)
    if value is None and not required:
        return
    if not isinstance(value, datetime):
        raise MalformedAnswer(f"an entry without a valid '{key}'")


def whole_number(entry: dict[str, Any], key: str) -> None:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedAnswer(f"an entry without a whole-number '{key}'")


def holder(entry: dict[str, Any]) -> None:
    """A qualification listed for a ``Status: Granted`` request: granted, with a value. A missing
    value is an error (taking it as 1 would decide the worker's exclusion on a guess)."""
    text(entry, "WorkerId")
    whole_number(entry, "IntegerValue")
    status = entry.get("Status")
    if status != "Granted":
        raise MalformedAnswer(f"an entry with status {status!r} in a listing of Granted qualifications")


def assignment_of(statuses: Collection[str]) -> Callable[[Any], None]:
    def check(entry: dict[str, Any]) -> None:
        text(entry, "WorkerId")
        status = entry.get("AssignmentStatus")
        if status not in statuses:
            raise MalformedAnswer(f"an assignment with status {status!r}, which was not asked for")

    return check


def hit(entry: dict[str, Any]) -> None:
    text(entry, "HITId")
    moment(entry, "CreationTime")
    moment(entry, "Expiration", required=False)
    # The counts decide whether a capture can have missed a worker: a malformed one is an error.
    for count in ("NumberOfAssignmentsPending", "NumberOfAssignmentsAvailable", "MaxAssignments"):
        if entry.get(count) is not None:
            whole_number(entry, count)
    requirements = entry.get("QualificationRequirements")
    if requirements is not None:
        if not isinstance(requirements, list):
            raise MalformedAnswer("QualificationRequirements that is not a list")
        for requirement in requirements:
            if not isinstance(requirement, dict):
                raise MalformedAnswer("a qualification requirement that is not an object")
            text(requirement, "QualificationTypeId")
            text(requirement, "Comparator")


def qualification_type(entry: dict[str, Any]) -> None:
    text(entry, "QualificationTypeId")
