"""Injected faults for tests and benchmarks: latency, a rate limit, random and scripted errors.

Random faults come from one ``random.Random(fault_seed)``, so a sequential client sees
the same faults on the same calls on every run (with concurrent clients the order in
which requests draw from it, and so which ones fail, depends on scheduling).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from reconciler.emulators.mturk.errors import ApiError, service_fault, throttling


class TokenBucket:
    """``rate`` tokens per second, holding at most ``burst`` (default: one second's worth)."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate limit must be positive")
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate)
        self._tokens = self.capacity
        self._last = time.monotonic()

    def take(self) -> bool:
        """Whether a request may proceed now (callers serialise access)."""
        now = time.monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


@dataclass
class ScriptedFault:
    """Fail calls ``nth`` .. ``nth + count - 1`` (1-based) of ``operation``, counted from when set.

    ``error`` is the ``__type`` to answer with: ``ServiceFault`` (HTTP 500),
    ``ThrottlingException`` or any other code (HTTP ``status``, default 400, with
    ``turk_error_code`` when given).
    """

    operation: str
    nth: int = 1
    count: int = 1
    error: str = "ServiceFault"
    message: str | None = None
    turk_error_code: str | None = None
    status: int | None = None
    seen: int = field(default=0, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScriptedFault:
        allowed = {"operation", "nth", "count", "error", "message", "turk_error_code", "status"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown scripted fault field(s): {', '.join(sorted(unknown))}")
        if "operation" not in data:
            raise ValueError("a scripted fault needs an 'operation'")
        fault = cls(**data)
        if fault.nth < 1 or fault.count < 1:
            raise ValueError("'nth' and 'count' must be at least 1")
        return fault

    @classmethod
    def parse(cls, text: str) -> ScriptedFault:
        """``OPERATION:K[:N[:ERROR]]``, the command-line form."""
        parts = text.split(":")
        if not 2 <= len(parts) <= 4 or not parts[0]:
            raise ValueError(f"expected OPERATION:K[:N[:ERROR]], got {text!r}")
        try:
            nth = int(parts[1])
            count = int(parts[2]) if len(parts) > 2 and parts[2] else 1
        except ValueError:
            raise ValueError(f"K and N must be integers in {text!r}") from None
        error = parts[3] if len(parts) > 3 and parts[3] else "ServiceFault"
        return cls.from_json({"operation": parts[0], "nth": nth, "count": count, "error": error})

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "nth": self.nth,
            "count": self.count,
            "error": self.error,
            "message": self.message,
            "turk_error_code": self.turk_error_code,
            "status": self.status,
            "seen": self.seen,
        }

    def to_error(self) -> ApiError:
        if self.error == "ServiceFault":
            fault = service_fault(self.message or "Injected ServiceFault (local MTurk scripted fault).")
            if self.status is not None:
                fault.status = self.status
            return fault
        if self.error == "ThrottlingException" and self.message is None:
            return throttling()
        return ApiError(
            self.error,
            self.message or f"Injected {self.error} (local MTurk scripted fault).",
            status=self.status or 400,
            turk_error_code=self.turk_error_code,
        )


class Faults:
    """The fault settings of one emulator; every method is thread-safe."""

    def __init__(
        self,
        *,
        latency_ms: float = 0.0,
        rate_limit: float | None = None,
        fail_rate: float = 0.0,
        fault_seed: int = 0,
    ) -> None:
        self._lock = threading.Lock()
        self.latency_ms = 0.0
        self.bucket: TokenBucket | None = None
        self.fail_rate = 0.0
        self.fault_seed = fault_seed
        self._random = random.Random(fault_seed)  # noqa: S311 - reproducible faults, not crypto
        self.scripted: list[ScriptedFault] = []
        self.configure(latency_ms=latency_ms, rate_limit=rate_limit or 0.0, fail_rate=fail_rate)

    def configure(
        self,
        *,
        latency_ms: float | None = None,
        rate_limit: float | None = None,
        fail_rate: float | None = None,
        fault_seed: int | None = None,
        scripted: list[ScriptedFault] | None = None,
    ) -> None:
        """Change the settings that are not None; ``rate_limit=0`` removes the rate limit."""
        if latency_ms is not None and latency_ms < 0:
            raise ValueError("latency_ms must be >= 0")
        if fail_rate is not None and not 0.0 <= fail_rate <= 1.0:
            raise ValueError("fail_rate must be between 0 and 1")
        if rate_limit is not None and rate_limit < 0:
            raise ValueError("rate_limit must be >= 0 (0 removes the limit)")
        with self._lock:
            if latency_ms is not None:
                self.latency_ms = latency_ms
            if rate_limit is not None:
                self.bucket = TokenBucket(float(rate_limit)) if rate_limit > 0 else None
            if fail_rate is not None:
                self.fail_rate = fail_rate
            if fault_seed is not None:
                self.fault_seed = fault_seed
                self._random = random.Random(fault_seed)  # noqa: S311
            if scripted is not None:
                self.scripted = list(scripted)

    def add_scripted(self, fault: ScriptedFault) -> None:
        with self._lock:
            self.scripted.append(fault)

    def delay(self) -> None:
        """Sleep the configured latency (every request, whatever its outcome)."""
        latency = self.latency_ms
        if latency > 0:
            time.sleep(latency / 1000.0)

    def check(self, operation: str) -> ApiError | None:
        """The fault, if any, this call of ``operation`` meets: throttling, scripted, random.

        Throttled calls do not count toward a scripted fault's ``nth``.
        """
        with self._lock:
            if self.bucket is not None and not self.bucket.take():
                return throttling()
            hit: ScriptedFault | None = None
            for fault in self.scripted:
                if fault.operation == operation:
                    fault.seen += 1  # every matching script counts the call, even if another fires
                    if hit is None and fault.nth <= fault.seen < fault.nth + fault.count:
                        hit = fault
            if hit is not None:
                return hit.to_error()
            if self.fail_rate > 0 and self._random.random() < self.fail_rate:
                return service_fault()
        return None

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "latency_ms": self.latency_ms,
                "rate_limit": self.bucket.rate if self.bucket is not None else None,
                "fail_rate": self.fail_rate,
                "fault_seed": self.fault_seed,
                "scripted": [fault.to_json() for fault in self.scripted],
            }
