"""Who should hold each pool's qualification, and with which value. Pure.

A worker's value is the number of the pool's excluding studies (active, not past their
``exclude_until``) they took part in, through a HIT or a ``workers:`` line; they hold the
qualification once that number reaches the pool's ``exclude_after``. A worker in any excluding
study is counted whatever released studies say, so release never undoes another study's exclusion.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from reconciler.core.model import Pool, Study, StudyStatus


@dataclass(frozen=True, slots=True)
class PoolDesire:
    """The desired holders of one pool (value per worker), and each excluding study's participants."""

    pool: str
    values: Mapping[str, int]
    participants_by_study: Mapping[str, frozenset[str]]

    def studies_of(self, workers: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The excluding studies behind each of ``workers``, sorted. Asked only for the workers a
        plan changes, so a plan with nothing to do never builds this for every holder."""
        wanted = set(workers)
        found: dict[str, list[str]] = defaultdict(list)
        for study_id in sorted(self.participants_by_study):
            for worker_id in self.participants_by_study[study_id] & wanted:
                found[worker_id].append(study_id)
        return {worker_id: tuple(study_ids) for worker_id, study_ids in found.items()}


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
    by_study: dict[str, frozenset[str]] = {}
    counts: Counter[str] = Counter()
    for study in excluding_studies(studies, pool.key, today):
        # A worker counts once per study, however many of its HITs they took. A study of one HIT
        # and no workers: line shares its capture's set rather than copying it (20,000 such
        # studies hold two million participations; a copy of each is 170 MB).
        sources = [hit_workers[hit_id] for hit_id in study.hits]
        if not study.workers and len(sources) == 1:
            participants = sources[0]
        else:
            participants = frozenset(study.workers).union(*sources)
        by_study[study.study_id] = participants
        counts.update(participants)
    if pool.exclude_after == 1:
        values: dict[str, int] = dict(counts)
    else:
        values = {worker_id: count for worker_id, count in counts.items() if count >= pool.exclude_after}
    return PoolDesire(pool=pool.key, values=values, participants_by_study=by_study)


# The cause of a holder that no study of the pool lists, read or captured: granted by hand or by
# another tool, or listed only in a study file since deleted. The planner replaces it by the
# holder's fate, which the record of the last apply decides (``planner.sort_unlisted``).
UNLISTED = "listed in no study of this pool"


def revocation_causes(
    pool: Pool,
    studies: Sequence[Study],
    hit_workers: Mapping[str, frozenset[str]],
    wanted: PoolDesire,
    workers: Iterable[str],
    today: date,
) -> dict[str, str]:
    """Why each of ``workers`` (holders the plan revokes) loses the pool's qualification, in words.

    Studies no longer excluding are searched through their ``workers:`` lines and any of their
    HITs read for this plan; a worker found nowhere is one the repository does not list (granted
    by hand or by another tool, or listed only in a study file since deleted)."""
    stopped: list[tuple[Study, frozenset[str]]] = []
    for study in studies:
        if pool.key in study.pools and not study.excludes_on(today):
            known = frozenset(study.workers).union(
                *(hit_workers[hit_id] for hit_id in study.hits if hit_id in hit_workers)
            )
            stopped.append((study, known))
    causes: dict[str, str] = {}
    for worker_id in workers:
        excluding = sorted(s for s, found in wanted.participants_by_study.items() if worker_id in found)
        if excluding:
            causes[worker_id] = (
                f"in {len(excluding)} excluding stud{'y' if len(excluding) == 1 else 'ies'} "
                f"({', '.join(excluding)}), fewer than the pool's exclude_after: {pool.exclude_after}"
            )
            continue
        ended = [_why_stopped(study, today) for study, found in stopped if worker_id in found]
        causes[worker_id] = "; ".join(ended) if ended else UNLISTED
    return causes


def _why_stopped(study: Study, today: date) -> str:
    if study.status is not StudyStatus.ACTIVE:
        return f"{study.study_id} was released"
    return f"{study.study_id} stopped excluding after its exclude_until, {study.exclude_until}"
