"""A client-side limit on requests per second, shared by every thread of one run.

botocore's adaptive retry mode slows down once MTurk throttles; this limit keeps the tool under
the rate the lab set for a target in the first place, so a large apply never starts by flooding
the API. It is hooked into botocore's ``before-send`` event, so retries count against it too.
"""

from __future__ import annotations

import threading
import time
from typing import Any


class RateLimiter:
    """A token bucket: ``rate`` requests per second, bursts of at most ``burst``."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate / 10)
        self._tokens = self.capacity
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Wait until a request may be sent."""
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait = (1 - self._tokens) / self.rate
            time.sleep(wait)

    def before_send(self, **_: Any) -> None:
        """botocore event handler; returning None lets the request go on."""
        self.acquire()
