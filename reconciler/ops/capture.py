"""``lock``: capture the workers of every HIT of every study, released ones included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from reconciler.core.captures import HitWorkers, late_hits
from reconciler.core.desired import hits_of
from reconciler.ops.reading import read_hits
from reconciler.ops.session import Session


@dataclass(frozen=True)
class CaptureRun:
    hits: HitWorkers  # every HIT's workers, the captures written, warnings, HITs nobody can know
    total: int  # HITs named by the studies
    complete: int  # of those, how many are completely captured now

    def late(self, session: Session, now: datetime, within: timedelta) -> list[str]:
        """HITs still not completely captured whose disposal comes within ``within``."""
        return late_hits(session.captures, self.hits.workers, now, within, session.platform.disposal_age)


def capture_all(session: Session, now: datetime) -> CaptureRun:
    """Read every HIT that is not completely captured and write what changed. Captures read before
    a failure are kept (written as they come), so a re-run starts where this one stopped."""
    # Released studies too: a study released by mistake may become active again.
    needed = hits_of(session.repository.studies)
    result = read_hits(
        session.platform, needed, session.captures, session.target.name, now, session.concurrency
    )
    session.save_captures(result.changed_captures)
    complete = sum(c.complete for hit_id, c in session.captures.items() if hit_id in result.workers)
    return CaptureRun(result, len(needed), complete)
