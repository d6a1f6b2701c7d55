"""``audit``: the open units of work of a target (HITs, Prolific studies) that would let a pool's
holders in, read from the platform (read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reconciler.core.audit import Audit, audit_hits
from reconciler.core.platform_kind import PlatformKind
from reconciler.core.problems import Problem
from reconciler.ops.failures import OperationFailed
from reconciler.ops.session import load_run, open_session
from reconciler.platform.base import PlatformError


@dataclass(frozen=True)
class AuditRun:
    target: str
    kind: PlatformKind
    audit: Audit
    required_pools: tuple[str, ...]
    problems: list[Problem]

    def refusal(self) -> OperationFailed | None:
        """The failure to end the command with when an open unit lets holders in."""
        if not self.audit.leaking:
            return None
        words = self.kind.words
        rule = "each of: " + ", ".join(self.required_pools) if self.required_pools else "any pool"
        return OperationFailed(
            f"{len(self.audit.findings)} of {self.audit.open_hits} {words.open_units} on target "
            f"'{self.target}' lack the {words.exclusion} of {rule}, so excluded {words.holders} can "
            f"take them; {self.kind.protect_how}"
        )


def audit_target(root: Path, target_name: str | None, now: datetime) -> AuditRun:
    inputs = load_run(root, target_name, with_records=False)
    config = inputs.repository.config
    checked = config.required_pools or tuple(sorted(config.pools))
    try:
        with open_session(inputs) as session:
            type_ids: dict[str, str | None] = {}
            for key in checked:
                live = session.find_pool_type(key)
                type_ids[key] = live.type_id if live else None
            audit = audit_hits(
                type_ids, config.required_pools, session.platform.list_hits(), now, inputs.kind
            )
    except PlatformError as error:
        words = inputs.kind.words
        raise OperationFailed(
            f"{error}; the audit could not read every {words.unit}, so it cannot tell whether one lets "
            f"excluded {words.holders} in"
        ) from None
    return AuditRun(inputs.target.name, inputs.kind, audit, config.required_pools, inputs.warnings)
