"""The plan's JSON form (``schemas/plan.schema.json``): what ``plan --out`` saves and ``apply`` reads."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from reconciler.core.live import QualificationTypeSettings
from reconciler.core.plan import FORMAT_VERSION, Plan, PoolPlan, TypeChange, WorkerChange
from reconciler.render.mask import make_masker, mask_in_text

DIGEST = "digest"


def content_digest(document: Mapping[str, Any]) -> str:
    """A digest of everything in ``document`` but its own digest, over canonical JSON (sorted keys,
    no spaces), so a saved plan is bound to its content: any edit changes it."""
    content = {key: value for key, value in document.items() if key != DIGEST}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def plan_to_json(plan: Plan, platform: str = "MTurk") -> dict[str, Any]:
    """``platform`` (MTurk or Prolific) is where every change of the plan is made."""
    document = _plan_content(plan, platform)
    return {**document, DIGEST: content_digest(document)}


def masked_plan_json(plan: Plan, platform: str = "MTurk") -> dict[str, Any]:
    """The plan's JSON form for display (``--mask-worker-ids``): every worker ID masked, in the
    changes and in any message. It cannot be applied (apply needs whole IDs) and carries no digest."""
    document = _plan_content(plan, platform)
    every_id = {c.worker_id for pool in plan.pools for c in (*pool.grants, *pool.revokes, *pool.updates)}
    mask = make_masker(every_id)

    def masked(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {name: masked(item, name) for name, item in value.items()}
        if isinstance(value, list):
            return [masked(item) for item in value]
        if isinstance(value, str):
            return mask(value) if key == "worker_id" else mask_in_text(value, mask, every_id)
        return value

    return {**masked(document), "worker_ids_masked": True}


def _plan_content(plan: Plan, platform: str) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "target": plan.target,
        "platform": platform,
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
        "refusals": [{"check": check, "message": message} for check, message in plan.refusals],
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
        "qualification_type_live_name": pool.live_name,
        "revoke_reason": pool.revoke_reason,
        "holders_before": pool.holders_before,
        "holders_after": pool.holders_after,
        "grant": [
            {"worker_id": c.worker_id, "value": c.new_value, "studies": list(c.studies)} for c in pool.grants
        ],
        "revoke": [{"worker_id": c.worker_id, "value": c.old_value, "cause": c.cause} for c in pool.revokes],
        "kept": [{"worker_id": c.worker_id, "value": c.old_value, "cause": c.cause} for c in pool.kept],
        "outside_holders": pool.outside_holders,
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
        refusals=tuple((refusal["check"], refusal["message"]) for refusal in data.get("refusals", ())),
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
        revokes=tuple(
            WorkerChange(c["worker_id"], c["value"], None, cause=c.get("cause", "")) for c in data["revoke"]
        ),
        updates=tuple(
            WorkerChange(c["worker_id"], c["old_value"], c["value"], tuple(c.get("studies", ())))
            for c in data["update"]
        ),
        kept=tuple(
            WorkerChange(c["worker_id"], c["value"], c["value"], cause=c.get("cause", ""))
            for c in data.get("kept", ())
        ),
        revoke_reason=data.get("revoke_reason"),
        live_name=data.get("qualification_type_live_name"),
        outside_holders=data.get("outside_holders", "keep"),
    )
