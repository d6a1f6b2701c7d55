"""``audit``: the open HITs of a target that would let a pool's workers in."""

from __future__ import annotations

from datetime import datetime

from reconciler.core.audit import Audit, audit_hits
from reconciler.ops.session import Session


def audit_target(session: Session, now: datetime) -> Audit:
    config = session.repository.config
    checked = config.required_pools or tuple(sorted(config.pools))
    type_ids: dict[str, str | None] = {}
    for key in checked:
        live = session.find_pool_type(key)
        type_ids[key] = live.type_id if live else None
    return audit_hits(type_ids, config.required_pools, session.platform.list_hits(), now)
