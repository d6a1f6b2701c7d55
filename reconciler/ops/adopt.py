"""``import``: adopt the holders the repository does not list by writing them into a new study file.

On a lab's first import that is every holder of the qualification. Later it is the holders the
plan shows as held outside the repository (granted by hand or by another tool): holders a study
lists already, or listed at the last apply and since removed, are left out, so importing never
undoes a release or a removal someone reviewed."""

from __future__ import annotations

from pathlib import Path

from reconciler.core.plan import PoolPlan
from reconciler.core.planner import REVOKED_OUTSIDE
from reconciler.core.problems import InvalidInput
from reconciler.lab.loading import load_repository
from reconciler.lab.studies import write_imported_study
from reconciler.ops.failures import OperationFailed
from reconciler.ops.local_seed import local_seed_problems
from reconciler.ops.projection import holds_membership_only
from reconciler.ops.session import Session, utc_now


def outside_holders(planned: PoolPlan) -> list[str]:
    """The holders the repository never listed: kept by the plan, or revoked for that alone."""
    revoked = [change.worker_id for change in planned.revokes if change.cause == REVOKED_OUTSIDE]
    return sorted([change.worker_id for change in planned.kept] + revoked)


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
    (planned,) = [pool_plan for pool_plan in session.plan().pools if pool_plan.pool == pool]
    if planned.type_id is None:  # the plan would create it: there is nothing to adopt
        raise OperationFailed(
            f"pool '{pool}' has no qualification type on target '{session.target.name}' yet"
        )
    holders = outside_holders(planned)
    if not planned.holders_before:
        raise OperationFailed(
            f"the qualification of pool '{pool}' has no holders; there is nothing to import"
        )
    if not holders:
        raise OperationFailed(
            f"each of the {planned.holders_before} holders of pool '{pool}' is listed by a study, "
            "or was at the last apply; none is held outside the repository, so there is nothing to import"
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
