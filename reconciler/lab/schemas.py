"""JSON Schema validation of the repository's files, with errors turned into located problems.

The schemas under the repository's ``schemas/`` are the contract editors see (through the
``yaml-language-server`` line at the top of every file). The package carries identical copies in
``reconciler/schemas/`` (``tests/test_packaging.py`` fails when they differ), read through
``importlib.resources`` so the tool finds them in an installed wheel, not only in a source tree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.core.problems import Problem
from reconciler.documents.schema_messages import findings, validator_for
from reconciler.lab.id_advice import advice
from reconciler.lab.yaml_files import as_problems

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError


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


@cache
def load_schema(name: str) -> dict[str, Any]:
    with schema_file(name).open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


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
    """Every way ``data`` (read from ``path``) breaks its schema, each at its line in the file;
    an ID under the wrong key of a study file gets advice in the platforms' words as its hint."""
    if _valid_fast(data, schema_name):
        return []
    hint_for = _id_advice if schema_name == STUDY_SCHEMA else None
    return as_problems(findings(path, data, _validator(schema_name), hint_for))


@cache
def _validator(name: str) -> Draft202012Validator:
    return validator_for(load_schema(name))


def is_valid(data: Any, schema_name: str) -> bool:
    return bool(_validator(schema_name).is_valid(data))


def _id_advice(error: ValidationError, pointer: list[str | int]) -> str | None:
    """For an ID a study file lists under a key where it does not fit: what it looks like and
    where it belongs, in its platform's words, rather than the pattern it fails. A URL is left
    to ``rules`` (it names the ID inside it as a problem of its own)."""
    if error.validator not in ("pattern", "minLength", "maxLength") or len(pointer) != 2:
        return None
    key, value = pointer[0], error.instance
    if not isinstance(key, str) or not isinstance(value, str) or "://" in value:
        return None
    found = advice(key, value)
    return found.as_hint() if found is not None else None
