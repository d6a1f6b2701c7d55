"""``import``: adopt an existing qualification by writing its holders into a new study file."""

from __future__ import annotations

from pathlib import Path

from reconciler.core.problems import InvalidInput
from reconciler.lab.loading import load_repository
from reconciler.lab.studies import write_imported_study
from reconciler.ops.failures import OperationFailed
from reconciler.ops.local_seed import local_seed_problems
from reconciler.ops.projection import holds_membership_only
from reconciler.ops.session import Session, utc_now


def adopt_holders(session: Session, pool: str, study_id: str, title: str | None) -> tuple[Path, int]:
    """Write the study; returns its path and the number of workers. The repository is validated
    with the new file in it, and the file is removed again if it does not validate."""
    config = session.repository.config
    if pool not in config.pools:
        raise OperationFailed(f"no pool named '{pool}'; pools: {', '.join(sorted(config.pools))}")
    spec = config.pools[pool]
    if spec.exclude_after != 1:
        raise OperationFailed(
            f"pool '{pool}' excludes after {spec.exclude_after} studies, and an imported study counts "
            "as one, so its holders would be revoked; import into a pool with exclude_after: 1"
        )
    path = session.layout.study_file(study_id)
    if path.exists():
        raise OperationFailed(f"{path} exists already; choose another --study")
    live = session.find_pool_type(pool)
    if live is None:
        raise OperationFailed(
            f"pool '{pool}' has no qualification type on target '{session.target.name}' yet"
        )
    holders = session.platform.list_holders(live.type_id)
    if not holders:
        raise OperationFailed(
            f"the qualification of pool '{pool}' has no holders; there is nothing to import"
        )
    title = title or f"Holders of '{spec.name}' on {session.target.name}"
    key = "participants" if holds_membership_only(session.target) else "workers"
    write_imported_study(session.layout, path, study_id, pool, title, sorted(holders), utc_now(), key)
    try:
        load_repository(
            session.repository.root, with_captures=False, check_seed=local_seed_problems
        ).require()
    except InvalidInput as error:
        path.unlink()
        raise OperationFailed(
            "the imported study did not validate; nothing was written", error.problems
        ) from None
    return path, len(holders)
