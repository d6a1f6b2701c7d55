"""What is wrong with a document, at its place: what the readers here report, in plain values.

The product turns each ``Finding`` into its own located problem; an emulator turns it into its
seed error. Nothing here imports the product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with one file. ``line`` and ``column`` are 1-based; 0 means unknown."""

    path: Path
    message: str
    hint: str = ""
    line: int = 0
    column: int = 0

    def format(self) -> str:
        place = f"{self.path}:{self.line}:{self.column or 1}" if self.line else str(self.path)
        return f"{place}: {self.message}" + (f" (hint: {self.hint})" if self.hint else "")


class DocumentError(Exception):
    """A document that cannot be used; ``findings`` says where and why."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        super().__init__("; ".join(finding.format() for finding in self.findings))
