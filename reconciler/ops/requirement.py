"""``requirement``: the QualificationRequirement that keeps a pool's workers out of a new HIT."""

from __future__ import annotations

from typing import Any

from reconciler.core.model import ProlificTarget
from reconciler.ops.failures import OperationFailed
from reconciler.ops.session import Session


def pool_requirement(session: Session, pool: str, actions_guarded: str) -> dict[str, Any]:
    """MTurk: the QualificationRequirement. Prolific: the study filter that blocks the pool's group."""
    config = session.repository.config
    if pool not in config.pools:
        raise OperationFailed(f"no pool named '{pool}'; pools: {', '.join(sorted(config.pools))}")
    live = session.find_pool_type(pool)
    if live is None:
        target = session.target.name
        raise OperationFailed(
            f"pool '{pool}' has no qualification type on target '{target}' yet (none named "
            f"'{config.pools[pool].name}'); create it first with: exclusions apply --target {target}"
        )
    if isinstance(session.target, ProlificTarget):
        from reconciler.platform.prolific import blocklist_filter  # httpx only for Prolific

        return blocklist_filter([live.type_id])
    return {
        "QualificationTypeId": live.type_id,
        "Comparator": "DoesNotExist",
        "ActionsGuarded": actions_guarded,
    }
