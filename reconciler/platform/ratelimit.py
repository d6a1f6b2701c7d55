"""A client-side limit on requests per second, shared by every thread of one run.

botocore's adaptive retry mode slows down once MTurk throttles; this limit keeps the tool under
the rate the lab set for a target in the first place, so a large apply never starts by flooding
the API. It is hooked into botocore's ``before-send`` event, so retries count against it too.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any


class RateLimiter:
    """A token bucket: ``rate`` requests per second, bursts of at most ``burst``."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate / 10)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.capacity
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Wait until a request may be sent."""
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1 - 1e-9:  # a token, but for rounding (a wait never ends on less)
                    self._tokens -= 1
                    return
                wait = (1 - self._tokens) / self.rate
            self._sleep(wait)

    def before_send(self, **_: Any) -> None:
        """botocore event handler; returning None lets the request go on."""
        self.acquire()


# Error codes botocore's own retry logic reads as throttling (AWS services differ in spelling).
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "SlowDown",
    }
)


class ThrottleFollower:
    """Paces requests at the rate the server proves it accepts, when the lab set no rate.

    Until the first throttling answer nothing is paced. On one, the pace becomes the rate of
    successful answers over the last ``window`` seconds (what the server let through while we
    asked for more), at most once per window so a burst of throttles counts once; between
    throttles it grows by ``growth`` per second, to find out whether the server now allows more.
    botocore's adaptive mode does the same with a cubic curve that overshoots and halves, which
    left 10-25% of a server's limit unused; the measured rate lands on the limit itself.
    """

    def __init__(
        self,
        *,
        window: float = 2.0,
        growth: float = 0.01,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.window = window
        self.growth = growth
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._successes: deque[float] = deque()
        self._pace: RateLimiter | None = None
        self._paced_since = 0.0
        self._base_rate = 0.0
        self._first_answer = 0.0
        self._answered = False
        self._saturated_at = 0.0

    @property
    def rate(self) -> float | None:
        """Requests per second being paced at, or None while nothing has been throttled."""
        with self._lock:
            return self._pace.rate if self._pace else None

    def observe(self, *, throttled: bool) -> None:
        """Record one answer of the server."""
        now = self._clock()
        with self._lock:
            if not self._answered:
                self._first_answer, self._answered = now, True
            while self._successes and self._successes[0] < now - self.window:
                self._successes.popleft()
            if not throttled:
                self._successes.append(now)
                return
            if self._pace is not None and now - self._paced_since < self.window / 4:
                return  # the same burst of throttles: the rate was measured already
            if self._pace is None:
                # The first throttle: a first guess from everything so far, which counts the
                # server's burst allowance too; it is measured again on the next throttle.
                since = max(self._first_answer, now - self.window)
                self._saturated_at = now
            else:
                # From the first throttle on, the server's allowance is spent: what it accepts
                # since then (within the window) is its sustained rate.
                since = max(self._saturated_at, now - self.window)
            span = max(now - since, self.window / 8)
            accepted = sum(1 for moment in self._successes if moment > since) / span
            if accepted <= 0:
                accepted = self._pace.rate / 2 if self._pace else 1.0
            self._base_rate, self._paced_since = accepted, now
            if self._pace is None:
                self._pace = RateLimiter(accepted, clock=self._clock, sleep=self._sleep)
            else:
                # The same bucket, at the new rate: threads already waiting on it stay paced.
                self._pace.rate = accepted

    def acquire(self) -> None:
        with self._lock:
            pace = self._pace
            if pace is not None:
                pace.rate = self._base_rate * (1 + self.growth * (self._clock() - self._paced_since))
        if pace is not None:
            pace.acquire()

    # --- botocore event handlers ----------------------------------------------------------------

    def before_send(self, **_: Any) -> None:
        self.acquire()

    def needs_retry(self, response: Any = None, **_: Any) -> None:
        """Registered first on ``needs-retry``: sees every answer, decides nothing (returns None)."""
        if response is None:
            return  # a connection error: says nothing about the server's rate
        http, parsed = response
        code = (parsed or {}).get("Error", {}).get("Code", "")
        self.observe(throttled=code in THROTTLING_CODES or getattr(http, "status_code", 0) == 429)
