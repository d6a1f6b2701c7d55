"""``capture``: read the holders of every unit of every study, released ones included, and keep
them in the captures before the platform forgets them (MTurk disposes of HITs after 120 days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from reconciler.core.captures import HitWorkers, late_hits
from reconciler.core.desired import hits_of
from reconciler.core.model import Capture
from reconciler.core.platform_kind import PlatformKind
from reconciler.core.problems import Problem
from reconciler.ops.failures import OperationFailed
from reconciler.ops.reading import read_hits
from reconciler.ops.session import load_run, open_session
from reconciler.platform.base import PlatformError


@dataclass(frozen=True)
class CaptureRun:
    kind: PlatformKind
    hits: HitWorkers  # every unit's holders, the captures written, warnings, units nobody can know
    captures: dict[str, Capture]  # every capture of the target after the run
    total: int  # units named by the studies
    complete: int  # of those, how many are completely captured now
    problems: list[Problem]  # warnings about the lab's files, from loading them

    @property
    def warnings(self) -> list[str]:
        return self.hits.warnings

    def late(self, now: datetime, within: timedelta) -> list[str]:
        """Units still not completely captured whose disposal comes within ``within``."""
        return late_hits(self.captures, self.hits.workers, now, within, self.kind.disposal_age)

    def require_captured_within(self, now: datetime, days: int) -> None:
        """Fail when a unit will be disposed of within ``days`` and is not completely captured."""
        late = self.late(now, timedelta(days=days))
        if late:
            words = self.kind.words
            raise OperationFailed(
                f"{len(late)} {words.unit}(s) will be disposed of within {days} days and are not "
                f"completely captured: {', '.join(late)}; read them now, and list their {words.holders} "
                f"under '{words.holders_key}:' if they cannot be completed in time"
            )


def capture_all(root: Path, target_name: str | None, now: datetime) -> CaptureRun:
    """Read every unit that is not completely captured and write what changed. Captures read
    before a failure are kept (written as they come), so a re-run starts where this one stopped."""
    inputs = load_run(root, target_name, with_records=False)
    try:
        with open_session(inputs) as session:
            # Released studies too: a study released by mistake may become active again.
            needed = hits_of(session.repository.studies)
            result = read_hits(
                session.platform, needed, inputs.captures, inputs.target.name, now, session.concurrency
            )
            captures = session.save_captures(result.changed_captures)
    except PlatformError as error:
        raise OperationFailed(f"{error}; the captures read before it were kept") from None
    complete = sum(c.complete for hit_id, c in captures.items() if hit_id in result.workers)
    return CaptureRun(inputs.kind, result, captures, len(needed), complete, inputs.warnings)
