"""JSON Schema validation of the repository's files, with errors turned into located problems.

The schemas under the repository's ``schemas/`` are the contract editors see (through the
``yaml-language-server`` line at the top of every file). The package carries identical copies in
``reconciler/schemas/`` (``tests/test_packaging.py`` fails when they differ), read through
``importlib.resources`` so the tool finds them in an installed wheel, not only in a source tree.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.core.problems import Problem
from reconciler.lab.id_advice import Advice, advice
from reconciler.lab.yaml_files import locate

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, FormatChecker, ValidationError


def schema_file(name: str) -> Traversable:
    """The packaged copy of the schema ``name`` (for example ``config.schema.json``)."""
    return files("reconciler") / "schemas" / name


def schema_names() -> list[str]:
    """Every schema the package carries, by file name."""
    return sorted(
        entry.name for entry in (files("reconciler") / "schemas").iterdir() if entry.name.endswith(".json")
    )


CONFIG_SCHEMA = "config.schema.json"
STUDY_SCHEMA = "study.schema.json"
CAPTURE_SCHEMA = "capture.schema.json"
PLAN_SCHEMA = "plan.schema.json"
POOLS_SCHEMA = "pools.schema.json"
GRANTED_SCHEMA = "granted.schema.json"

# How the schemas forbid control characters and direction overrides in free text.
_NO_CONTROL = "^[^\\u0000"


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


@cache
def load_schema(name: str) -> dict[str, Any]:
    with schema_file(name).open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@cache
def _validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name), format_checker=_format_checker())


@dataclass(frozen=True, slots=True)
class _StringList:
    """What the schema says of a top-level list of IDs, checked in bulk without jsonschema."""

    pattern: re.Pattern[str] | None
    min_length: int
    max_length: int | None
    unique: bool


_LIST_KEYS = {"type", "items", "description", "minItems", "uniqueItems"}
_ITEM_KEYS = {"type", "pattern", "minLength", "maxLength", "description"}


@cache
def _string_lists(schema_name: str) -> dict[str, _StringList]:
    """The schema's top-level lists of plain strings (workers, hits...), read from the schema
    itself so the fast path below can never disagree with it."""
    lists: dict[str, _StringList] = {}
    for key, spec in load_schema(schema_name).get("properties", {}).items():
        items = spec.get("items", {})
        if (
            spec.get("type") == "array"
            and set(spec) <= _LIST_KEYS
            and isinstance(items, dict)
            and set(items) <= _ITEM_KEYS
            and items.get("type") == "string"
        ):
            pattern = re.compile(items["pattern"]) if "pattern" in items else None
            lists[key] = _StringList(
                pattern, items.get("minLength", 0), items.get("maxLength"), bool(spec.get("uniqueItems"))
            )
    return lists


def schema_accepts_item(schema_name: str, key: str, value: str) -> bool:
    """Whether the schema's top-level list ``key`` accepts ``value`` as one of its items."""
    rule = _string_lists(schema_name).get(key)
    if rule is None:
        return False
    if len(value) < rule.min_length or (rule.max_length is not None and len(value) > rule.max_length):
        return False
    return rule.pattern is None or rule.pattern.search(value) is not None


def _valid_fast(data: Any, schema_name: str) -> bool:
    """True only when ``data`` is certainly valid. Study and capture files are mostly long lists
    of IDs, and jsonschema checks each item through several layers of calls; here each list is
    checked in one loop against the schema's own pattern, and the rest of the document (with each
    list cut to its first item) by jsonschema. Any doubt returns False, and the caller then runs
    the full validation, which also produces the messages."""
    lists = _string_lists(schema_name)
    if not lists or not isinstance(data, dict):
        return False
    rest = dict(data)
    for key, rule in lists.items():
        values = rest.get(key)
        if not isinstance(values, list) or len(values) < 2:
            continue
        for value in values:
            if type(value) is not str:
                return False
            if len(value) < rule.min_length or (rule.max_length is not None and len(value) > rule.max_length):
                return False
            if rule.pattern is not None and not rule.pattern.search(value):
                return False
        if rule.unique and len(set(values)) != len(values):
            return False
        rest[key] = values[:1]
    return bool(_validator(schema_name).is_valid(rest))


def schema_problems(path: Path, data: Any, schema_name: str) -> list[Problem]:
    """Every way ``data`` (read from ``path``) breaks its schema, each at its line in the file."""
    if _valid_fast(data, schema_name):
        return []
    errors = list(_validator(schema_name).iter_errors(data))
    problems: list[Problem] = []
    for error in sorted(errors, key=lambda e: [str(step) for step in e.absolute_path]):
        problems.extend(_explain(path, error, schema_name))
    return problems


def is_valid(data: Any, schema_name: str) -> bool:
    return bool(_validator(schema_name).is_valid(data))


def _explain(path: Path, error: ValidationError, schema_name: str) -> Iterable[Problem]:
    pointer = list(error.absolute_path)
    where = _describe_pointer(pointer)
    keyword = error.validator
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {})) if isinstance(error.schema, dict) else []
        for key in _unexpected_keys(error):
            line, column = locate(path, [*pointer, key], key=True)  # the key as parsed: 12, not "12"
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"allowed keys here: {', '.join(allowed)}"
            yield Problem(path, f"unknown key '{key}'{where}", hint, line, column)
        return
    line, column = locate(path, pointer)
    if keyword == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else error.message
        yield Problem(path, f"missing required key '{missing}'{where}", f"add '{missing}:'", line, column)
        return
    misplaced = _id_advice(error, pointer) if schema_name == STUDY_SCHEMA else None
    hint = misplaced.as_hint() if misplaced is not None else _hint(error)
    yield Problem(path, _message(error) + where, hint, line, column)


def _id_advice(error: ValidationError, pointer: list[str | int]) -> Advice | None:
    """For an ID a study file lists under a key where it does not fit: what it looks like and
    where it belongs, in its platform's words, rather than the pattern it fails. A URL is left
    to ``rules`` (it names the ID inside it as a problem of its own)."""
    if error.validator not in ("pattern", "minLength", "maxLength") or len(pointer) != 2:
        return None
    key, value = pointer[0], error.instance
    if not isinstance(key, str) or not isinstance(value, str) or "://" in value:
        return None
    return advice(key, value)


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
