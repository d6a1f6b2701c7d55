"""The capture rules: every decision about a HIT's recorded workers, in one place. Pure.

A capture only ever grows: a re-read that returns fewer workers (an API hiccup, a HIT being
disposed) keeps the union. A capture is complete once no worker can be added any more, and a
complete capture is never read again. Only disposal (or deletion) ends a HIT for good: an expired
HIT can be extended (``UpdateExpirationForHIT``) and given more assignments
(``CreateAdditionalAssignmentsForHIT``), so until then its capture is read again. MTurk disposes
of a HIT 120 days after its creation (``PlatformKind.disposal_age``); the disposal window, the
warning before it, and which HITs a run must read all follow from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from reconciler.core.live import HitReading, HitState
from reconciler.core.model import Capture, Study
from reconciler.core.platform_kind import PlatformKind
from reconciler.core.problems import InvalidInput, Problem

DISPOSED = "Disposed"
WARN_BEFORE_DISPOSAL = timedelta(days=14)  # plans warn this long before a HIT is lost


# Each function that depends on disposal takes the platform's ``disposal_age``: MTurk disposes of a
# HIT 120 days after its creation; a platform that never disposes of its studies (Prolific) passes
# None, so none of its captures is ever taken for final by its age alone.
DisposalAge = timedelta | None


def known_disposed(capture: Capture | None, now: datetime, disposal_age: DisposalAge) -> bool:
    """Whether the capture alone proves the platform has disposed of the HIT (no call needed)."""
    if disposal_age is None or capture is None or capture.hit_created is None:
        return False
    return now - capture.hit_created >= disposal_age


def is_final(capture: Capture) -> bool:
    """Whether the platform can no longer add a worker to the capture's HIT. A capture marked
    complete by an older version because its HIT had merely expired does not count."""
    return capture.complete and capture.hit_status == DISPOSED


def needs_reading(capture: Capture | None, now: datetime, disposal_age: DisposalAge) -> bool:
    return capture is None or not (is_final(capture) or known_disposed(capture, now, disposal_age))


def merge_reading(target: str, previous: Capture | None, reading: HitReading, now: datetime) -> Capture:
    """The capture after a successful read: the union of workers, and whether it is complete
    (only a disposed HIT is: an expired one can be extended)."""
    workers = reading.workers | (previous.workers if previous else frozenset())
    return Capture(
        target=target,
        hit_id=reading.hit_id,
        read_at=now,
        complete=reading.status == DISPOSED,
        workers=workers,
        # Whole seconds, as the file keeps them, so an unchanged HIT compares equal to its capture.
        hit_created=reading.created.replace(microsecond=0),
        hit_expiration=reading.expiration.replace(microsecond=0) if reading.expiration else None,
        hit_status=reading.status,
        path=previous.path if previous else None,
        hit_submitted=reading.submitted,
    )


def mark_disposed(previous: Capture, now: datetime) -> Capture:
    """MTurk no longer knows the HIT: the capture is all there will ever be."""
    return replace(previous, complete=True, hit_status=DISPOSED, read_at=now)


def _read_after_expiry(capture: Capture) -> bool:
    return capture.hit_expiration is not None and capture.hit_expiration <= capture.read_at


def differs(old: Capture | None, new: Capture) -> bool:
    """Whether writing ``new`` changes anything but the time of reading (keeps git diffs quiet)."""
    if old is None:
        return True
    return replace(old, read_at=new.read_at, path=None) != replace(new, path=None)


def disposal_of(capture: Capture, disposal_age: DisposalAge) -> datetime | None:
    if disposal_age is None or capture.hit_created is None:
        return None
    return capture.hit_created + disposal_age


def hits_to_read(
    hits: Iterable[str],
    captures: Mapping[str, Capture],
    now: datetime,
    disposal_age: DisposalAge,
) -> list[str]:
    """The HITs a run must ask the platform about: those without a complete capture."""
    return sorted(hit_id for hit_id in hits if needs_reading(captures.get(hit_id), now, disposal_age))


LISTING_PAGE_SIZE = 100  # HITs per ListHITs page (MTurk's maximum)


def nothing_new(capture: Capture | None, state: HitState) -> bool:
    """Whether the HIT's counts prove its capture already holds every worker who saw it, so its
    assignments need not be listed again: no more assignments submitted than when its workers
    were last listed (a submitted assignment never goes back), or none at all. The count is the
    one recorded with the capture, not its number of workers, which may include workers MTurk no
    longer returns. Unknown counts, or more submitted assignments (say after an extension), mean
    a read."""
    submitted = state.submitted
    if submitted is None:
        return False
    if submitted == 0:
        return True
    recorded = capture.hit_submitted if capture else None
    return recorded is not None and submitted <= recorded


def captured_workers(capture: Capture | None) -> frozenset[str]:
    return capture.workers if capture else frozenset()


def live_hits_estimate(
    hits: Iterable[str],
    captures: Mapping[str, Capture],
    now: datetime,
    disposal_age: DisposalAge,
) -> int:
    """How many HITs the requester's account still holds, as far as the lab's files tell: every HIT
    its studies or captures name, less those their capture proves disposed. HITs made outside the
    lab's studies are not counted, so this is a lower bound."""
    known = set(hits) | set(captures)
    return sum(1 for hit_id in known if not known_disposed(captures.get(hit_id), now, disposal_age))


def list_all_hits(to_read: int, live_hits: int) -> bool:
    """Whether paging through every HIT (``ListHITs``, 100 a page, counts included) costs fewer
    calls than one ``GetHIT`` per HIT to read; assignments are listed either way."""
    pages = max(1, -(-live_hits // LISTING_PAGE_SIZE))
    return to_read > 0 and pages < to_read


@dataclass
class HitWorkers:
    """The workers of every HIT asked for, and the captures to write back."""

    workers: dict[str, frozenset[str]]
    changed_captures: list[Capture]
    warnings: list[str]
    calls_saved: int  # HITs served from a complete capture, for the record
    missing: list[Problem] = field(default_factory=list)  # disposed HITs never captured

    def require_complete(self) -> None:
        """Fail (after the caller saved what was captured) when any HIT's workers are unknown."""
        if self.missing:
            raise InvalidInput(self.missing)


def combine_readings(
    needed: Mapping[str, list[tuple[Study, int]]],
    captures: Mapping[str, Capture],
    read: Mapping[str, Capture | None],
    now: datetime,
    kind: PlatformKind,
) -> tuple[HitWorkers, list[str]]:
    """Every needed HIT's workers from this run's reads (``read``: the capture after reading, None
    for a HIT the platform no longer knows and that was never captured) and the captures already
    on disk; with the HITs whose workers nobody can know any more."""
    changed: list[Capture] = []
    result: dict[str, frozenset[str]] = {}
    unknown: list[str] = []
    for hit_id, capture in sorted(read.items()):
        if capture is None:
            unknown.append(hit_id)
            continue
        if differs(captures.get(hit_id), capture):
            changed.append(capture)
        result[hit_id] = capture.workers
    for hit_id in needed:
        if hit_id not in result and hit_id in captures:
            known = captures[hit_id]
            if not is_final(known):  # known disposed by its age alone: record that it is final
                changed.append(mark_disposed(known, now))
            result[hit_id] = known.workers
    warnings = disposal_warnings(needed, {**captures, **{c.hit_id: c for c in changed}}, now, kind)
    return HitWorkers(result, changed, warnings, len(needed) - len(read)), unknown


def disposal_warnings(
    needed: Mapping[str, list[tuple[Study, int]]],
    captures: Mapping[str, Capture],
    now: datetime,
    kind: PlatformKind,
) -> list[str]:
    """A warning for each needed unit the platform will soon dispose of, still capturable."""
    warnings = []
    words = kind.words
    for hit_id in late_hits(captures, needed, now, WARN_BEFORE_DISPOSAL, kind.disposal_age):
        disposal = disposal_of(captures[hit_id], kind.disposal_age)
        assert disposal is not None  # late_hits only returns HITs with a creation time
        days = max(0, (disposal - now).days)
        studies = ", ".join(sorted({study.study_id for study, _ in needed[hit_id]}))
        warnings.append(
            f"{words.unit} {hit_id} ({studies}) will be disposed of by {kind.name} in {days} days "
            f"({disposal:%Y-%m-%d}) and was last captured while it was open: run `exclusions capture` "
            f"once its {words.holders} have all submitted, and commit the capture"
        )
    return warnings


def late_hits(
    captures: Mapping[str, Capture],
    hits: Iterable[str],
    now: datetime,
    within: timedelta,
    disposal_age: DisposalAge,
) -> list[str]:
    """HITs last captured while open (or not final) whose disposal comes within ``within``.

    A capture read after its HIT expired holds every worker so far; runs keep reading it until
    disposal in case the HIT is extended, so it needs no warning."""
    late = []
    for hit_id in sorted(hits):
        capture = captures.get(hit_id)
        if capture is None or is_final(capture) or _read_after_expiry(capture):
            continue
        disposal = disposal_of(capture, disposal_age)
        if disposal is not None and disposal - now <= within:
            late.append(hit_id)
    return late
