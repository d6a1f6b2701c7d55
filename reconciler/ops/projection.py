"""Each lab study seen from the target's platform, so the unchanged planner can plan for it.

The planner knows "HITs" and "workers". On an MTurk target those are the study's ``hits:`` and
``workers:``; on a Prolific target they are its ``prolific_studies:`` and ``participants:`` (a
Prolific study plays the part of a HIT, its submissions the part of assignments, a participant
group the part of a pool's qualification type). The other platform's IDs are simply not seen.

A participant group holds membership, not a value: the planner's values (how many of a pool's
studies a worker took part in) are the tool's own count. So on a Prolific target a member's
"live value" is the value the planner wants for it, and only membership is ever compared. Nor
can Prolific change a group's description after creation (its API renames a group, nothing
more), and participants never see it: a group's description is written when the tool creates
the group and is not compared afterwards, so an adopted group keeps its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from reconciler.core.desired import PoolDesire, hits_needed
from reconciler.core.live import LivePool
from reconciler.core.model import ProlificTarget, Repository, Target
from reconciler.core.planner import desires

PLATFORM_MTURK = "MTurk"
PLATFORM_PROLIFIC = "Prolific"


def platform_name(target: Target) -> str:
    return PLATFORM_PROLIFIC if isinstance(target, ProlificTarget) else PLATFORM_MTURK


def for_target(repository: Repository, target: Target) -> Repository:
    """The repository as the planner must see it for ``target``."""
    if not isinstance(target, ProlificTarget):
        return repository
    studies = tuple(
        replace(study, hits=study.prolific_studies, workers=study.participants)
        for study in repository.studies
    )
    # A participant group has no keywords: none are asked of it, so none differ.
    pools = {key: replace(pool, keywords=None) for key, pool in repository.config.pools.items()}
    return replace(repository, studies=studies, config=replace(repository.config, pools=pools))


def holds_membership_only(target: Target) -> bool:
    return isinstance(target, ProlificTarget)


def live_as_compared(
    repository: Repository,
    live: Mapping[str, LivePool],
    hit_workers: Mapping[str, frozenset[str]],
    today: date,
) -> dict[str, LivePool]:
    """``live`` as the planner must compare it on Prolific: each group's description taken as the
    pool's, and each member's value set to the one the planner wants for it (1 for a member
    it does not want, who is removed whatever the value). With a needed study's participants
    unknown there is nothing to want: ``live`` is returned as read (the desired side is unknown
    too, so nothing is planned or applied from it)."""
    pools = repository.config.pools
    live = {
        key: replace(
            pool, qualification_type=replace(pool.qualification_type, description=pools[key].description)
        )
        if pool.qualification_type is not None
        else pool
        for key, pool in live.items()
    }
    if any(hit_id not in hit_workers for hit_id in hits_needed(repository.studies, today)):
        return live
    wanted: dict[str, PoolDesire] = desires(pools, repository.studies, hit_workers, today)
    return {
        key: replace(pool, holders={member: wanted[key].values.get(member, 1) for member in pool.holders})
        for key, pool in live.items()
    }
