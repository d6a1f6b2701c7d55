"""The difference between desired and live, as set algebra over worker IDs. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from reconciler.core.live import LiveQualificationType, QualificationTypeSettings
from reconciler.core.platform_kind import PlatformKind

# What UpdateQualificationType can change in place. Name and keywords are fixed at creation.
UPDATABLE = ("description", "status", "auto_granted")


@dataclass(frozen=True, slots=True)
class HolderDiff:
    grants: dict[str, int]  # worker -> value to give
    revokes: dict[str, int]  # worker -> value held now
    updates: dict[str, tuple[int, int]]  # worker -> (value now, value to set)

    @property
    def empty(self) -> bool:
        return not (self.grants or self.revokes or self.updates)


def diff_holders(desired: Mapping[str, int], live: Mapping[str, int]) -> HolderDiff:
    desired_ids, live_ids = desired.keys(), live.keys()
    return HolderDiff(
        grants={worker: desired[worker] for worker in sorted(desired_ids - live_ids)},
        revokes={worker: live[worker] for worker in sorted(live_ids - desired_ids)},
        updates={
            worker: (live[worker], desired[worker])
            for worker in sorted(desired_ids & live_ids)
            if live[worker] != desired[worker]
        },
    )


def diff_type_settings(
    desired: QualificationTypeSettings, live: LiveQualificationType, kind: PlatformKind
) -> tuple[dict[str, tuple[Any, Any]], list[str]]:
    """Attribute changes to make in place, and warnings for differences the platform cannot change."""
    before = {name: getattr(live, name) for name in (*UPDATABLE, "keywords")}
    after = {name: getattr(desired, name) for name in (*UPDATABLE, "keywords")}
    changed: dict[str, tuple[Any, Any]] = {}
    for path, change in DeepDiff(before, after, verbose_level=2).get("values_changed", {}).items():
        changed[_attribute(path)] = (change["old_value"], change["new_value"])
    for path, change in DeepDiff(before, after, verbose_level=2).get("type_changes", {}).items():
        changed[_attribute(path)] = (change["old_value"], change["new_value"])
    warnings = []
    if "keywords" in changed:
        old, new = changed.pop("keywords")
        warnings.append(
            f"keywords differ ({old!r} on {kind.name}, {new!r} in config.yaml) but {kind.name} cannot "
            "change them after creation; edit config.yaml to match"
        )
    return dict(sorted(changed.items())), warnings


def _attribute(deepdiff_path: str) -> str:
    # DeepDiff names a changed key "root['description']".
    return deepdiff_path.removeprefix("root['").removesuffix("']")
