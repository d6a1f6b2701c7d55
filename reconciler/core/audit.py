"""The audit of open HITs: does each one keep every pool's workers out? Pure: no I/O.

A pool keeps its workers out of a HIT only through a ``DoesNotExist`` requirement on the pool's
qualification type: the type's holders are exactly the workers the pool excludes. Any other
comparator on the type does not protect. ``Exists`` lets in only the excluded workers;
``LessThan`` and its kind shut out every worker who never held the qualification (MTurk fails
a comparison for a worker without the qualification) and still say nothing of the holders
``DoesNotExist`` was meant to stop.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from reconciler.core.live import LiveHit
from reconciler.core.platform_kind import PlatformKind

PROTECTING_COMPARATOR = "DoesNotExist"
# Statuses in which a worker can still accept the HIT (Unassignable: every slot is taken right
# now, but a returned or abandoned assignment makes it Assignable again).
OPEN_STATUSES = frozenset({"Assignable", "Unassignable"})


@dataclass(frozen=True, slots=True)
class Finding:
    """An open HIT that lets some pool's workers in, and why, one reason per line."""

    hit: LiveHit
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Audit:
    listed: int  # every HIT the platform listed
    open_hits: int  # of which still open to workers
    findings: tuple[Finding, ...]
    pools_without_type: tuple[str, ...]  # pools that count as missing on every HIT

    @property
    def leaking(self) -> bool:
        return bool(self.findings)


def is_open(hit: LiveHit, now: datetime) -> bool:
    """Whether workers can still take part: Assignable or Unassignable, and not expired."""
    if hit.status not in OPEN_STATUSES:
        return False
    return hit.expiration is None or hit.expiration > now


def audit_hits(
    type_ids: Mapping[str, str | None],
    required_pools: Sequence[str],
    hits: Iterable[LiveHit],
    now: datetime,
    kind: PlatformKind,
) -> Audit:
    """Check every open HIT against the pools.

    ``type_ids`` maps every pool to its qualification type ID on the target, or None when the
    type does not exist there yet (such a pool protects no HIT). With ``required_pools``, each
    of them must be required with ``DoesNotExist``; without, at least one pool must be.
    """
    listed = list(hits)
    open_hits = [hit for hit in listed if is_open(hit, now)]
    findings = []
    for hit in sorted(open_hits, key=lambda h: (h.created, h.hit_id)):
        missing = (
            _missing_each(hit, type_ids, required_pools, kind)
            if required_pools
            else _missing_any(hit, type_ids, kind)
        )
        if missing:
            findings.append(Finding(hit, tuple(missing)))
    without = tuple(pool for pool in (required_pools or sorted(type_ids)) if type_ids.get(pool) is None)
    return Audit(len(listed), len(open_hits), tuple(findings), without)


def _comparators(hit: LiveHit, type_id: str) -> list[str]:
    return [r.comparator for r in hit.requirements if r.type_id == type_id]


def _protects(hit: LiveHit, type_id: str | None) -> bool:
    return type_id is not None and PROTECTING_COMPARATOR in _comparators(hit, type_id)


def _wrong(hit: LiveHit, pool: str, type_id: str | None, kind: PlatformKind) -> str | None:
    """What is wrong with the pool's requirements on the HIT, if it has some but none protects."""
    if type_id is None:
        return None
    comparators = sorted(set(_comparators(hit, type_id)))
    if not comparators:
        return None
    return f"{pool}: {', '.join(comparators)} does not protect (needs {PROTECTING_COMPARATOR})"


def _missing_each(
    hit: LiveHit, type_ids: Mapping[str, str | None], required: Sequence[str], kind: PlatformKind
) -> list[str]:
    missing = []
    for pool in required:
        type_id = type_ids.get(pool)
        if type_id is None:
            missing.append(f"{pool}: no {kind.words.group} on this target yet")
        elif not _protects(hit, type_id):
            missing.append(
                _wrong(hit, pool, type_id, kind) or f"{pool}: no {kind.words.exclusion.split()[-1]}"
            )
    return missing


def _missing_any(hit: LiveHit, type_ids: Mapping[str, str | None], kind: PlatformKind) -> list[str]:
    if any(_protects(hit, type_id) for type_id in type_ids.values()):
        return []
    pools = sorted(type_ids)
    if not pools:
        return ["no pool is defined, so nothing keeps repeat participants out"]
    missing = [f"no pool's {kind.words.exclusion} (one of: {', '.join(pools)})"]
    for pool in pools:
        type_id = type_ids[pool]
        if type_id is None:
            missing.append(f"{pool}: no {kind.words.group} on this target yet")
        elif (wrong := _wrong(hit, pool, type_id, kind)) is not None:
            missing.append(wrong)
    return missing
