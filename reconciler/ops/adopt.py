"""``import``: adopt the holders the repository does not list by writing them into a new study file.

On a lab's first import that is every holder of the qualification. Later it is the holders the
plan shows as held outside the repository (granted by hand or by another tool): holders a study
lists already, or listed at the last apply and since removed, are left out, so importing never
undoes a release or a removal someone reviewed."""

from __future__ import annotations

from pathlib import Path

from reconciler.core.plan import PoolPlan
from reconciler.core.planner import revoked_outside
from reconciler.core.platform_kind import PlatformKind
from reconciler.core.problems import InvalidInput
from reconciler.lab.loading import load_repository
from reconciler.lab.studies import write_imported_study
from reconciler.ops.failures import OperationFailed
from reconciler.ops.local_seed import local_seed_problems
from reconciler.ops.session import Session, load_run, open_session, utc_now
from reconciler.platform.base import PlatformError


def outside_holders(planned: PoolPlan, kind: PlatformKind) -> list[str]:
    """The holders the repository never listed: kept by the plan, or revoked for that alone."""
    revoked = [change.worker_id for change in planned.revokes if change.cause == revoked_outside(kind)]
    return sorted([change.worker_id for change in planned.kept] + revoked)


def adopt_holders(
    root: Path, target_name: str | None, pool: str, study_id: str, title: str | None
) -> tuple[Path, int, PlatformKind]:
    """Write the study; returns its path, the number of holders and the platform. The repository
    is validated with the new file in it, and the file is removed again if it does not validate."""
    inputs = load_run(root, target_name)
    try:
        with open_session(inputs) as session:
            path, count = _adopt(session, pool, study_id, title)
    except PlatformError as error:
        raise OperationFailed(f"{error}; nothing was written") from None
    return path, count, inputs.kind


def _adopt(session: Session, pool: str, study_id: str, title: str | None) -> tuple[Path, int]:
    config = session.repository.config
    words = session.kind.words
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
    (planned,) = [pool_plan for pool_plan in session.plan().plan.pools if pool_plan.pool == pool]
    if planned.type_id is None:  # the plan would create it: there is nothing to adopt
        raise OperationFailed(f"pool '{pool}' has no {words.group} on target '{session.target.name}' yet")
    holders = outside_holders(planned, session.kind)
    if not planned.holders_before:
        raise OperationFailed(
            f"the {words.group} of pool '{pool}' has no holders; there is nothing to import"
        )
    if not holders:
        raise OperationFailed(
            f"each of the {planned.holders_before} holders of pool '{pool}' is listed by a study, "
            "or was at the last apply; none is held outside the repository, so there is nothing to import"
        )
    title = title or f"Holders of '{spec.name}' on {session.target.name}"
    write_imported_study(
        session.layout, path, study_id, pool, title, sorted(holders), utc_now(), words.holders_key
    )
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
