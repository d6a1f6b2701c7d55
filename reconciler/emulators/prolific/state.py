"""The local Prolific's data: participant groups with their members, studies with their
submissions, a clock; kept in a JSON file between runs and seeded from a YAML file.

The emulator is a sibling of the product: it imports nothing of it, and the product reaches it
only over HTTP. IDs are 24 hexadecimal characters, as Prolific's.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

SUBMISSION_STATUSES = (
    "RESERVED",
    "ACTIVE",
    "TIMED-OUT",
    "AWAITING REVIEW",
    "APPROVED",
    "RETURNED",
    "REJECTED",
    "SCREENED OUT",
)
STUDY_STATUSES = ("UNPUBLISHED", "SCHEDULED", "ACTIVE", "PAUSED", "AWAITING REVIEW", "COMPLETED")
HEX_ID_LENGTH = 24


class SeedError(Exception):
    """The seed file cannot be used; ``problems`` says where and why, one line each."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.path = path
        self.problems = problems


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def is_hex_id(value: object) -> bool:
    return (
        isinstance(value, str) and len(value) == HEX_ID_LENGTH and all(c in "0123456789abcdef" for c in value)
    )


@dataclass
class State:
    """Everything the local Prolific knows. Callers hold ``lock`` while reading or changing it."""

    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, dict[str, str]] = field(default_factory=dict)  # group -> participant -> added at
    studies: dict[str, dict[str, Any]] = field(default_factory=dict)
    submissions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # study -> submissions
    clock: datetime | None = None  # None: the real time
    lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: count[int] = field(default_factory=lambda: count(1))

    def now(self) -> datetime:
        return self.clock or datetime.now(UTC).replace(microsecond=0)

    def new_id(self, kind: int) -> str:
        """A fresh 24-hex ID; ``kind`` keeps groups, studies and submissions apart."""
        while True:
            candidate = f"{0xE0 + kind:02x}{next(self._ids):022x}"
            if candidate not in self.groups and candidate not in self.studies:
                return candidate

    def group_json(self, group_id: str) -> dict[str, Any]:
        return {**self.groups[group_id], "participant_count": len(self.members[group_id])}

    # --- persistence ----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "groups": self.groups,
            "members": self.members,
            "studies": self.studies,
            "submissions": self.submissions,
        }

    def save(self, path: Path) -> None:
        with self.lock:
            text = json.dumps(self.to_json(), indent=1, sort_keys=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(text)
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> State:
        data = json.loads(path.read_text())
        state = cls(data["groups"], data["members"], data["studies"], data["submissions"])
        used = [int(i[2:], 16) for i in (*state.groups, *state.studies) if is_hex_id(i)]
        state._ids = count(max(used, default=0) + 1)
        return state

    # --- seed -----------------------------------------------------------------------------------

    def apply_seed(self, path: Path) -> None:
        """Add the seed's studies and submissions (those not already known). Raises ``SeedError``."""
        try:
            document = YAML(typ="safe").load(path)
        except (OSError, YAMLError) as error:
            raise SeedError(path, [f"cannot read the seed: {error}"]) from None
        problems: list[str] = []
        studies = document.get("studies", []) if isinstance(document, dict) else None
        if not isinstance(studies, list):
            raise SeedError(path, ["the seed must be a mapping with a list under 'studies:'"])
        for index, entry in enumerate(studies):
            problems.extend(self._seed_study(index, entry))
        if problems:
            raise SeedError(path, problems)

    def _seed_study(self, index: int, entry: Any) -> list[str]:
        where = f"studies[{index}]"
        if not isinstance(entry, dict) or not is_hex_id(entry.get("id")):
            return [f"{where}: needs 'id:' of 24 hexadecimal characters"]
        status = entry.get("status", "ACTIVE")
        if status not in STUDY_STATUSES:
            return [f"{where}: status must be one of {', '.join(STUDY_STATUSES)}"]
        problems = []
        submissions = []
        for number, submission in enumerate(entry.get("submissions", [])):
            participant = submission.get("participant_id") if isinstance(submission, dict) else None
            sub_status = submission.get("status", "APPROVED") if isinstance(submission, dict) else None
            if not is_hex_id(participant) or sub_status not in SUBMISSION_STATUSES:
                problems.append(
                    f"{where}.submissions[{number}]: needs a 24-hex 'participant_id:' and a "
                    f"status among {', '.join(SUBMISSION_STATUSES)}"
                )
                continue
            submissions.append((participant, sub_status))
        if problems or entry["id"] in self.studies:
            return problems
        created = self.now()
        self.studies[entry["id"]] = {
            "id": entry["id"],
            "name": str(entry.get("name", entry["id"])),
            "internal_name": str(entry.get("name", entry["id"])),
            "status": status,
            "date_created": iso(created),
            "filters": list(entry.get("filters", [])),
        }
        self.submissions[entry["id"]] = [
            {
                "id": self.new_id(3),
                "participant_id": participant,
                "status": sub_status,
                "started_at": iso(created),
                "completed_at": None,
                "has_siblings": False,
            }
            for participant, sub_status in submissions
        ]
        return []
