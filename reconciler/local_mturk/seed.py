"""The seed file: past work and qualifications merged into the state at start.

The requester API has no way to submit work, so a seed is how a local MTurk gets HITs
with assignments and qualification holders. It is YAML, checked against
schemas/local-seed.schema.json; every problem is reported as ``file:line:column: message``
(ruamel's round-trip loader keeps the position of each key and item).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from reconciler.local_mturk.clock import parse_iso, utc
from reconciler.local_mturk.state import (
    DEFAULT_REQUESTER,
    HIT,
    Assignment,
    HITType,
    Qualification,
    QualificationType,
    Record,
    State,
    make_id,
)

SCHEMA_NAME = "local-seed.schema.json"
TIME_KEYS = frozenset({"created", "expiration", "submitted", "granted"})


class SeedError(Exception):
    """A seed that cannot be used; ``errors`` are ``file:line:column: message`` lines."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


def schema_path() -> Path:
    """The seed schema: packaged next to the code if present, else the repository's schemas/."""
    package_root = Path(__file__).resolve().parents[1]
    for candidate in (package_root / "schemas" / SCHEMA_NAME, package_root.parent / "schemas" / SCHEMA_NAME):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"cannot find {SCHEMA_NAME}")


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_path().read_text(encoding="utf-8")))


def _plain(node: Any) -> Any:
    """ruamel's round-trip objects as plain JSON values (times as ISO strings)."""
    if isinstance(node, dict):
        return {str(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    if isinstance(node, datetime):
        return utc(node).isoformat().replace("+00:00", "Z")
    if isinstance(node, date):
        return node.isoformat()
    if isinstance(node, bool) or node is None or isinstance(node, str):
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)


def _position(root: Any, path: list[str | int], key: str | None = None) -> tuple[int, int]:
    """1-based line and column of the node at ``path`` (or of ``key`` inside it)."""
    node = root
    line, column = 0, 0
    for step in path:
        if isinstance(node, CommentedMap) and step in node:
            line, column = node.lc.value(step)
            node = node[step]
        elif isinstance(node, CommentedSeq) and isinstance(step, int) and step < len(node):
            line, column = node.lc.item(step)
            node = node[step]
        else:
            break
    if key is not None and isinstance(node, CommentedMap) and key in node:
        line, column = node.lc.key(key)
    elif not path and isinstance(node, CommentedMap):
        line, column = node.lc.line, node.lc.col
    return line + 1, column + 1


def _dotted(path: list[str | int]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "(top level)"


def _schema_errors(source: str, root: Any, errors: Iterator[ValidationError]) -> list[str]:
    lines = []
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        path = list(error.absolute_path)
        key = None
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            extras = [k for k in error.instance if k not in allowed]
            key = extras[0] if extras else None
        line, column = _position(root, path, key)
        lines.append(f"{source}:{line}:{column}: {_dotted(path)}: {error.message}")
    return lines


def _parse_times(source: str, root: Any, node: Any, path: list[str | int], problems: list[str]) -> Any:
    """Turn the ISO times of the plain seed into datetimes, reporting malformed ones."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in TIME_KEYS and isinstance(value, str):
                try:
                    if "T" not in value.upper():
                        raise ValueError
                    out[key] = parse_iso(value)
                except ValueError:
                    line, column = _position(root, [*path, key])
                    problems.append(
                        f"{source}:{line}:{column}: {_dotted([*path, key])}: {value!r} is not a date-time "
                        "(write it like 2026-01-05T12:00:00Z)"
                    )
                    out[key] = None
            else:
                out[key] = _parse_times(source, root, value, [*path, key], problems)
        return out
    if isinstance(node, list):
        return [_parse_times(source, root, item, [*path, index], problems) for index, item in enumerate(node)]
    return node


def load_seed(path: Path) -> dict[str, Any]:
    """Read and check a seed file; raise ``SeedError`` listing every problem with its position."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError([f"{source}:1:1: cannot read the seed: {exc.strerror or exc}"]) from exc
    try:
        root = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise SeedError([f"{source}:{line}:{column}: {problem}"]) from exc
    if root is None:
        root = CommentedMap()
    plain = _plain(root)
    problems = _schema_errors(source, root, _validator().iter_errors(plain))
    if problems:
        raise SeedError(problems)
    seed = _parse_times(source, root, plain, [], problems)
    if problems:
        raise SeedError(problems)
    assert isinstance(seed, dict)
    return seed


def _owner(state: State, entry: dict[str, Any], records: list[Record]) -> str:
    requester = entry.get("requester", DEFAULT_REQUESTER)
    if requester != DEFAULT_REQUESTER and requester not in state.requesters:
        records.append(state.put_requester(requester))
    return str(requester)


def merge_seed(state: State, seed: dict[str, Any], now: datetime) -> list[Record]:
    """Add what the seed has and the state lacks; return the records of the changes.

    Never duplicates: an existing HIT (by ID), qualification type (by ID, or by name for
    its requester), assignment (worker on that HIT) or holder (worker of that type) stays.
    """
    records: list[Record] = []
    for requester in seed.get("requesters", []):
        if requester not in state.requesters and requester != DEFAULT_REQUESTER:
            records.append(state.put_requester(requester))
    for entry in seed.get("qualification_types", []):
        _merge_qualification_type(state, entry, now, records)
    for index, entry in enumerate(seed.get("hits", [])):
        _merge_hit(state, index, entry, now, records)
    return records


def _merge_qualification_type(
    state: State, entry: dict[str, Any], now: datetime, records: list[Record]
) -> None:
    owner = _owner(state, entry, records)
    name = entry["name"]
    type_id = entry.get("qualification_type_id") or state.type_by_name.get((owner, name))
    qt = state.qualification_types.get(type_id) if type_id else None
    if qt is None:
        qt = QualificationType(
            id=type_id or make_id("seed-qualification-type", owner, name),
            owner=owner,
            name=name,
            description=entry.get("description", name),
            status=entry.get("status", "Active"),
            created=entry.get("created") or now,
            keywords=entry.get("keywords"),
        )
        records.append(state.put_qualification_type(qt))
    for holder in entry.get("holders", []):
        if holder["worker_id"] in qt.holders:
            continue
        qualification = Qualification(
            worker_id=holder["worker_id"],
            value=int(holder.get("value", 1)),
            status=holder.get("status", "Granted"),
            granted=holder.get("granted") or now,
        )
        records.append(state.put_holder(qt.id, qualification))


def _requirements(state: State, owner: str, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Seed requirements in CreateHIT's wire form, resolving types named by name."""
    out = []
    for requirement in entry.get("qualification_requirements", []):
        type_id = requirement.get("qualification_type_id")
        if type_id is None:
            name = requirement["qualification_type_name"]
            type_id = state.type_by_name.get((owner, name))
            if type_id is None:
                raise SeedError(
                    [
                        f"hit {entry.get('hit_id') or entry.get('title')!r}: qualification_type_name "
                        f"{name!r} names no qualification type of requester {owner!r}"
                    ]
                )
        wire: dict[str, Any] = {"QualificationTypeId": type_id, "Comparator": requirement["comparator"]}
        if "integer_values" in requirement:
            wire["IntegerValues"] = requirement["integer_values"]
        if "actions_guarded" in requirement:
            wire["ActionsGuarded"] = requirement["actions_guarded"]
        out.append(wire)
    return out


def _merge_hit(state: State, index: int, entry: dict[str, Any], now: datetime, records: list[Record]) -> None:
    owner = _owner(state, entry, records)
    title = entry.get("title", "Seeded HIT")
    hit_id = entry.get("hit_id") or make_id("seed-hit", owner, index, title)
    hit = state.hits.get(hit_id)
    changed = False
    if hit is None:
        created = entry.get("created") or now
        hit_type = HITType(
            id=make_id("seed-hit-type", owner, hit_id),
            owner=owner,
            title=title,
            description=entry.get("description", title),
            reward=entry.get("reward", "0.00"),
            assignment_duration=int(entry.get("assignment_duration_seconds", 3600)),
            created=created,
            keywords=entry.get("keywords"),
            auto_approval_delay=int(entry.get("auto_approval_delay_seconds", 2_592_000)),
            qualification_requirements=_requirements(state, owner, entry),
        )
        records.append(state.put_hit_type(hit_type))
        hit = HIT(
            id=hit_id,
            owner=owner,
            hit_type_id=hit_type.id,
            title=hit_type.title,
            description=hit_type.description,
            reward=hit_type.reward,
            max_assignments=int(entry.get("max_assignments", max(1, len(entry.get("assignments", []))))),
            created=created,
            expiration=entry.get("expiration")
            or created + timedelta(seconds=int(entry.get("lifetime_seconds", 259_200))),
            assignment_duration=hit_type.assignment_duration,
            auto_approval_delay=hit_type.auto_approval_delay or 0,
            keywords=hit_type.keywords,
            qualification_requirements=hit_type.qualification_requirements,
        )
        changed = True
    workers = {a.worker_id for a in hit.assignments}
    for item in entry.get("assignments", []):
        if item["worker_id"] in workers:
            continue
        workers.add(item["worker_id"])
        submitted = item.get("submitted") or hit.created
        status = item.get("status", "Submitted")
        hit.assignments.append(
            Assignment(
                id=item.get("assignment_id") or make_id("seed-assignment", hit.id, item["worker_id"]),
                worker_id=item["worker_id"],
                status=status,
                accepted=submitted,
                submitted=submitted,
                approved=submitted if status == "Approved" else None,
                rejected=submitted if status == "Rejected" else None,
                answer=item.get("answer"),
                feedback=item.get("feedback"),
            )
        )
        changed = True
    if changed:
        records.append(state.put_hit(hit))
