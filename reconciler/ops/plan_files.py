"""Saved plans (``plan --out``, ``apply PLANFILE``): written whole, read back checked, and refused
once the live holders or the repository changed since the plan was made."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from reconciler.core.plan import Plan
from reconciler.documents.writing import atomic_write_text
from reconciler.lab.schemas import PLAN_SCHEMA, schema_problems
from reconciler.ops.failures import OperationFailed
from reconciler.ops.session import Session
from reconciler.render.json import DIGEST, content_digest, plan_from_json, plan_to_json

STALE = "stale plan: the live holders or the repository changed since it was made; run plan again"


def write_plan_file(plan: Plan, path: Path) -> None:
    """The JSON plan, written whole or not at all. It holds holder IDs: keep it out of git."""
    atomic_write_text(path, json.dumps(plan_to_json(plan), indent=2) + "\n")


def read_plan_file(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OperationFailed(f"{path}: not a plan saved by `exclusions plan --out` ({error})") from None
    if isinstance(data, dict) and data.get("format_version") == 1 and "pools" in data:
        raise OperationFailed(
            f"{path}: a plan saved by an earlier version of the tool (format 1); nothing was changed. "
            "Make it again with plan --out"
        )
    problems = schema_problems(path, data, PLAN_SCHEMA)
    if problems:
        raise OperationFailed(
            f"{path}: not a valid plan: {problems[0].message}; make it again with plan --out"
        )
    if data[DIGEST] != content_digest(data):
        raise OperationFailed(
            f"{path}: the plan was modified after `exclusions plan --out` saved it (its digest no "
            "longer matches its content), so it is not what was reviewed; nothing was changed. "
            "Make it again with plan --out"
        )
    return plan_from_json(data)


def check_still_current(session: Session, saved: Plan, now: datetime) -> Mapping[str, frozenset[str]]:
    """Refuse a saved plan once what it was made from has changed: apply does exactly what was
    reviewed, or nothing. Returns the holders read, which the record after the apply starts from."""
    if saved.platform is not session.kind:
        raise OperationFailed(
            f"the plan was made for {saved.platform.name}, but target '{session.target.name}' is on "
            f"{session.kind.name}; nothing was changed"
        )
    live, desired, holders = session.current_fingerprints(now)
    if live != saved.live_fingerprint or desired != saved.desired_fingerprint:
        raise OperationFailed(STALE)
    return holders
