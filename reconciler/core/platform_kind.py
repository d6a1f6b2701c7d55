"""What a crowd platform is, as one value the rest of the code asks: its words, rules and formats.

The planner never knows which platform it plans for; every sentence it or a renderer writes about
the platform takes its nouns and verbs from here, and every rule that differs between platforms
(disposal, values, what can be changed after creation) is a field here. The values themselves
(MTurk's, Prolific's) live in ``reconciler.kinds``; nothing in ``core/`` names a platform.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class Words:
    """How a platform's own documentation names each thing, singular and plural."""

    group: str  # what holds a pool's members: "qualification type" | "participant group"
    groups: str
    holder: str  # one member: "worker" | "participant"
    holders: str
    unit: str  # one unit of work on the platform: "HIT" | "Prolific study"
    units: str
    grant: str  # the verb that puts a holder in the group: "grant" | "add"
    granted: str
    revoke: str  # the verb that takes one out: "revoke" | "remove"
    revoked: str
    held: str  # "<holder> ..." while in the group: "holds the qualification" | "is in the group"
    units_key: str  # the study file's key listing units: "hits" | "prolific_studies"
    holders_key: str  # the study file's key listing holders: "workers" | "participants"
    exclusion: str  # what keeps a group's members out of new work
    open_units: str  # units that can still take holders: "open HITs" | "active Prolific studies"
    live_holders: str  # "the live qualification holders" | "the members of the participant groups"
    where_ids_are: str  # where a lab finds a unit's ID, for hints

    def count(self, number: int, singular: str, plural: str) -> str:
        return f"{number} {singular if number == 1 else plural}"


@dataclass(frozen=True, slots=True)
class IdFormat:
    """How a platform's IDs of one kind look, and where a lab finds them."""

    pattern: re.Pattern[str]
    description: str  # e.g. "30 upper-case letters and digits"
    # A URL of the platform's site that carries such an ID (its first group), as pasted from a browser.
    in_url: re.Pattern[str] | None = None

    def matches(self, text: str) -> bool:
        return self.pattern.fullmatch(text) is not None

    def from_url(self, text: str) -> str | None:
        """The ID inside a pasted URL of the platform's site, or None."""
        if self.in_url is None:
            return None
        found = self.in_url.search(text)
        return next((group for group in found.groups() if group), None) if found else None


@dataclass(frozen=True, slots=True)
class PlatformKind:
    """One crowd platform: its name, its words, and the rules the engine must follow on it."""

    key: str  # lower case, in files and JSON: "mturk" | "prolific"
    name: str  # as people write it: "MTurk" | "Prolific"
    words: Words
    holder_id: IdFormat
    unit_id: IdFormat
    # How long after its creation the platform disposes of a unit and forgets its holders; None
    # for a platform that keeps them (the capture rules take this, never a platform's name).
    disposal_age: timedelta | None
    # What a lab does about open units that lack the exclusion (the end of audit's message).
    protect_how: str
    # Whether a holder carries a value (MTurk's IntegerValue); a group holds membership only.
    holds_values: bool
    # What the tool may change of a group after creating it (the rest is compared, or ignored).
    updates_description: bool
    has_keywords: bool
    # Why the tool refuses a group whose name differs from the pool's, in the platform's terms.
    rename_note: str
    # The note a plan gives when a recorded group vanished from the platform.
    vanished_note: str

    def __str__(self) -> str:
        return self.name
