"""The emulator's clock: real time shifted by an offset that a test can set.

HIT expiry and the 120-day disposal are measured on this clock, so a test can jump
forward in time ("121 days later") without waiting, and the clock keeps running at
real speed from the instant it was set.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


def utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 time (``Z`` suffix allowed); naive times are UTC."""
    return utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00")))


def iso(value: datetime) -> str:
    """Format a time as ISO 8601 UTC with a ``Z`` suffix (the form the state file uses)."""
    return utc(value).isoformat().replace("+00:00", "Z")


class Clock:
    """Wall-clock time plus an offset; ``set`` moves "now" and time keeps flowing from there."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        if start is not None:
            self.set(start)

    def now(self) -> datetime:
        with self._lock:
            offset = self._offset
        return datetime.now(UTC) + offset

    def set(self, now: datetime) -> None:
        with self._lock:
            self._offset = utc(now) - datetime.now(UTC)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
