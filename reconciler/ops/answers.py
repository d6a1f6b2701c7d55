"""``why``, ``holders``, ``export`` and ``report``: the record of one target, from the lab's files.

The answers come from the study files and the target's captures alone, so they need no
credentials and change nothing; only ``why --live`` asks the platform for the holder's current
standing. Units never captured are reported as such, never read as empty. Retired targets are
answered too: their files are the lab's archive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reconciler.core.answers import Record, build_record
from reconciler.core.problems import Problem
from reconciler.documents.writing import atomic_write_text
from reconciler.ops.failures import OperationFailed
from reconciler.ops.session import load_run, open_session, utc_now
from reconciler.platform.base import PlatformError


@dataclass(frozen=True, slots=True)
class LoadedRecord:
    record: Record
    warnings: list[Problem]


def load_record(root: Path, target_name: str | None, today: date | None = None) -> LoadedRecord:
    inputs = load_run(root, target_name, with_records=False, allow_retired=True)
    day = today or utc_now().date()
    record = build_record(inputs.repository, inputs.captures, inputs.target.name, inputs.kind, day)
    return LoadedRecord(record, inputs.warnings)


def require_pool(record: Record, pool: str) -> None:
    if pool not in record.pools:
        raise OperationFailed(f"no pool named '{pool}'; pools: {', '.join(sorted(record.pools))}")


def live_values(root: Path, target_name: str | None, worker_id: str) -> dict[str, int | None]:
    """The holder's value in each pool's group on the target now (None: not held, or the pool has
    no group there yet; a group that holds membership only gives 1)."""
    inputs = load_run(root, target_name, with_records=False)
    values: dict[str, int | None] = {}
    try:
        with open_session(inputs) as session:
            for key in session.repository.config.pools:
                live_type = session.find_pool_type(key)
                holders = session.platform.list_holders(live_type.type_id) if live_type else {}
                values[key] = holders.get(worker_id)
    except PlatformError as error:
        said = "values" if inputs.kind.holds_values else "membership"
        raise OperationFailed(f"{error}; cannot tell the {inputs.kind.words.holder}'s live {said}") from None
    return values


def write_files(out: Path, files: Mapping[str, str], what: str) -> None:
    """Write each of ``files`` (name -> text) into the folder ``out``, created if needed."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            atomic_write_text(out / name, text)
    except OSError as error:
        raise OperationFailed(f"cannot write the {what} to {out}: {error.strerror or error}") from None
