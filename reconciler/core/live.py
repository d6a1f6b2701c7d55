"""What the config asks of a platform and what a platform reports, as plain values. Pure.

These are the only shapes that cross the seam: the planner compares them, a platform
implementation fills them from its API, and neither side sees the other's types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class QualificationTypeSettings:
    """What the config says a pool's qualification type should be."""

    name: str
    description: str
    keywords: str | None
    status: str = "Active"
    auto_granted: bool = False


@dataclass(frozen=True, slots=True)
class LiveQualificationType:
    type_id: str
    name: str
    description: str
    keywords: str | None
    status: str
    auto_granted: bool

    def settings(self) -> QualificationTypeSettings:
        return QualificationTypeSettings(
            self.name, self.description, self.keywords, self.status, self.auto_granted
        )


@dataclass(frozen=True, slots=True)
class HitReading:
    """What one read of a HIT found."""

    hit_id: str
    created: datetime
    expiration: datetime | None
    status: str
    pending: int  # assignments accepted but not yet submitted, or still available
    workers: frozenset[str]
    submitted: int | None = None  # submitted or decided assignments, when the platform said


@dataclass(frozen=True, slots=True)
class HitState:
    """A HIT's state and assignment counts, without its workers (one ``GetHIT``, or one row of a
    ``ListHITs`` page): enough to tell whether its capture can have missed anyone."""

    hit_id: str
    created: datetime
    expiration: datetime | None
    status: str
    pending: int  # accepted, not yet submitted
    available: int | None  # not yet accepted; None when the platform did not say
    max_assignments: int | None

    @property
    def submitted(self) -> int | None:
        """Assignments whose worker saw the HIT (submitted, approved or rejected), when the counts
        say; an assignment returned or abandoned goes back to being available."""
        if self.available is None or self.max_assignments is None:
            return None
        return max(0, self.max_assignments - self.pending - self.available)

    def with_workers(self, workers: frozenset[str]) -> HitReading:
        return HitReading(
            self.hit_id, self.created, self.expiration, self.status, self.pending, workers, self.submitted
        )


class HitRequirement(NamedTuple):
    """One QualificationRequirement of a live HIT, as far as an audit needs it."""

    type_id: str
    comparator: str  # DoesNotExist, Exists, LessThan, ...
    actions_guarded: str  # Accept | PreviewAndAccept | DiscoverPreviewAndAccept


@dataclass(frozen=True, slots=True)
class LiveHit:
    """One HIT as a listing of the requester's HITs shows it."""

    hit_id: str
    title: str
    status: str  # Assignable | Unassignable | Reviewable | Reviewing | Disposed
    created: datetime
    expiration: datetime | None
    requirements: tuple[HitRequirement, ...]


@dataclass
class LivePool:
    """One pool as the platform has it now: its type (None if there is none yet) and its holders."""

    pool: str
    qualification_type: LiveQualificationType | None
    holders: dict[str, int] = field(default_factory=dict)
    # How the type was found: pinned in config.yaml, recorded in the target's pools.yaml, or
    # searched for by name (only before the tool first created or adopted it).
    found_by: str = "name"
    # A recorded ID the platform no longer knows (MTurk deletes unused types after 120 days).
    missing_recorded_id: str | None = None
