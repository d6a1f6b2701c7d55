"""Each lab study seen from the target's platform, so the unchanged planner can plan for it.

The planner knows "HITs" and "workers": a platform's units of work and their holders. On an MTurk
target those are the study's ``hits:`` and ``workers:``; on a Prolific target its
``prolific_studies:`` and ``participants:`` (a Prolific study plays the part of a HIT, its
submissions the part of assignments, a participant group the part of a pool's qualification
type). The other platform's IDs are simply not seen.

A platform whose groups hold membership, not a value (``PlatformKind.holds_values``): the
planner's values (how many of a pool's studies a holder took part in) are the tool's own count,
so a member's "live value" is the value the planner wants for it, and only membership is ever
compared. A platform that cannot change a group's description after creation
(``updates_description``; Prolific's API renames a group, nothing more, and participants never
see it): the description is written when the tool creates the group and is not compared
afterwards, so an adopted group keeps its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from reconciler.core.desired import PoolDesire, hits_needed
from reconciler.core.live import LivePool
from reconciler.core.model import Repository
from reconciler.core.planner import desires
from reconciler.core.platform_kind import PlatformKind


def for_kind(repository: Repository, kind: PlatformKind) -> Repository:
    """The repository as the planner must see it on ``kind``'s platform: each study's units and
    holders there as its "HITs" and "workers", and pools without what the platform lacks."""
    studies = tuple(
        replace(study, hits=listing.units, workers=listing.holders)
        for study in repository.studies
        for listing in (study.listing(kind.key),)
    )
    pools = repository.config.pools
    if not kind.has_keywords:  # none are asked of the platform, so none differ
        pools = {key: replace(pool, keywords=None) for key, pool in pools.items()}
    return replace(repository, studies=studies, config=replace(repository.config, pools=pools))


def live_as_compared(
    kind: PlatformKind,
    repository: Repository,
    live: Mapping[str, LivePool],
    hit_workers: Mapping[str, frozenset[str]],
    today: date,
) -> dict[str, LivePool]:
    """``live`` as the planner must compare it on ``kind``'s platform. Where a group keeps the
    description it was created with, each group's description is taken as the pool's; where it
    holds membership only, each member's value is set to the one the planner wants for it (1 for
    a member it does not want, who is removed whatever the value). With a needed study's
    participants unknown there is nothing to want: values are left as read (the desired side is
    unknown too, so nothing is planned or applied from it)."""
    pools = repository.config.pools
    compared = dict(live)
    if not kind.updates_description:
        compared = {
            key: replace(
                pool, qualification_type=replace(pool.qualification_type, description=pools[key].description)
            )
            if pool.qualification_type is not None
            else pool
            for key, pool in compared.items()
        }
    if kind.holds_values or any(
        hit_id not in hit_workers for hit_id in hits_needed(repository.studies, today)
    ):
        return compared
    wanted: dict[str, PoolDesire] = desires(pools, repository.studies, hit_workers, today)
    return {
        key: replace(pool, holders={member: wanted[key].values.get(member, 1) for member in pool.holders})
        for key, pool in compared.items()
    }
