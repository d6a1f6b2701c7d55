"""The emulator's state (qualification types, holders, HIT types, HITs) and its records.

All mutation goes through the ``put_*`` methods, each of which returns the journal record
that reproduces it. Records are idempotent upserts, so replaying a journal over a
snapshot that already contains some of its changes is harmless (see ``persistence``).
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reconciler.emulators.mturk.clock import iso, parse_iso

DEFAULT_REQUESTER = "default"
Record = dict[str, Any]
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def make_id(*parts: object) -> str:
    """A 30-character upper-case alphanumeric ID, as MTurk's, derived from ``parts``.

    Deterministic so that a seed without IDs merges into the same entities every run.
    """
    digest = int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest(), "big")
    chars = []
    for _ in range(29):
        digest, rem = divmod(digest, 36)
        chars.append(_ALNUM[rem])
    return "3" + "".join(chars)


@dataclass
class Qualification:
    worker_id: str
    value: int
    status: str  # Granted | Revoked
    granted: datetime
    reason: str | None = None  # why it was revoked


@dataclass
class QualificationType:
    id: str
    owner: str
    name: str
    description: str
    status: str  # Active | Inactive
    created: datetime
    keywords: str | None = None
    retry_delay: int | None = None
    test: str | None = None
    answer_key: str | None = None
    test_duration: int | None = None
    auto_granted: bool = False
    auto_granted_value: int | None = None
    # Holders by worker, plus the worker IDs kept sorted so a page of
    # ListWorkersWithQualificationType is a bisect and a slice, not a scan.
    holders: dict[str, Qualification] = field(default_factory=dict, repr=False)
    sorted_workers: list[str] = field(default_factory=list, repr=False)


@dataclass
class Assignment:
    id: str
    worker_id: str
    # Accepted (a worker is on it) | Submitted | Approved | Rejected | Returned; an Accepted
    # assignment past its deadline reads as Abandoned (see operations.assignment_status).
    status: str
    accepted: datetime
    submitted: datetime | None = None
    approved: datetime | None = None
    rejected: datetime | None = None
    answer: str | None = None
    feedback: str | None = None


@dataclass
class HITType:
    id: str
    owner: str
    title: str
    description: str
    reward: str
    assignment_duration: int
    created: datetime
    keywords: str | None = None
    auto_approval_delay: int | None = None
    qualification_requirements: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class HIT:
    id: str
    owner: str
    hit_type_id: str
    title: str
    description: str
    reward: str
    max_assignments: int
    created: datetime
    expiration: datetime
    assignment_duration: int
    auto_approval_delay: int
    keywords: str | None = None
    question: str | None = None
    requester_annotation: str | None = None
    hit_layout_id: str | None = None
    review_status: str = "NotReviewed"
    reviewing: bool = False  # UpdateHITReviewStatus moved it from Reviewable to Reviewing
    deleted: bool = False  # DeleteHIT disposed of it
    qualification_requirements: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)


def _dump(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if f.name in skip:
            continue
        value = getattr(obj, f.name)
        if isinstance(value, datetime):
            value = iso(value)
        elif isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
            value = [_dump(item) for item in value]
        out[f.name] = value
    return out


def _load_fields(cls: type[Any], data: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if value is not None and "datetime" in str(f.type):
            value = parse_iso(value)
        kwargs[f.name] = value
    return kwargs


def _load_hit(data: dict[str, Any]) -> HIT:
    kwargs = _load_fields(HIT, data)
    kwargs["assignments"] = [Assignment(**_load_fields(Assignment, a)) for a in data.get("assignments", [])]
    return HIT(**kwargs)


class State:
    """Everything the emulator knows. Not thread-safe: callers hold the store's lock."""

    def __init__(self) -> None:
        self.counter = 0
        self.requesters: set[str] = set()
        self.qualification_types: dict[str, QualificationType] = {}
        self.type_by_name: dict[tuple[str, str], str] = {}
        self.hit_types: dict[str, HITType] = {}
        self.hits: dict[str, HIT] = {}
        self.hit_order: list[str] = []  # creation order; ListHITs pages by index into it
        self.request_tokens: dict[str, tuple[str, datetime]] = {}
        # The emails MTurk would send workers: a grant with SendNotification (its default is
        # true) and a revocation with a Reason. Kept so tests can prove the tool sends none.
        self.notifications: list[dict[str, Any]] = []
        # Smaller collections, each a map from key to a JSON object: "bonus", "block",
        # "qualification-request", "notification-setting" (see ``account``).
        self.entries: dict[str, dict[str, dict[str, Any]]] = {}

    # -- identity -------------------------------------------------------------------------

    def requester_for(self, access_key_id: str) -> str:
        """Access keys listed as requesters are their own requester; all others share one."""
        return access_key_id if access_key_id in self.requesters else DEFAULT_REQUESTER

    def next_id(self, kind: str) -> tuple[str, Record]:
        """A fresh ID and the record that advances the ID counter past it."""
        while True:
            self.counter += 1
            new_id = make_id("local-mturk", kind, self.counter)
            if new_id not in self.qualification_types and new_id not in self.hits:
                return new_id, {"k": "counter", "v": self.counter}

    # -- mutators: each returns its journal record ------------------------------------------

    def put_counter(self, value: int) -> Record:
        self.counter = max(self.counter, value)
        return {"k": "counter", "v": self.counter}

    def put_requester(self, access_key_id: str) -> Record:
        self.requesters.add(access_key_id)
        return {"k": "requester", "v": access_key_id}

    def put_qualification_type(self, qt: QualificationType) -> Record:
        existing = self.qualification_types.get(qt.id)
        if existing is not None:
            # Keep the holders; only the type's own attributes change.
            qt.holders, qt.sorted_workers = existing.holders, existing.sorted_workers
            self.type_by_name.pop((existing.owner, existing.name), None)
        self.qualification_types[qt.id] = qt
        self.type_by_name[(qt.owner, qt.name)] = qt.id
        return {"k": "qt", "v": _dump(qt, skip=("holders", "sorted_workers"))}

    def put_holder(self, type_id: str, qualification: Qualification) -> Record:
        qt = self.qualification_types[type_id]
        if qualification.worker_id not in qt.holders:
            bisect.insort(qt.sorted_workers, qualification.worker_id)
        qt.holders[qualification.worker_id] = qualification
        return {"k": "holder", "t": type_id, "v": _dump(qualification)}

    def put_hit_type(self, hit_type: HITType) -> Record:
        self.hit_types[hit_type.id] = hit_type
        return {"k": "hit_type", "v": _dump(hit_type)}

    def put_hit(self, hit: HIT) -> Record:
        if hit.id not in self.hits:
            self.hit_order.append(hit.id)
        self.hits[hit.id] = hit
        return {"k": "hit", "v": _dump(hit)}

    def put_notification(self, notice: dict[str, Any]) -> Record:
        """Record an email to a worker; ``notice["n"]`` numbers it so a replay never repeats it."""
        number = int(notice.get("n", len(self.notifications)))
        if number >= len(self.notifications):
            self.notifications.append({**notice, "n": number})
        return {"k": "notice", "v": {**notice, "n": number}}

    def put_entry(self, collection: str, key: str, value: dict[str, Any] | None) -> Record:
        """Set (or with ``None`` remove) one entry of a small collection."""
        items = self.entries.setdefault(collection, {})
        if value is None:
            items.pop(key, None)
        else:
            items[key] = value
        return {"k": "entry", "c": collection, "t": key, "v": value}

    def put_request_token(self, token: str, hit_id: str, at: datetime) -> Record:
        self.request_tokens[token] = (hit_id, at)
        return {"k": "token", "t": token, "v": {"hit_id": hit_id, "at": iso(at)}}

    # -- records in and out -----------------------------------------------------------------

    def apply(self, record: Record) -> None:
        """Replay one journal record (an idempotent upsert)."""
        kind = record["k"]
        value = record["v"]
        if kind == "counter":
            self.put_counter(int(value))
        elif kind == "requester":
            self.put_requester(str(value))
        elif kind == "qt":
            fields = {k: v for k, v in value.items() if k not in ("holders", "sorted_workers")}
            self.put_qualification_type(QualificationType(**_load_fields(QualificationType, fields)))
        elif kind == "holder":
            self.put_holder(record["t"], Qualification(**_load_fields(Qualification, value)))
        elif kind == "hit_type":
            self.put_hit_type(HITType(**_load_fields(HITType, value)))
        elif kind == "hit":
            self.put_hit(_load_hit(value))
        elif kind == "token":
            self.put_request_token(record["t"], value["hit_id"], parse_iso(value["at"]))
        elif kind == "notice":
            self.put_notification(dict(value))
        elif kind == "entry":
            self.put_entry(record["c"], record["t"], value)
        else:
            raise ValueError(f"unknown state record kind {kind!r}")

    def to_json(self) -> dict[str, Any]:
        """The whole state as the JSON document the state file holds."""
        return {
            "counter": self.counter,
            "requesters": sorted(self.requesters),
            "qualification_types": [
                {
                    **_dump(qt, skip=("holders", "sorted_workers")),
                    "holders": [_dump(qt.holders[w]) for w in qt.sorted_workers],
                }
                for qt in self.qualification_types.values()
            ],
            "hit_types": [_dump(ht) for ht in self.hit_types.values()],
            "hits": [_dump(self.hits[h]) for h in self.hit_order],
            "request_tokens": {
                token: {"hit_id": hit_id, "at": iso(at)}
                for token, (hit_id, at) in self.request_tokens.items()
            },
            "notifications": list(self.notifications),
            "entries": {name: dict(items) for name, items in self.entries.items()},
        }

    def load_json(self, data: dict[str, Any]) -> None:
        """Merge a state document (as ``to_json`` writes it) into this state."""
        self.put_counter(int(data.get("counter", 0)))
        for key in data.get("requesters", []):
            self.put_requester(key)
        for qt_data in data.get("qualification_types", []):
            holders = qt_data.get("holders", [])
            self.apply({"k": "qt", "v": qt_data})
            for holder in holders:
                self.apply({"k": "holder", "t": qt_data["id"], "v": holder})
        for ht in data.get("hit_types", []):
            self.apply({"k": "hit_type", "v": ht})
        for hit in data.get("hits", []):
            self.apply({"k": "hit", "v": hit})
        for token, value in data.get("request_tokens", {}).items():
            self.apply({"k": "token", "t": token, "v": value})
        for notice in data.get("notifications", []):
            self.apply({"k": "notice", "v": notice})
        for collection, items in data.get("entries", {}).items():
            for key, value in items.items():
                self.apply({"k": "entry", "c": collection, "t": key, "v": value})
