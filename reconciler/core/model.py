"""The desired state as the tool works with it: typed, validated, free of YAML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Protocol

from reconciler.core.platform_kind import PlatformKind

DEFAULT_MAX_REVOKE_FRACTION = 0.25


class StudyStatus(Enum):
    ACTIVE = "active"
    RELEASED = "released"


@dataclass(frozen=True, slots=True)
class ClientLimits:
    """How hard the tool may drive a target; None leaves the choice to the tool's defaults."""

    rate_limit: float | None = None
    max_concurrency: int | None = None


class Target(Protocol):
    """Where a run plans and applies: one platform, reached one way. Each platform's targets are
    described in ``reconciler.kinds``; only ``ops/targets`` tells them apart, to open them."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> PlatformKind:
        """The platform, which every message and rule of the run asks."""

    @property
    def local(self) -> bool:
        """An emulator started on this machine, reached over loopback (no account)."""

    @property
    def on_this_machine(self) -> bool:
        """Local, or an endpoint on loopback (an emulator served here): no real participant
        can see what is written there."""

    @property
    def retired(self) -> bool:
        """Validated, never planned or applied: the lab's archive (MTurk closed on 2026-09-30)."""

    @property
    def limits(self) -> ClientLimits: ...

    @property
    def seed_path(self) -> Path | None:
        """A local target's seed file: what its emulator starts with."""


@dataclass(frozen=True, slots=True)
class Pool:
    """An exclusion pool, backed on each target by one custom qualification type."""

    key: str
    name: str
    description: str
    keywords: str | None = None
    pinned_type_ids: Mapping[str, str] = field(default_factory=dict)
    exclude_after: int = 1
    revoke_reason: str | None = None
    max_revoke_fraction: float = DEFAULT_MAX_REVOKE_FRACTION
    allow_empty: bool = False
    # safety.approve_revocations: the exact number of revocations a reviewer approved in the diff.
    approved_revocations: int | None = None
    # Holders the repository never listed (granted by hand or by another tool): kept, unless the
    # pool makes the repository authoritative (config: outside_holders: revoke). Holders it did
    # list once and lists no more are revoked either way (see GrantRecord).
    keep_outside_holders: bool = True


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    default_target: str
    targets: Mapping[str, Target]
    pools: Mapping[str, Pool]
    required_pools: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Listing:
    """What a study file lists on one platform, in the file's order (so errors can name a line):
    its units of work (HITs, Prolific studies), whose holders it excludes, and holders listed
    directly."""

    units: tuple[str, ...] = ()
    holders: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Study:
    """One study file.

    ``listings`` holds what the file lists on each platform (by the platform's key). ``hits`` and
    ``workers`` are the planner's view of one of them: the units and holders on the platform a
    run plans for (``ops/projection`` fills them), so the planner never asks which platform."""

    study_id: str
    path: Path
    title: str
    pools: tuple[str, ...]
    status: StudyStatus
    exclude_until: date | None = None
    hits: tuple[str, ...] = ()
    workers: tuple[str, ...] = ()
    notes: str | None = None
    listings: tuple[tuple[str, Listing], ...] = ()  # (platform key, what the file lists there)

    def listing(self, platform_key: str) -> Listing:
        return next((listing for key, listing in self.listings if key == platform_key), Listing())

    @property
    def lists_anything(self) -> bool:
        return any(listing.units or listing.holders for _, listing in self.listings)

    def excludes_on(self, today: date) -> bool:
        """Whether the study's participants are excluded on ``today``."""
        if self.status is not StudyStatus.ACTIVE:
            return False
        return self.exclude_until is None or today <= self.exclude_until


@dataclass(frozen=True, slots=True)
class GrantRecord:
    """What one pool's holders on one target were at the last apply, as far as the repository
    is concerned: the holders some study listed, and the studies of the pool then.

    It tells a holder the repository listed once (their study file deleted, their ``workers:``
    line removed: revoked) from one it never listed (granted by hand or by another tool: kept,
    unless the pool's outside_holders is revoke). No record at all (a pool never applied with
    this tool) means nobody is known to have been listed, so nobody is revoked for that."""

    workers: frozenset[str] = frozenset()
    studies: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Capture:
    """The workers found for one HIT on one target, kept because MTurk forgets HITs."""

    target: str
    hit_id: str
    read_at: datetime
    complete: bool
    workers: frozenset[str]
    hit_created: datetime | None = None
    hit_expiration: datetime | None = None
    hit_status: str | None = None
    path: Path | None = None
    # Assignments submitted (or decided) when the workers were last listed: fewer or as many now
    # means nobody new (see core.captures.nothing_new).
    hit_submitted: int | None = None


@dataclass(frozen=True, slots=True)
class Repository:
    root: Path  # the folder holding exclusions/
    config: Config
    studies: tuple[Study, ...]

    def target(self, name: str | None) -> Target:
        return self.config.targets[name or self.config.default_target]
