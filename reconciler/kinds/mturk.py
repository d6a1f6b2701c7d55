"""Amazon Mechanical Turk, as the tool knows it: its words, rules, ID formats and targets.

MTurk closed on 2026-09-30; a lab's MTurk record stays its archive, still validated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from reconciler.core.model import ClientLimits
from reconciler.core.platform_kind import IdFormat, PlatformKind, Words
from reconciler.kinds.hosts import on_loopback

ENDPOINTS = {
    "sandbox": "https://mturk-requester-sandbox.us-east-1.amazonaws.com",
    "production": "https://mturk-requester.us-east-1.amazonaws.com",
}
DEFAULT_REGION = "us-east-1"
DISPOSAL_AGE = timedelta(days=120)  # MTurk disposes of a HIT this long after its creation

MTURK = PlatformKind(
    key="mturk",
    name="MTurk",
    words=Words(
        group="qualification type",
        groups="qualification types",
        holder="worker",
        holders="workers",
        unit="HIT",
        units="HITs",
        grant="grant",
        granted="granted",
        revoke="revoke",
        revoked="revoked",
        held="holds the qualification",
        units_key="hits",
        holders_key="workers",
        exclusion="DoesNotExist requirement",
        open_units="open HITs",
        live_holders="the live qualification holders",
        where_ids_are="the requester site's 'Manage' page",
    ),
    # MTurk issues worker IDs of 12 to 14 characters; HIT IDs have 30.
    holder_id=IdFormat(re.compile(r"A[A-Z0-9]{7,28}"), "an A and upper-case letters and digits"),
    unit_id=IdFormat(
        re.compile(r"[A-Z0-9]{30}"),
        "30 upper-case letters and digits",
        re.compile(r"(?:hitId|hit_id|HITId)=([A-Z0-9]{20,40})|/([A-Z0-9]{30})(?:[/?#]|$)"),
    ),
    disposal_age=DISPOSAL_AGE,
    protect_how="create new HITs with the requirement printed by `exclusions requirement POOL` (or move these to a HIT type that has it with UpdateHITTypeOfHIT, or expire them)",
    holds_values=True,
    updates_description=True,
    has_keywords=True,
    rename_note="MTurk cannot rename a type",
    vanished_note="MTurk deletes qualification types unused for 120 days",
)


@dataclass(frozen=True, slots=True)
class MTurkTarget:
    """Amazon Mechanical Turk (or anything speaking its API at ``endpoint_url``)."""

    name: str
    endpoint_url: str
    region: str = DEFAULT_REGION
    profile: str | None = None
    limits: ClientLimits = field(default_factory=ClientLimits)
    retired: bool = False  # MTurk closed on 2026-09-30: the record stays, nothing is sent
    kind: PlatformKind = field(default=MTURK, init=False)
    local: bool = field(default=False, init=False)
    seed_path: Path | None = field(default=None, init=False)

    @property
    def is_production(self) -> bool:
        return self.endpoint_url == ENDPOINTS["production"]

    @property
    def on_this_machine(self) -> bool:
        return on_loopback(self.endpoint_url)


@dataclass(frozen=True, slots=True)
class LocalMTurkTarget:
    """The embedded local MTurk, started in-process for each run."""

    name: str
    state_path: Path
    seed_path: Path | None
    limits: ClientLimits = field(default_factory=ClientLimits)
    retired: bool = False  # validated, never planned or applied (see docs/prolific.md)
    kind: PlatformKind = field(default=MTURK, init=False)
    local: bool = field(default=True, init=False)
    on_this_machine: bool = field(default=True, init=False)
