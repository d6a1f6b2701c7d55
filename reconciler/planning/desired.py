"""Who should hold each pool's qualification, and with which value. Pure.

A worker's value is the number of the pool's excluding studies (active, not past their
``exclude_until``) they took part in, through a HIT or a ``workers:`` line; they hold the
qualification once that number reaches the pool's ``exclude_after``. A worker in any excluding
study is counted whatever released studies say, so release never undoes another study's exclusion.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from reconciler.model import Pool, Study


@dataclass(frozen=True, slots=True)
class PoolDesire:
    """The desired holders of one pool: value per worker, and the studies behind each."""

    pool: str
    values: Mapping[str, int]
    studies: Mapping[str, tuple[str, ...]]
    participants: int  # workers in at least one excluding study, held or not yet


def excluding_studies(studies: Iterable[Study], pool: str, today: date) -> list[Study]:
    return [study for study in studies if pool in study.pools and study.excludes_on(today)]


def hits_needed(studies: Iterable[Study], today: date) -> dict[str, list[tuple[Study, int]]]:
    """Every HIT an excluding study names, with each (study, index in its hits list) naming it."""
    return hits_of(study for study in studies if study.excludes_on(today))


def hits_of(studies: Iterable[Study]) -> dict[str, list[tuple[Study, int]]]:
    """Every HIT the studies name, with each (study, index in its hits list) naming it."""
    places: dict[str, list[tuple[Study, int]]] = defaultdict(list)
    for study in studies:
        for index, hit_id in enumerate(study.hits):
            places[hit_id].append((study, index))
    return dict(places)


def desired_holders(
    pool: Pool, studies: Sequence[Study], hit_workers: Mapping[str, frozenset[str]], today: date
) -> PoolDesire:
    """``hit_workers`` must hold every HIT of the pool's excluding studies; a missing one is a bug
    upstream (the reader fails the plan first), so it raises rather than excluding fewer."""
    per_worker: dict[str, list[str]] = defaultdict(list)
    for study in excluding_studies(studies, pool.key, today):
        participants: set[str] = set(study.workers)
        for hit_id in study.hits:
            participants |= hit_workers[hit_id]
        for worker_id in participants:
            per_worker[worker_id].append(study.study_id)
    values = {
        worker_id: len(study_ids)
        for worker_id, study_ids in per_worker.items()
        if len(study_ids) >= pool.exclude_after
    }
    return PoolDesire(
        pool=pool.key,
        values=values,
        studies={worker_id: tuple(sorted(per_worker[worker_id])) for worker_id in values},
        participants=len(per_worker),
    )
