"""JSON Schema checks whose findings a person can act on: each at its line, in plain words.

jsonschema's own messages ("'x' does not match '^A[A-Z0-9]+$'") are turned into what is wrong and
what to do, and each is located in the file by the hardened YAML reader. Used for the lab's files
and for the emulators' seeds alike.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.documents.findings import Finding
from reconciler.documents.yaml_reader import locate

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, FormatChecker, ValidationError

# How the schemas forbid control characters and direction overrides in free text.
_NO_CONTROL = "^[^\\u0000"

# A better hint for one error, where the caller knows more than the schema says (or None).
HintFor = Callable[["ValidationError", list[str | int]], str | None]


def _is_date(value: object) -> bool:
    # date.fromisoformat also accepts 20270101 and week dates; the schema promises YYYY-MM-DD.
    return not isinstance(value, str) or (len(value) == 10 and bool(date.fromisoformat(value)))


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("no time zone")
    return True


@cache
def _format_checker() -> FormatChecker:
    # jsonschema is imported on first use: a run whose every file comes from the document cache
    # (a repeated validate, the pre-commit hook) never needs it, and it is a third of start-up.
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    checker.checks("date", raises=ValueError)(_is_date)
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    return checker


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    # jsonschema is imported on first use: a run whose every file comes from a cache never needs it.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema, format_checker=_format_checker())


def findings(
    path: Path, data: Any, validator: Draft202012Validator, hint_for: HintFor | None = None
) -> list[Finding]:
    """Every way ``data`` (read from ``path``) breaks the validator's schema, each at its line."""
    errors = list(validator.iter_errors(data))
    found: list[Finding] = []
    for error in sorted(errors, key=lambda e: [str(step) for step in e.absolute_path]):
        found.extend(_explain(path, error, hint_for))
    return found


def _explain(path: Path, error: ValidationError, hint_for: HintFor | None) -> Iterable[Finding]:
    pointer = list(error.absolute_path)
    where = _describe_pointer(pointer)
    keyword = error.validator
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {})) if isinstance(error.schema, dict) else []
        for key in _unexpected_keys(error):
            line, column = locate(path, [*pointer, key], key=True)  # the key as parsed: 12, not "12"
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"allowed keys here: {', '.join(allowed)}"
            yield Finding(path, f"unknown key '{key}'{where}", hint, line, column)
        return
    line, column = locate(path, pointer)
    if keyword == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else error.message
        yield Finding(path, f"missing required key '{missing}'{where}", f"add '{missing}:'", line, column)
        return
    hint = (hint_for(error, pointer) if hint_for is not None else None) or _hint(error)
    yield Finding(path, _message(error) + where, hint, line, column)


def _unexpected_keys(error: ValidationError) -> list[Any]:
    properties = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [key for key in instance if key not in properties]


def _describe_pointer(pointer: list[str | int]) -> str:
    if not pointer:
        return ""
    text = ""
    for step in pointer:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return f" (at {text})"


def _what(error: ValidationError) -> str:
    """What the value is, from the first clause of its schema description ("An MTurk worker ID")."""
    description = error.schema.get("description", "") if isinstance(error.schema, dict) else ""
    first = re.split(r" \(|;|\. ", description, maxsplit=1)[0].rstrip(".")
    return first if first and len(first) < 60 else "the value"


def _message(error: ValidationError) -> str:
    keyword = error.validator
    value = error.instance
    if keyword == "pattern" and str(error.validator_value).startswith(_NO_CONTROL):
        return "the text holds a control character or a text-direction override"
    if keyword == "pattern":
        what = _what(error)
        if what == "the value":  # no short description to name the thing by
            return f"{_short(value)} does not have the expected form"
        return f"{_short(value)} is not a valid {_lower_first(what)}"
    if keyword == "type":
        return f"expected {_article(str(error.validator_value))}, found {_kind_of(value)} {_short(value)}"
    if keyword in ("enum", "const"):
        allowed = error.validator_value
        choices = allowed if keyword == "enum" and isinstance(allowed, list) else [allowed]
        return f"{_short(value)} is not allowed; use one of: {', '.join(json.dumps(c) for c in choices)}"
    if keyword == "format" and error.validator_value == "date":
        return f"{_short(value)} is not a real date (write it as YYYY-MM-DD)"
    if keyword == "format":
        return f"{_short(value)} is not a real date-time (write it like 2026-01-05T12:00:00Z)"
    if keyword == "oneOf" and isinstance(value, dict) and "kind" in value:
        return "give exactly one of 'endpoint' (sandbox or production) or 'endpoint_url'"
    if keyword == "maxLength":
        return f"the text is longer than {error.validator_value} characters"
    if keyword == "minLength":
        minimum = error.validator_value
        return (
            "the text is empty" if minimum == 1 else f"{_short(value)} is shorter than {minimum} characters"
        )
    if keyword == "minItems":
        return "the list is empty"
    if keyword == "minProperties":
        return "nothing is defined here"
    return str(error.message)


def _hint(error: ValidationError) -> str:
    keyword = error.validator
    value = error.instance
    if keyword == "type" and error.validator_value == "string" and isinstance(value, int | float):
        return "put the value in quotes so YAML reads it as text"
    if keyword == "type" and error.validator_value == "array":
        return "write a list, one '- item' per line"
    if keyword == "pattern" and str(error.validator_value).startswith(_NO_CONTROL):
        return "remove it: it could disguise the text in a terminal or a pull-request comment"
    if keyword == "pattern" and isinstance(value, str) and value != value.strip():
        return "remove the spaces around the value"
    if (
        keyword == "pattern"
        and isinstance(value, str)
        and value.upper() != value
        and re.search(str(error.validator_value), value.upper())
    ):
        return "IDs are upper-case letters and digits"
    if keyword == "pattern":
        return f"it must match {error.validator_value}"
    if keyword in ("enum", "const"):
        return "use one of the values listed, spelled exactly (they are case-sensitive)"
    if keyword == "format":
        return "check the date; it must exist in the calendar"
    return "see the schema's description of this key"


def _short(value: object) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind_of(value: object) -> str:
    names = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }
    return "nothing" if value is None else names.get(type(value), type(value).__name__)


def _article(type_name: str) -> str:
    names = {"string": "text", "array": "a list", "object": "a mapping", "integer": "a whole number"}
    return names.get(type_name, f"a {type_name}")


def _lower_first(text: str) -> str:
    text = text.removeprefix("An ").removeprefix("A ").removeprefix("The ")
    return text[:1].lower() + text[1:] if text[:2] != "MT" else text
