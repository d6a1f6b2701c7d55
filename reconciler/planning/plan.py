"""The plan: what apply would change, separate from how it is shown (renderers) or done (apply)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from reconciler.platform.base import QualificationTypeSettings

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class WorkerChange:
    worker_id: str
    old_value: int | None  # None: the worker holds nothing now (a grant)
    new_value: int | None  # None: the worker will hold nothing (a revocation)
    studies: tuple[str, ...] = ()  # the excluding studies behind the new value


@dataclass(frozen=True, slots=True)
class TypeChange:
    action: Literal["create", "update"]
    attributes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)  # name -> (old, new)


@dataclass(frozen=True, slots=True)
class PoolPlan:
    pool: str
    settings: QualificationTypeSettings
    type_id: str | None  # None until a planned creation is applied
    type_change: TypeChange | None
    holders_before: int
    grants: tuple[WorkerChange, ...] = ()
    revokes: tuple[WorkerChange, ...] = ()
    updates: tuple[WorkerChange, ...] = ()
    revoke_reason: str | None = None

    @property
    def has_changes(self) -> bool:
        return bool(self.type_change or self.grants or self.revokes or self.updates)

    @property
    def holders_after(self) -> int:
        return self.holders_before + len(self.grants) - len(self.revokes)


@dataclass(frozen=True, slots=True)
class Plan:
    target: str
    created_at: datetime
    pools: tuple[PoolPlan, ...]
    live_fingerprint: str
    desired_fingerprint: str
    warnings: tuple[str, ...] = ()

    @property
    def has_changes(self) -> bool:
        return any(pool.has_changes for pool in self.pools)

    def count(self, kind: Literal["grants", "revokes", "updates"]) -> int:
        return sum(len(getattr(pool, kind)) for pool in self.pools)


def fingerprint(sections: Iterable[tuple[str, Mapping[str, Any], Mapping[str, int]]]) -> str:
    """A digest of (pool, attributes, worker -> value) sections, independent of order."""
    digest = hashlib.sha256()
    for pool, attributes, holders in sorted(sections, key=lambda section: section[0]):
        lines = [f"pool\t{pool}"]
        lines.extend(f"attr\t{name}\t{attributes[name]!r}" for name in sorted(attributes))
        lines.extend(f"{worker_id}\t{holders[worker_id]}" for worker_id in sorted(holders))
        digest.update(("\n".join(lines) + "\n").encode())  # one update: hashing is the cost here
    return "sha256:" + digest.hexdigest()


# --- the JSON form (schemas/plan.schema.json) -----------------------------------------------------


def plan_to_json(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "target": plan.target,
        "created_at": plan.created_at.isoformat().replace("+00:00", "Z"),
        "fingerprints": {"live": plan.live_fingerprint, "desired": plan.desired_fingerprint},
        "summary": {
            "grant": plan.count("grants"),
            "revoke": plan.count("revokes"),
            "update": plan.count("updates"),
            "qualification_types": sum(pool.type_change is not None for pool in plan.pools),
            "changes": plan.has_changes,
        },
        "warnings": list(plan.warnings),
        "pools": [_pool_to_json(pool) for pool in plan.pools],
    }


def _pool_to_json(pool: PoolPlan) -> dict[str, Any]:
    settings = pool.settings
    type_change: dict[str, Any] | None = None
    if pool.type_change is not None:
        type_change = {
            "action": pool.type_change.action,
            "attributes": {
                name: {"old": old, "new": new} for name, (old, new) in pool.type_change.attributes.items()
            },
        }
    return {
        "pool": pool.pool,
        "qualification_type_id": pool.type_id,
        "qualification_type": {
            "name": settings.name,
            "description": settings.description,
            "keywords": settings.keywords,
            "status": settings.status,
            "auto_granted": settings.auto_granted,
        },
        "qualification_type_change": type_change,
        "revoke_reason": pool.revoke_reason,
        "holders_before": pool.holders_before,
        "holders_after": pool.holders_after,
        "grant": [
            {"worker_id": c.worker_id, "value": c.new_value, "studies": list(c.studies)} for c in pool.grants
        ],
        "revoke": [{"worker_id": c.worker_id, "value": c.old_value} for c in pool.revokes],
        "update": [
            {
                "worker_id": c.worker_id,
                "old_value": c.old_value,
                "value": c.new_value,
                "studies": list(c.studies),
            }
            for c in pool.updates
        ],
    }


def plan_from_json(data: Mapping[str, Any]) -> Plan:
    """The plan saved with --out; the caller validates ``data`` against the plan schema first."""
    return Plan(
        target=data["target"],
        created_at=datetime.fromisoformat(data["created_at"].replace("Z", "+00:00")),
        pools=tuple(_pool_from_json(pool) for pool in data["pools"]),
        live_fingerprint=data["fingerprints"]["live"],
        desired_fingerprint=data["fingerprints"]["desired"],
        warnings=tuple(data.get("warnings", ())),
    )


def _pool_from_json(data: Mapping[str, Any]) -> PoolPlan:
    qt = data["qualification_type"]
    change = data.get("qualification_type_change")
    return PoolPlan(
        pool=data["pool"],
        settings=QualificationTypeSettings(
            qt["name"], qt["description"], qt.get("keywords"), qt["status"], qt["auto_granted"]
        ),
        type_id=data.get("qualification_type_id"),
        type_change=TypeChange(
            change["action"],
            {name: (value["old"], value["new"]) for name, value in change.get("attributes", {}).items()},
        )
        if change
        else None,
        holders_before=data["holders_before"],
        grants=tuple(
            WorkerChange(c["worker_id"], None, c["value"], tuple(c.get("studies", ()))) for c in data["grant"]
        ),
        revokes=tuple(WorkerChange(c["worker_id"], c["value"], None) for c in data["revoke"]),
        updates=tuple(
            WorkerChange(c["worker_id"], c["old_value"], c["value"], tuple(c.get("studies", ())))
            for c in data["update"]
        ),
        revoke_reason=data.get("revoke_reason"),
    )
