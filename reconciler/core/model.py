"""The desired state as the tool works with it: typed, validated, free of YAML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path

MTURK_ENDPOINTS = {
    "sandbox": "https://mturk-requester-sandbox.us-east-1.amazonaws.com",
    "production": "https://mturk-requester.us-east-1.amazonaws.com",
}
DEFAULT_REGION = "us-east-1"
PROLIFIC_API = "https://api.prolific.com"
DEFAULT_MAX_REVOKE_FRACTION = 0.25


class StudyStatus(Enum):
    ACTIVE = "active"
    RELEASED = "released"


@dataclass(frozen=True, slots=True)
class ClientLimits:
    """How hard the tool may drive a target; None leaves the choice to the tool's defaults."""

    rate_limit: float | None = None
    max_concurrency: int | None = None


@dataclass(frozen=True, slots=True)
class LocalTarget:
    """The embedded local MTurk, started in-process for each run."""

    name: str
    state_path: Path
    seed_path: Path | None
    limits: ClientLimits = field(default_factory=ClientLimits)
    retired: bool = False  # validated, never planned or applied (see docs/prolific.md)


@dataclass(frozen=True, slots=True)
class MTurkTarget:
    """Amazon Mechanical Turk (or anything speaking its API at ``endpoint_url``)."""

    name: str
    endpoint_url: str
    region: str = DEFAULT_REGION
    profile: str | None = None
    limits: ClientLimits = field(default_factory=ClientLimits)
    retired: bool = False  # MTurk closed on 2026-09-30: the record stays, nothing is sent

    @property
    def is_production(self) -> bool:
        return self.endpoint_url == MTURK_ENDPOINTS["production"]


@dataclass(frozen=True, slots=True)
class ProlificTarget:
    """Prolific: a pool is a participant group in ``workspace_id`` (or ``project_id``).

    The API token comes from the environment variable ``token_env``, never from a file. With
    ``local`` set, the embedded local Prolific is started instead (no account, no token).
    """

    name: str
    workspace_id: str | None = None
    project_id: str | None = None
    token_env: str = "PROLIFIC_TOKEN"  # noqa: S105 - the name of a variable, not a token
    base_url: str = PROLIFIC_API
    local: bool = False
    state_path: Path | None = None
    seed_path: Path | None = None
    limits: ClientLimits = field(default_factory=ClientLimits)
    retired: bool = False


Target = LocalTarget | MTurkTarget | ProlificTarget


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
class Study:
    """One study file. ``hits`` and ``workers`` keep the file's order, so errors can name a line."""

    study_id: str
    path: Path
    title: str
    pools: tuple[str, ...]
    status: StudyStatus
    exclude_until: date | None = None
    hits: tuple[str, ...] = ()
    workers: tuple[str, ...] = ()
    notes: str | None = None
    prolific_studies: tuple[str, ...] = ()  # Prolific study IDs, the HITs of a Prolific target
    participants: tuple[str, ...] = ()  # Prolific participant IDs excluded directly

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
