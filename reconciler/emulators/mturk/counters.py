"""Per-operation request counters, so benchmarks can compare the calls a plan made with
the fewest it could have made."""

from __future__ import annotations

import threading

OUTCOMES = ("served", "throttled", "failed")


class Counters:
    """``{operation: {"served": n, "throttled": n, "failed": n}}``, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, dict[str, int]] = {}

    def count(self, operation: str, outcome: str) -> None:
        with self._lock:
            entry = self._counts.setdefault(operation, dict.fromkeys(OUTCOMES, 0))
            entry[outcome] += 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {operation: dict(entry) for operation, entry in sorted(self._counts.items())}

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
