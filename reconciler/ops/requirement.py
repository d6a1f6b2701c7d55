"""``requirement``: what a new unit of work carries to keep a pool's holders out, in the platform's
API shape (MTurk's DoesNotExist QualificationRequirement, Prolific's blocklist filter)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.ops.failures import OperationFailed
from reconciler.ops.session import load_run, open_session
from reconciler.platform.base import PlatformError


def pool_requirement(root: Path, target_name: str | None, pool: str, actions_guarded: str) -> dict[str, Any]:
    inputs = load_run(root, target_name, with_records=False)
    config = inputs.repository.config
    if pool not in config.pools:
        raise OperationFailed(f"no pool named '{pool}'; pools: {', '.join(sorted(config.pools))}")
    group = inputs.kind.words.group
    target = inputs.target.name
    try:
        with open_session(inputs) as session:
            live = session.find_pool_type(pool)
            if live is None:
                raise OperationFailed(
                    f"pool '{pool}' has no {group} on target '{target}' yet (none named "
                    f"'{config.pools[pool].name}'); create it first with: exclusions apply --target {target}"
                )
            return session.platform.exclusion(live.type_id, actions_guarded)
    except PlatformError as error:
        raise OperationFailed(f"{error}; cannot tell the {group} of pool '{pool}'") from None
