"""What an apply did, change by change: pure data, shown by ``render`` and recorded by ``ops``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Kind = Literal["grant", "update", "revoke", "create type", "update type"]


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: Kind
    pool: str
    worker_id: str | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class ApplyReport:
    outcomes: list[Outcome] = field(default_factory=list)
    created_types: dict[str, str] = field(default_factory=dict)  # pool -> new type ID
    skipped: list[tuple[str, int]] = field(default_factory=list)  # pool, changes not attempted
    recorded: list[Path] = field(default_factory=list)  # record files of listed holders written

    @property
    def failed(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]

    def count(self, kind: Kind, *, ok: bool = True) -> int:
        return sum(outcome.kind == kind and outcome.ok == ok for outcome in self.outcomes)
