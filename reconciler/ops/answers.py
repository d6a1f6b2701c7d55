"""``why``, ``holders``, ``export`` and ``report``: the record of one target, from the lab's files.

The answers come from the study files and the target's captures alone, so they need no
credentials and change nothing; only ``why --live`` asks the platform for the worker's current
qualification values. HITs without a capture are reported as such, never read as empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reconciler.core.answers import Record, build_record
from reconciler.core.problems import Problem
from reconciler.ops import projection
from reconciler.ops.failures import OperationFailed
from reconciler.ops.session import load_checked, open_session, utc_now


@dataclass(frozen=True, slots=True)
class LoadedRecord:
    record: Record
    warnings: list[Problem]


def load_record(root: Path, target_name: str | None, today: date | None = None) -> LoadedRecord:
    repository, target, loaded, warnings = load_checked(root, target_name, with_records=False)
    captures = loaded.captures
    day = today or utc_now().date()
    # Each study as the target's platform sees it: a Prolific target's "HITs" are Prolific studies.
    seen = projection.for_target(repository, target)
    platform = projection.platform_name(target).lower()
    return LoadedRecord(build_record(seen, captures, target.name, platform, day), warnings)


def require_pool(record: Record, pool: str) -> None:
    if pool not in record.pools:
        raise OperationFailed(f"no pool named '{pool}'; pools: {', '.join(sorted(record.pools))}")


def live_values(root: Path, target_name: str | None, worker_id: str) -> dict[str, int | None]:
    """The worker's value of each pool's qualification on the target now (None: not held, or the
    pool has no qualification type there yet). A failed read raises ``PlatformError``."""
    values: dict[str, int | None] = {}
    with open_session(root, target_name) as session:
        for key in session.repository.config.pools:
            live_type = session.find_pool_type(key)
            holders = session.platform.list_holders(live_type.type_id) if live_type else {}
            values[key] = holders.get(worker_id)
    return values
