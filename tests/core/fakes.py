"""Builders of core values and a fake platform, for unit tests of the pure core and of apply.

The fake keeps holders in a dict and records every mutation, like peribolos's fake client: a
test states what the platform has, runs the code, and compares what was done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from reconciler.core.live import (
    HitReading,
    HitState,
    LiveHit,
    LiveQualificationType,
    QualificationTypeSettings,
)
from reconciler.core.model import Listing, Pool, Study, StudyStatus
from reconciler.core.platform_kind import PlatformKind
from reconciler.kinds.mturk import MTURK
from reconciler.platform.base import GroupGone, PlatformError, UnitGone

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TODAY: date = NOW.date()


def pool(key: str = "deception", **fields: object) -> Pool:
    values: dict[str, object] = {"name": f"Lab {key}", "description": f"Past {key} participants"}
    values.update(fields)
    return Pool(key=key, **values)  # type: ignore[arg-type]


def study(
    study_id: str,
    *,
    pools: tuple[str, ...] = ("deception",),
    hits: tuple[str, ...] = (),
    workers: tuple[str, ...] = (),
    status: StudyStatus = StudyStatus.ACTIVE,
    exclude_until: date | None = None,
) -> Study:
    return Study(
        study_id=study_id,
        path=Path(f"exclusions/studies/{study_id}.yaml"),
        title=study_id,
        pools=pools,
        status=status,
        exclude_until=exclude_until,
        hits=hits,
        workers=workers,
        listings=(("mturk", Listing(hits, workers)),),
    )


@dataclass
class FakePlatform:
    """A platform in memory. ``fail`` names (operation, worker) pairs that raise PlatformError."""

    types: dict[str, LiveQualificationType] = field(default_factory=dict)
    holders: dict[str, dict[str, int]] = field(default_factory=dict)
    hits: dict[str, HitReading] = field(default_factory=dict)
    # (MaxAssignments, NumberOfAssignmentsAvailable) of a HIT; without them its counts are unknown
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    fail: set[tuple[str, str]] = field(default_factory=set)
    calls: list[tuple[str, ...]] = field(default_factory=list)
    kind: PlatformKind = MTURK

    def _maybe_fail(self, operation: str, subject: str) -> None:
        if (operation, subject) in self.fail:
            raise PlatformError(f"{operation} {subject} failed (injected)")

    def find_qualification_type(self, name: str, pinned_id: str | None) -> LiveQualificationType | None:
        self.calls.append(("find", name))
        if pinned_id is not None:
            if pinned_id not in self.types:
                raise GroupGone(self.kind, pinned_id)
            return self.types[pinned_id]
        return next((t for t in self.types.values() if t.name == name), None)

    def create_qualification_type(self, settings: QualificationTypeSettings) -> LiveQualificationType:
        self.calls.append(("create", settings.name))
        self._maybe_fail("create", settings.name)
        type_id = f"3TYPE{len(self.types):025d}"
        created = LiveQualificationType(
            type_id, settings.name, settings.description, settings.keywords, "Active", False
        )
        self.types[type_id] = created
        self.holders[type_id] = {}
        return created

    def update_qualification_type(self, type_id: str, settings: QualificationTypeSettings) -> None:
        self.calls.append(("update type", type_id))
        old = self.types[type_id]
        self.types[type_id] = LiveQualificationType(
            type_id, old.name, settings.description, old.keywords, settings.status, settings.auto_granted
        )

    def list_holders(self, type_id: str) -> dict[str, int]:
        self.calls.append(("list holders", type_id))
        return dict(self.holders.get(type_id, {}))

    def read_hit(self, hit_id: str) -> HitReading:
        self.calls.append(("read hit", hit_id))
        if hit_id not in self.hits:
            raise UnitGone(self.kind, hit_id)
        return self.hits[hit_id]

    def hit_state(self, hit_id: str) -> HitState:
        self.calls.append(("hit state", hit_id))
        if hit_id not in self.hits:
            raise UnitGone(self.kind, hit_id)
        return self._state(hit_id)

    def list_hit_states(self) -> list[HitState]:
        self.calls.append(("list hit states",))
        return [self._state(hit_id) for hit_id in sorted(self.hits)]

    def hit_workers(self, hit_id: str) -> frozenset[str]:
        self.calls.append(("hit workers", hit_id))
        if hit_id not in self.hits:
            raise UnitGone(self.kind, hit_id)
        return self.hits[hit_id].workers

    def _state(self, hit_id: str) -> HitState:
        hit = self.hits[hit_id]
        most, available = self.counts.get(hit_id, (None, None))
        return HitState(hit_id, hit.created, hit.expiration, hit.status, hit.pending, available, most)

    def list_hits(self) -> list[LiveHit]:
        return []

    def exclusion(self, type_id: str, actions_guarded: str) -> dict[str, str]:
        return {
            "QualificationTypeId": type_id,
            "Comparator": "DoesNotExist",
            "ActionsGuarded": actions_guarded,
        }

    def grant(self, type_id: str, worker_id: str, value: int) -> None:
        self.calls.append(("grant", worker_id))
        self._maybe_fail("grant", worker_id)
        self.holders.setdefault(type_id, {})[worker_id] = value

    def revoke(self, type_id: str, worker_id: str, reason: str | None) -> None:
        self.calls.append(("revoke", worker_id))
        self._maybe_fail("revoke", worker_id)
        self.holders.get(type_id, {}).pop(worker_id, None)
