"""The plan: what apply would change, separate from how it is shown (renderers) or done (apply)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from reconciler.core.live import QualificationTypeSettings
from reconciler.core.platform_kind import PlatformKind

# 2: the same keys on every platform (group, id), a holder's value only where holders carry one.
FORMAT_VERSION = 2

# What happens to holders the repository never listed: kept (the default) or revoked.
OutsideHolders = Literal["keep", "revoke"]


@dataclass(frozen=True, slots=True)
class WorkerChange:
    worker_id: str
    old_value: int | None  # None: the worker holds nothing now (a grant)
    new_value: int | None  # None: the worker will hold nothing (a revocation)
    studies: tuple[str, ...] = ()  # the excluding studies behind the new value
    cause: str = ""  # why a revocation happens, in words (core.desired.revocation_causes)


@dataclass(frozen=True, slots=True)
class TypeChange:
    action: Literal["create", "update"]
    attributes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)  # name -> (old, new)


@dataclass(frozen=True, slots=True)
class PoolPlan:
    pool: str
    settings: QualificationTypeSettings
    type_id: str | None  # None until a planned creation is applied
    type_change: TypeChange | None
    holders_before: int
    grants: tuple[WorkerChange, ...] = ()
    revokes: tuple[WorkerChange, ...] = ()
    updates: tuple[WorkerChange, ...] = ()
    revoke_reason: str | None = None
    live_name: str | None = None  # the type's name on the platform, when it has one
    # Holders the repository never listed, kept (the pool's outside_holders is keep): no change.
    kept: tuple[WorkerChange, ...] = ()
    # The pool's rule for such holders, so every rendering can say which one applied.
    outside_holders: OutsideHolders = "keep"

    @property
    def has_changes(self) -> bool:
        return bool(self.type_change or self.grants or self.revokes or self.updates)

    @property
    def holders_after(self) -> int:
        return self.holders_before + len(self.grants) - len(self.revokes)


@dataclass(frozen=True, slots=True)
class Plan:
    target: str
    platform: PlatformKind  # where every change is made; its words are the plan's words
    created_at: datetime
    pools: tuple[PoolPlan, ...]
    live_fingerprint: str
    desired_fingerprint: str
    warnings: tuple[str, ...] = ()
    # What apply will refuse, as (check, message): the same typed checks apply runs.
    refusals: tuple[tuple[str, str], ...] = ()

    @property
    def has_changes(self) -> bool:
        return any(pool.has_changes for pool in self.pools)

    def count(self, kind: Literal["grants", "revokes", "updates"]) -> int:
        return sum(len(getattr(pool, kind)) for pool in self.pools)

    def holder_ids(self) -> set[str]:
        """Every holder the plan names (changed or kept): what a masker must tell apart."""
        return {
            change.worker_id
            for pool in self.pools
            for change in (*pool.grants, *pool.revokes, *pool.updates, *pool.kept)
        }


def fingerprint(sections: Iterable[tuple[str, Mapping[str, Any], Mapping[str, int]]]) -> str:
    """A digest of (pool, attributes, worker -> value) sections, independent of order."""
    digest = hashlib.sha256()
    for pool, attributes, holders in sorted(sections, key=lambda section: section[0]):
        lines = [f"pool\t{pool}"]
        lines.extend(f"attr\t{name}\t{attributes[name]!r}" for name in sorted(attributes))
        lines.extend(f"{worker_id}\t{holders[worker_id]}" for worker_id in sorted(holders))
        digest.update(("\n".join(lines) + "\n").encode())  # one update: hashing is the cost here
    return "sha256:" + digest.hexdigest()
