"""The seed file: past work and qualifications merged into the state at start.

The requester API has no way to submit work, so a seed is how a local MTurk gets HITs
with assignments and qualification holders. It is YAML, checked against
schemas/local-seed.schema.json, read with the same hardened reader as every other file of the
project (so size limits, alias bombs and binary files are refused the same way), and every
problem is reported as ``file:line:column: message (hint: ...)``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from reconciler.documents.findings import DocumentError, Finding
from reconciler.documents.schema_messages import findings, validator_for
from reconciler.documents.yaml_reader import locate, read_document
from reconciler.emulators.mturk.clock import parse_iso
from reconciler.emulators.mturk.state import (
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
TIME_KEYS = frozenset({"created", "expiration", "accepted", "submitted", "granted"})


class SeedError(Exception):
    """A seed that cannot be used; ``findings`` locate each at its file, line and column."""

    def __init__(self, found: list[Finding]) -> None:
        self.findings = found
        self.errors = [finding.format() for finding in found]
        super().__init__("; ".join(self.errors))


def schema_path() -> Traversable:
    """The seed's JSON Schema, as the package carries it (the lab's editors use the same file)."""
    return files("reconciler") / "schemas" / SCHEMA_NAME


@cache
def _validator() -> Any:
    with schema_path().open(encoding="utf-8") as handle:
        return validator_for(json.load(handle))


def _parse_times(path: Path, node: Any, pointer: list[str | int], problems: list[Finding]) -> Any:
    """Turn the seed's ISO times (the schema checked their form) into datetimes."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in TIME_KEYS and isinstance(value, str):
                try:
                    out[key] = parse_iso(value)
                except ValueError:
                    line, column = locate(path, [*pointer, key])
                    problems.append(
                        Finding(
                            path,
                            f"{value!r} is not a date-time",
                            "write it like 2026-01-05T12:00:00Z",
                            line,
                            column,
                        )
                    )
                    out[key] = None
            else:
                out[key] = _parse_times(path, value, [*pointer, key], problems)
        return out
    if isinstance(node, list):
        return [_parse_times(path, item, [*pointer, index], problems) for index, item in enumerate(node)]
    return node


def load_seed(path: Path) -> dict[str, Any]:
    """Read and check a seed file with the project's hardened YAML reader and its schema;
    raise ``SeedError`` listing every problem with its position."""
    try:
        document = read_document(path, allow_empty=True)
    except DocumentError as error:
        raise SeedError(error.findings) from None
    data = document.data if document.data is not None else {}
    problems = findings(path, data, _validator())
    if problems:
        raise SeedError(problems)
    seed = _parse_times(path, data, [], problems)
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
                        Finding(
                            Path("seed"),
                            f"hit {entry.get('hit_id') or entry.get('title')!r}: qualification_type_name "
                            f"{name!r} names no qualification type of requester {owner!r}",
                            "define the type under qualification_types: or give its qualification_type_id",
                        )
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
        status = item.get("status", "Submitted")
        accepted = item.get("accepted") or item.get("submitted") or hit.created
        # A worker still on the assignment (Accepted) has submitted nothing yet.
        submitted = None if status == "Accepted" else item.get("submitted") or hit.created
        hit.assignments.append(
            Assignment(
                id=item.get("assignment_id") or make_id("seed-assignment", hit.id, item["worker_id"]),
                worker_id=item["worker_id"],
                status=status,
                accepted=accepted,
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
