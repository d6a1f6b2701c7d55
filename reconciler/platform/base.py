"""The narrow interface the engine uses to talk to a platform, and what it returns.

The planner never sees boto3: it gets these plain values. Another platform (Prolific's
participant groups, say) implements ``Platform`` and the rest of the engine stays as it is.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from reconciler.core.live import (
    HitReading,
    HitState,
    LiveHit,
    LiveQualificationType,
    QualificationTypeSettings,
)
from reconciler.core.platform_kind import PlatformKind


class PlatformError(Exception):
    """A call failed after its retries. Never read as an empty answer: the run must stop."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code  # the platform's own error code, when it gave one


class UnitGone(PlatformError):
    """The platform does not know the unit of work (a HIT, a Prolific study): never created
    there, deleted, or disposed of (MTurk disposes of HITs 120 days after their creation)."""

    def __init__(self, kind: PlatformKind, unit_id: str) -> None:
        super().__init__(f"{kind.name} does not know the {kind.words.unit} {unit_id}")
        self.unit_id = unit_id


class GroupGone(PlatformError):
    """The platform does not know the group (a qualification type, a participant group) asked
    for by its ID: deleted, or never there. Every platform raises this one, so a recorded group
    that vanished is planned as a re-creation whatever the platform."""

    def __init__(self, kind: PlatformKind, group_id: str) -> None:
        super().__init__(f"{kind.name} does not know the {kind.words.group} {group_id}")
        self.group_id = group_id


class Platform(Protocol):
    """Everything the engine does to a platform. Each method raises ``PlatformError`` on failure."""

    # Which platform this is: its words, and its rules (disposal, values) that the run follows.
    kind: PlatformKind

    def find_qualification_type(self, name: str, pinned_id: str | None) -> LiveQualificationType | None:
        """The pool's type: by its ID (``GroupGone`` if the platform does not know it), else the
        caller's own type of that exact name (None if there is none)."""

    def create_qualification_type(self, settings: QualificationTypeSettings) -> LiveQualificationType: ...

    def update_qualification_type(self, type_id: str, settings: QualificationTypeSettings) -> None: ...

    def list_holders(self, type_id: str) -> dict[str, int]:
        """Every worker holding the qualification (status Granted), with its value; all pages."""

    def read_hit(self, hit_id: str) -> HitReading:
        """The HIT's workers (submitted, approved or rejected assignments); ``UnitGone`` if disposed."""

    def hit_state(self, hit_id: str) -> HitState:
        """The HIT's state and assignment counts, without its workers; ``UnitGone`` if disposed."""

    def list_hit_states(self) -> list[HitState]:
        """The state and counts of every HIT the platform still knows (all pages)."""

    def hit_workers(self, hit_id: str) -> frozenset[str]:
        """The HIT's workers (submitted, approved or rejected assignments); ``UnitGone`` if disposed."""

    def list_hits(self) -> list[LiveHit]:
        """Every HIT of the requester the platform still knows (all pages), with its requirements.

        Read-only; ``exclusions audit`` uses it to find open HITs that would let a pool's workers in.
        """

    def exclusion(self, type_id: str, actions_guarded: str) -> dict[str, Any]:
        """What a new unit of work carries to keep the group's holders out, in the platform's
        own API shape: MTurk's QualificationRequirement, Prolific's blocklist filter."""

    def grant(self, type_id: str, worker_id: str, value: int) -> None:
        """Give (or set the value of) the qualification without notifying the worker."""

    def revoke(self, type_id: str, worker_id: str, reason: str | None) -> None:
        """Take the qualification away; with no reason, nobody is notified."""


@runtime_checkable
class BatchMembership(Protocol):
    """A platform that adds and removes many holders in one call (Prolific's group members).

    Holding is membership only: a batch grant gives no value, and the caller sends at most
    ``batch_size`` IDs per call.
    """

    batch_size: int

    def grant_many(self, type_id: str, worker_ids: list[str]) -> None: ...

    def revoke_many(self, type_id: str, worker_ids: list[str]) -> None: ...
