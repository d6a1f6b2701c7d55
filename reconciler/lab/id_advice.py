"""What to tell a lab about an ID under the wrong key of a study file, in the platforms' words.

A study file lists IDs of two platforms under four keys (``hits:``/``workers:`` for MTurk,
``prolific_studies:``/``participants:`` for Prolific). An ID pasted under the wrong one, in the
wrong case, or as a whole URL from the platform's site is the commonest mistake; the advice names
what the ID looks like and where it belongs, from each platform's ID formats in ``kinds``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reconciler.core.platform_kind import IdFormat, PlatformKind
from reconciler.kinds import KINDS

Role = Literal["unit", "holder"]


@dataclass(frozen=True, slots=True)
class Advice:
    message: str  # what is wrong, the ID and its key named
    hint: str  # what to do
    finding: str = ""  # what is wrong without naming the ID: for a schema problem's hint

    def as_hint(self) -> str:
        """The advice as the hint of a problem whose message names the ID already."""
        return f"{self.finding}: {self.hint}" if self.finding else self.hint


def listing_keys() -> dict[str, tuple[PlatformKind, Role]]:
    """Every study-file key that lists IDs: the platform and what the IDs are there."""
    keys: dict[str, tuple[PlatformKind, Role]] = {}
    for kind in KINDS:
        keys[kind.words.units_key] = (kind, "unit")
        keys[kind.words.holders_key] = (kind, "holder")
    return keys


def _format(kind: PlatformKind, role: Role) -> IdFormat:
    return kind.unit_id if role == "unit" else kind.holder_id


def _noun(kind: PlatformKind, role: Role) -> str:
    noun = kind.words.unit if role == "unit" else kind.words.holder
    # "a HIT ID", "an MTurk worker ID", "a Prolific participant ID": a platform's name only
    # where its own noun does not already say it.
    return noun if kind.name in noun else f"{kind.name} {noun}"


def _key(kind: PlatformKind, role: Role) -> str:
    return kind.words.units_key if role == "unit" else kind.words.holders_key


def _article(noun: str) -> str:
    return "an" if noun[:1] in "AEIOUaeiou" or noun.startswith("MTurk") else "a"


def advice(key: str, value: str) -> Advice | None:
    """Advice for ``value`` listed under ``key``, or None when it looks right there."""
    found = listing_keys().get(key)
    if found is None:
        return None
    kind, role = found
    own = _format(kind, role)
    if own.matches(value):
        return None
    if "://" in value or value.lower().startswith("www."):
        return _url_advice(key, value, kind, role)
    finding_and_hint = _what_it_is(value, kind, role)
    if finding_and_hint is None:
        return None
    finding, hint = finding_and_hint
    # A holder's ID is quoted, so the masking of IDs in messages finds it whatever its form.
    shown = f'"{value}"' if role == "holder" else value
    return Advice(f"{shown} under '{key}:' {finding}", hint, finding)


def _what_it_is(value: str, kind: PlatformKind, role: Role) -> tuple[str, str] | None:
    """What ``value`` looks like instead of an ID of ``role`` on ``kind``, and what to do."""
    own = _format(kind, role)
    noun = _noun(kind, role)
    if value.strip() != value and own.matches(value.strip()):
        return "has spaces around it", "remove the spaces around the ID"
    for cased in (value.lower(), value.upper()):
        if cased != value and own.matches(cased):
            return (
                f"is not {_article(noun)} {noun} ID as written",
                f"{noun} IDs are {own.description}: write it as {cased}",
            )
    for other in KINDS:
        roles: tuple[Role, ...] = ("unit", "holder")
        alike = [other_role for other_role in roles if _format(other, other_role).matches(value)]
        if not alike or (other is kind and role in alike):
            continue
        if other is kind:  # the platform's other kind of ID: its own words say enough
            mine, theirs = _bare(kind, role), _bare(kind, alike[0])
            return (
                f"looks like {_article(theirs)} {theirs} ID, not {_article(mine)} {mine} ID "
                f"({kind.name}'s {mine} IDs are {own.description})",
                f"move it under '{_key(kind, alike[0])}:'",
            )
        if len(alike) == 2:  # a Prolific study and a participant share one form
            return (
                f"looks like a {other.name} ID, not {_article(noun)} {noun} ID",
                f"move it under '{other.words.units_key}:' (a {other.words.unit}) or "
                f"'{other.words.holders_key}:' (a {other.words.holder})",
            )
        other_noun = _noun(other, alike[0])
        return (
            f"looks like {_article(other_noun)} {other_noun} ID, not {_article(noun)} {noun} ID",
            f"move it under '{_key(other, alike[0])}:'",
        )
    return None


def _bare(kind: PlatformKind, role: Role) -> str:
    return kind.words.unit if role == "unit" else kind.words.holder


def _url_advice(key: str, value: str, kind: PlatformKind, role: Role) -> Advice:
    noun = _noun(kind, role)
    found = _format(kind, role).from_url(value)
    if found is not None:
        return Advice(
            f"a URL under '{key}:', where {_article(noun)} {noun} ID belongs",
            f"write the {_bare(kind, role)} ID alone: {found}",
        )
    for other in KINDS:
        elsewhere = other.unit_id.from_url(value) if other is not kind else None
        if elsewhere is not None:
            return Advice(
                f"a {other.name} URL under '{key}:', where {_article(noun)} {noun} ID belongs",
                f"list the {other.words.unit} ID {elsewhere} under '{other.words.units_key}:'",
            )
    return Advice(
        f"a URL under '{key}:', where {_article(noun)} {noun} ID belongs",
        f"write the {_bare(kind, role)} ID alone ({_format(kind, role).description}, "
        f"from {kind.words.where_ids_are})",
    )
