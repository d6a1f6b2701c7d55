"""Answers for the lab and its ethics board: who is excluded from which pool, why, since when,
and what would change it. Pure: built from the repository and the captures of one target.

Everything here follows the same rules as ``reconciler.core.desired`` (a worker counts once per
study; a pool excludes a worker who took part in ``exclude_after`` of its excluding studies), but
keeps the evidence a plan does not need: which HITs or workers lines put a worker in a study, the
capture that recorded them, and the dates. A HIT with no capture on the target is never read as
having no workers: it is listed as uncaptured, so every answer can say what it does not know.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import PurePath as Path

from reconciler.core.model import Capture, Repository, Study
from reconciler.core.platform_kind import PlatformKind


def listed_directly(platform: PlatformKind) -> str:
    """How a membership through the study file's own list of holders is named: ``workers:``."""
    return f"{platform.words.holders_key}:"


class CaptureState(Enum):
    """What the target's captures know of a HIT's workers."""

    COMPLETE = "complete"  # no worker can be added any more
    PARTIAL = "partial"  # captured, but the HIT may still get workers
    MISSING = "missing"  # never captured on this target: its workers are unknown here


@dataclass(frozen=True, slots=True)
class HitRecord:
    """One HIT (or, on another platform, one platform study) named by the lab's study files."""

    hit_id: str
    study_ids: tuple[str, ...]
    state: CaptureState
    workers: frozenset[str]  # empty when MISSING: unknown, not none
    created: datetime | None
    captured_at: datetime | None
    capture_path: str | None
    # When the platform disposes of it and forgets its workers: None when the platform keeps its
    # units (Prolific) or the creation date is not recorded.
    disposal: datetime | None = None


@dataclass(frozen=True, slots=True)
class StudyRecord:
    study_id: str
    title: str
    pools: tuple[str, ...]
    status: str
    exclude_until: date | None
    excluding: bool  # whether its participants are excluded today
    hit_ids: tuple[str, ...]
    direct_workers: frozenset[str]
    participants: frozenset[str]  # every worker known to have taken part
    uncaptured_hits: tuple[str, ...]
    first_hit_created: datetime | None

    @property
    def ends(self) -> str:
        """When the study stops excluding, in words."""
        if self.status != "active":
            return f"{self.status}: excludes nobody"
        if self.exclude_until is None:
            return "until released"
        return f"until {self.exclude_until:%Y-%m-%d}" if self.excluding else f"expired {self.exclude_until}"


@dataclass(frozen=True, slots=True)
class Membership:
    """A worker's part in one study: through which HITs (or the study's workers list)."""

    study_id: str
    via: tuple[str, ...]  # HIT IDs, and listed_directly() when the study lists the worker directly
    since: datetime | None  # the creation of the earliest of those HITs; None when unrecorded
    counts: bool  # whether the study excludes today (active and not past exclude_until)
    ends: date | None = None  # the study's exclude_until


@dataclass(frozen=True, slots=True)
class Standing:
    """One worker in one pool: excluded or not, since when, until when, and what would change it."""

    pool: str
    worker_id: str
    memberships: tuple[Membership, ...]
    exclude_after: int
    count: int  # the excluding studies the worker took part in: the qualification's value
    excluded: bool
    since: datetime | None  # when the count reached exclude_after (None: a date is not recorded)
    until: date | None  # the day the last needed study expires; None: until studies are released

    @property
    def change(self) -> str:
        """What would change the answer, in one sentence."""
        if not self.excluded:
            missing = self.exclude_after - self.count
            if missing <= 0:  # cannot happen by construction; say something true anyway
                return "nothing"
            studies = "study" if missing == 1 else "studies"
            return f"taking part in {missing} more active {studies} of this pool would exclude them"
        counted = [m for m in self.memberships if m.counts]
        releases = _releases(counted, self.count - self.exclude_after + 1)
        if self.until is not None:
            return (
                f"stays excluded until {self.until:%Y-%m-%d} (exclude_until); "
                f"releasing {releases} would end it sooner"
            )
        endless = [m for m in counted if m.ends is None]
        dated_ends = [m.ends for m in counted if m.ends is not None]
        verb = "is" if len(counted) == 1 or releases.startswith("1 of") else "are"
        text = f"stays excluded until {releases} {verb} released"
        later = len(endless) - self.exclude_after + 1  # once every dated study has expired
        if dated_ends and later < len(counted) - self.exclude_after + 1:
            text += f"; after {max(dated_ends):%Y-%m-%d}, until {_releases(endless, later)} {'is' if later == 1 else 'are'} released"
        names = ", ".join(m.study_id for m in endless)
        return f"{text} ({names} {'has' if len(endless) == 1 else 'have'} no exclude_until)"


def _releases(memberships: list[Membership], needed: int) -> str:
    """``needed`` of the memberships' studies, in words."""
    if len(memberships) == 1:
        return memberships[0].study_id
    names = ", ".join(m.study_id for m in memberships)
    return f"all of {names}" if needed >= len(memberships) else f"{needed} of {names}"


@dataclass(frozen=True, slots=True)
class PoolRecord:
    key: str
    name: str
    exclude_after: int
    study_ids: tuple[str, ...]  # every study of the pool, excluding or not
    standings: Mapping[str, Standing]  # every worker known to have taken part in a study of it

    @property
    def holders(self) -> list[Standing]:
        return [standing for _, standing in sorted(self.standings.items()) if standing.excluded]

    def overlap(self) -> dict[tuple[str, str], int]:
        """For each pair of the pool's studies (and each study with itself), how many workers took
        part in both."""
        counts: dict[tuple[str, str], int] = {(a, b): 0 for a in self.study_ids for b in self.study_ids}
        for standing in self.standings.values():
            studies = [m.study_id for m in standing.memberships]
            for first in studies:
                for second in studies:
                    counts[first, second] += 1
        return counts


@dataclass(frozen=True, slots=True)
class Record:
    """The whole record of one target, as of ``today``."""

    target: str
    platform: PlatformKind
    today: date
    pools: Mapping[str, PoolRecord]
    studies: Mapping[str, StudyRecord]
    hits: Mapping[str, HitRecord]

    @property
    def uncaptured(self) -> list[HitRecord]:
        return [hit for _, hit in sorted(self.hits.items()) if hit.state is CaptureState.MISSING]

    def why(self, worker_id: str) -> list[Standing]:
        """The worker's standing in every pool, also those they never took part in."""
        return [
            pool.standings.get(worker_id) or _standing(pool.key, worker_id, [], pool.exclude_after)
            for pool in self.pools.values()
        ]

    def disposal_calendar(self) -> list[HitRecord]:
        """Every unit the platform will dispose of and has not yet, by disposal date (those
        without a known creation date last: they were never captured). Empty on a platform that
        keeps its units."""
        if self.platform.disposal_age is None:
            return []
        pending = [
            hit for hit in self.hits.values() if hit.disposal is None or hit.disposal.date() >= self.today
        ]
        return sorted(
            pending, key=lambda hit: (hit.disposal is None, hit.disposal or datetime.min, hit.hit_id)
        )


def build_record(
    repository: Repository, captures: Mapping[str, Capture], target: str, platform: PlatformKind, today: date
) -> Record:
    """``repository`` as the planner sees it on ``platform`` (its units as "HITs")."""
    hits = _hit_records(repository.studies, captures, repository.root, platform)
    studies = {study.study_id: _study_record(study, hits, today) for study in repository.studies}
    pools: dict[str, PoolRecord] = {}
    for key, pool in repository.config.pools.items():
        of_pool = [study for study in repository.studies if key in study.pools]
        members: dict[str, list[Membership]] = defaultdict(list)
        for study in of_pool:
            for worker_id, membership in _memberships(study, hits, study.excludes_on(today), platform):
                members[worker_id].append(membership)
        standings = {
            worker_id: _standing(key, worker_id, found, pool.exclude_after)
            for worker_id, found in members.items()
        }
        pools[key] = PoolRecord(
            key, pool.name, pool.exclude_after, tuple(s.study_id for s in of_pool), standings
        )
    return Record(target, platform, today, pools, studies, hits)


def _hit_records(
    studies: Iterable[Study], captures: Mapping[str, Capture], root: Path, platform: PlatformKind
) -> dict[str, HitRecord]:
    naming: dict[str, list[str]] = defaultdict(list)
    for study in studies:
        for hit_id in dict.fromkeys(study.hits):
            naming[hit_id].append(study.study_id)
    records = {}
    for hit_id, study_ids in naming.items():
        capture = captures.get(hit_id)
        if capture is None:
            records[hit_id] = HitRecord(
                hit_id, tuple(study_ids), CaptureState.MISSING, frozenset(), None, None, None
            )
            continue
        state = CaptureState.COMPLETE if capture.complete else CaptureState.PARTIAL
        path = _relative(capture.path, root) if capture.path else None
        age = platform.disposal_age
        disposal = capture.hit_created + age if age is not None and capture.hit_created else None
        records[hit_id] = HitRecord(
            hit_id,
            tuple(study_ids),
            state,
            capture.workers,
            capture.hit_created,
            capture.read_at,
            path,
            disposal,
        )
    return records


def _relative(path: Path, root: Path) -> str:
    """A capture's path as the lab sees it in its repository (pure: no file system access)."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def _study_record(study: Study, hits: Mapping[str, HitRecord], today: date) -> StudyRecord:
    known = [hits[hit_id] for hit_id in study.hits]
    participants = frozenset(study.workers).union(*(hit.workers for hit in known))
    created = [hit.created for hit in known if hit.created]
    return StudyRecord(
        study_id=study.study_id,
        title=study.title,
        pools=study.pools,
        status=study.status.value,
        exclude_until=study.exclude_until,
        excluding=study.excludes_on(today),
        hit_ids=tuple(dict.fromkeys(study.hits)),
        direct_workers=frozenset(study.workers),
        participants=participants,
        uncaptured_hits=tuple(hit.hit_id for hit in known if hit.state is CaptureState.MISSING),
        first_hit_created=min(created) if created else None,
    )


def _memberships(
    study: Study, hits: Mapping[str, HitRecord], counts: bool, platform: PlatformKind
) -> Iterable[tuple[str, Membership]]:
    directly = listed_directly(platform)
    via: dict[str, list[str]] = defaultdict(list)
    for hit_id in dict.fromkeys(study.hits):
        for worker_id in hits[hit_id].workers:
            via[worker_id].append(hit_id)
    for worker_id in study.workers:
        via[worker_id].append(directly)
    for worker_id, sources in via.items():
        dates = [created for source in sources if source in hits and (created := hits[source].created)]
        # A worker listed directly has no recorded date: the earliest HIT is then only a bound.
        since = min(dates) if dates and directly not in sources else None
        yield worker_id, Membership(study.study_id, tuple(sources), since, counts, study.exclude_until)


def _standing(pool: str, worker_id: str, memberships: list[Membership], exclude_after: int) -> Standing:
    counted = [m for m in memberships if m.counts]
    count = len(counted)
    excluded = count >= exclude_after
    since = until = None
    if excluded:
        # Excluded from the day the exclude_after-th study began, if every date is known.
        starts = [m.since for m in counted]
        if all(starts):
            since = sorted(s for s in starts if s)[exclude_after - 1]
        until = _excluded_until(counted, exclude_after)
    return Standing(
        pool,
        worker_id,
        tuple(sorted(memberships, key=lambda m: m.study_id)),
        exclude_after,
        count,
        excluded,
        since,
        until,
    )


def _excluded_until(counted: list[Membership], exclude_after: int) -> date | None:
    """The last day the worker stays excluded if nothing is released: while exclude_after of the
    counted studies still exclude, that is until the exclude_after-th latest end. None: a study
    with no end date is among those needed, so only a release ends the exclusion."""
    latest_first = sorted(counted, key=lambda m: m.ends or date.max, reverse=True)
    return latest_first[exclude_after - 1].ends
