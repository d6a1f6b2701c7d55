"""The plan's JSON form (``schemas/plan.schema.json``): what ``plan --out`` saves and ``apply`` reads."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from reconciler.core.live import QualificationTypeSettings
from reconciler.core.plan import FORMAT_VERSION, Plan, PoolPlan, TypeChange, WorkerChange
from reconciler.kinds import by_name
from reconciler.render.mask import make_masker, mask_in_text

DIGEST = "digest"


def content_digest(document: Mapping[str, Any]) -> str:
    """A digest of everything in ``document`` but its own digest, over canonical JSON (sorted keys,
    no spaces), so a saved plan is bound to its content: any edit changes it."""
    content = {key: value for key, value in document.items() if key != DIGEST}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The plan, with the digest of its own content; its keys are the same on every platform."""
    document = _plan_content(plan)
    return {**document, DIGEST: content_digest(document)}


def masked_plan_json(plan: Plan) -> dict[str, Any]:
    """The plan's JSON form for display (``--mask-ids``): every holder ID masked, in the
    changes and in any message. It cannot be applied (apply needs whole IDs) and carries no digest."""
    document = _plan_content(plan)
    every_id = plan.holder_ids()
    mask = make_masker(every_id)

    def masked(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {name: masked(item, name) for name, item in value.items()}
        if isinstance(value, list):
            return [masked(item) for item in value]
        if isinstance(value, str):
            return mask(value) if key == "id" else mask_in_text(value, mask, every_id)
        return value

    return {**masked(document), "ids_masked": True}


def _plan_content(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "target": plan.target,
        "platform": plan.platform.name,
        "created_at": plan.created_at.isoformat().replace("+00:00", "Z"),
        "fingerprints": {"live": plan.live_fingerprint, "desired": plan.desired_fingerprint},
        "summary": {
            "grant": plan.count("grants"),
            "revoke": plan.count("revokes"),
            "update": plan.count("updates"),
            "groups": sum(pool.type_change is not None for pool in plan.pools),
            "changes": plan.has_changes,
        },
        "warnings": list(plan.warnings),
        "refusals": [{"check": check, "message": message} for check, message in plan.refusals],
        "pools": [_pool_to_json(pool, plan.platform.holds_values) for pool in plan.pools],
    }


def _pool_to_json(pool: PoolPlan, values: bool) -> dict[str, Any]:
    """One pool's changes; ``values``: whether the platform's holders carry a value (MTurk's
    qualification values), else entries name the holder alone."""
    settings = pool.settings
    type_change: dict[str, Any] | None = None
    if pool.type_change is not None:
        type_change = {
            "action": pool.type_change.action,
            "attributes": {
                name: {"old": old, "new": new} for name, (old, new) in pool.type_change.attributes.items()
            },
        }

    def entry(change: WorkerChange, value: int | None, **more: Any) -> dict[str, Any]:
        return {"id": change.worker_id, **({"value": value} if values else {}), **more}

    return {
        "pool": pool.pool,
        "group_id": pool.type_id,
        "group": {
            "name": settings.name,
            "description": settings.description,
            "keywords": settings.keywords,
            "status": settings.status,
            "auto_granted": settings.auto_granted,
        },
        "group_change": type_change,
        "group_live_name": pool.live_name,
        "revoke_reason": pool.revoke_reason,
        "holders_before": pool.holders_before,
        "holders_after": pool.holders_after,
        "grant": [entry(c, c.new_value, studies=list(c.studies)) for c in pool.grants],
        "revoke": [entry(c, c.old_value, cause=c.cause) for c in pool.revokes],
        "kept": [entry(c, c.old_value, cause=c.cause) for c in pool.kept],
        "outside_holders": pool.outside_holders,
        "update": [
            {"id": c.worker_id, "old_value": c.old_value, "value": c.new_value, "studies": list(c.studies)}
            for c in pool.updates
        ],
    }


def plan_from_json(data: Mapping[str, Any]) -> Plan:
    """The plan saved with --out; the caller validates ``data`` against the plan schema first."""
    return Plan(
        target=data["target"],
        platform=by_name(data["platform"]),
        created_at=datetime.fromisoformat(data["created_at"].replace("Z", "+00:00")),
        pools=tuple(_pool_from_json(pool) for pool in data["pools"]),
        live_fingerprint=data["fingerprints"]["live"],
        desired_fingerprint=data["fingerprints"]["desired"],
        warnings=tuple(data.get("warnings", ())),
        refusals=tuple((refusal["check"], refusal["message"]) for refusal in data.get("refusals", ())),
    )


def _pool_from_json(data: Mapping[str, Any]) -> PoolPlan:
    group = data["group"]
    change = data.get("group_change")
    # A group that holds membership only: the planner's value of every member is 1.
    return PoolPlan(
        pool=data["pool"],
        settings=QualificationTypeSettings(
            group["name"], group["description"], group.get("keywords"), group["status"], group["auto_granted"]
        ),
        type_id=data.get("group_id"),
        type_change=TypeChange(
            change["action"],
            {name: (value["old"], value["new"]) for name, value in change.get("attributes", {}).items()},
        )
        if change
        else None,
        holders_before=data["holders_before"],
        grants=tuple(
            WorkerChange(c["id"], None, c.get("value", 1), tuple(c.get("studies", ()))) for c in data["grant"]
        ),
        revokes=tuple(
            WorkerChange(c["id"], c.get("value", 1), None, cause=c.get("cause", "")) for c in data["revoke"]
        ),
        updates=tuple(
            WorkerChange(c["id"], c["old_value"], c["value"], tuple(c.get("studies", ())))
            for c in data["update"]
        ),
        kept=tuple(
            WorkerChange(c["id"], c.get("value", 1), c.get("value", 1), cause=c.get("cause", ""))
            for c in data.get("kept", ())
        ),
        revoke_reason=data.get("revoke_reason"),
        live_name=data.get("group_live_name"),
        outside_holders=data.get("outside_holders", "keep"),
    )
