"""Control endpoints for tests and benchmarks, under ``/_local/``.

AWS requests are ``POST /`` with an ``X-Amz-Target`` header, so this prefix cannot
collide with the API. Bodies and answers are plain JSON (``{"error": ...}`` on failure).
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.emulators.mturk.clock import Clock, iso, parse_iso
from reconciler.emulators.mturk.counters import Counters
from reconciler.emulators.mturk.faults import Faults, ScriptedFault
from reconciler.emulators.mturk.persistence import StateStore
from reconciler.emulators.mturk.protocol import Answer
from reconciler.emulators.mturk.traps import Traps
from reconciler.emulators.mturk.workers import WorkerRefused, Workers

PREFIX = "/_local/"
ENDPOINTS = (
    "GET /_local/health",
    "GET /_local/counters",
    "POST /_local/counters/reset",
    "GET /_local/clock",
    "POST /_local/clock",
    "GET /_local/faults",
    "POST /_local/faults",
    "GET /_local/state",
    "GET /_local/traps",
    "POST /_local/traps",
    "GET /_local/workers/{worker}/hits",
    "GET /_local/workers/{worker}/hits/{hit}",
    "POST /_local/workers/{worker}/hits/{hit}/accept",
    "POST /_local/workers/{worker}/assignments/{assignment}/submit",
    "POST /_local/workers/{worker}/assignments/{assignment}/return",
    "POST /_local/workers/{worker}/qualification-requests",
)


class BadRequest(Exception):
    pass


def _answer(status: int, payload: Any) -> Answer:
    return Answer(status, json.dumps(payload, indent=1).encode(), {"Content-Type": "application/json"})


def _object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:
        raise BadRequest(f"body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    return data


def _number(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"{key} must be a number")
    return float(value)


class Admin:
    def __init__(
        self, store: StateStore, clock: Clock, faults: Faults, counters: Counters, traps: Traps
    ) -> None:
        self.workers = Workers(store, clock)
        self.traps = traps
        self.store = store
        self.clock = clock
        self.faults = faults
        self.counters = counters

    def handle(self, method: str, path: str, body: bytes) -> Answer:
        route = f"{method} {path.split('?', 1)[0].rstrip('/')}"
        try:
            if route == "GET /_local/health":
                return _answer(200, {"status": "ok"})
            if route == "GET /_local/counters":
                return _answer(200, self.counters.snapshot())
            if route == "POST /_local/counters/reset":
                self.counters.reset()
                return _answer(200, {})
            if route == "GET /_local/clock":
                return _answer(200, {"now": iso(self.clock.now())})
            if route == "POST /_local/clock":
                return self._set_clock(_object(body))
            if route == "GET /_local/faults":
                return _answer(200, self.faults.to_json())
            if route == "POST /_local/faults":
                return self._set_faults(_object(body))
            if route == "GET /_local/traps":
                return _answer(200, self.traps.to_json())
            if route == "POST /_local/traps":
                return self._set_traps(_object(body))
            if route == "GET /_local/state":
                return _answer(200, self.store.snapshot())
            if route.split(" ", 1)[1].startswith("/_local/workers/"):
                found = self._worker(method, route.split(" ", 1)[1], body)
                if found is not None:
                    return found
        except BadRequest as exc:
            return _answer(400, {"error": str(exc)})
        except WorkerRefused as exc:
            return _answer(exc.status, {"error": str(exc)})
        return _answer(404, {"error": f"no such endpoint: {route}", "endpoints": list(ENDPOINTS)})

    def _set_clock(self, data: dict[str, Any]) -> Answer:
        """``{"now": ISO}`` sets the time; ``{"advance_seconds": n}`` moves it."""
        if "now" in data:
            try:
                self.clock.set(parse_iso(str(data["now"])))
            except ValueError:
                raise BadRequest(f"now must be an ISO 8601 time, got {data['now']!r}") from None
        advance = _number(data, "advance_seconds")
        if advance is not None:
            self.clock.advance(advance)
        if "now" not in data and advance is None:
            raise BadRequest('expected {"now": "2026-01-05T12:00:00Z"} or {"advance_seconds": 60}')
        return _answer(200, {"now": iso(self.clock.now())})

    def _set_faults(self, data: dict[str, Any]) -> Answer:
        """Change the fault settings given; ``scripted`` replaces, ``add_scripted`` appends."""
        known = {"latency_ms", "rate_limit", "fail_rate", "fault_seed", "scripted", "add_scripted"}
        unknown = set(data) - known
        if unknown:
            raise BadRequest(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        try:
            scripted = None
            if "scripted" in data:
                scripted = [ScriptedFault.from_json(item) for item in data["scripted"]]
            added = [ScriptedFault.from_json(item) for item in data.get("add_scripted", [])]
            seed = data.get("fault_seed")
            if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
                raise BadRequest("fault_seed must be an integer")
            # null or 0 removes the rate limit; an absent key keeps it.
            rate = (_number(data, "rate_limit") or 0.0) if "rate_limit" in data else None
            self.faults.configure(
                latency_ms=_number(data, "latency_ms"),
                rate_limit=rate,
                fail_rate=_number(data, "fail_rate"),
                fault_seed=seed,
                scripted=scripted,
            )
        except (TypeError, ValueError) as exc:
            raise BadRequest(str(exc)) from None
        for fault in added:
            self.faults.add_scripted(fault)
        return _answer(200, self.faults.to_json())

    def _set_traps(self, data: dict[str, Any]) -> Answer:
        """Turn traps on or off; ``credentials`` ({key: secret}, or null for any key) replaces the list."""
        known = {"empty_last_page", "fill_requirement_defaults", "credentials"}
        unknown = set(data) - known
        if unknown:
            raise BadRequest(f"unknown trap(s): {', '.join(sorted(unknown))}")
        for flag in ("empty_last_page", "fill_requirement_defaults"):
            if flag in data:
                if not isinstance(data[flag], bool):
                    raise BadRequest(f"{flag} must be true or false")
                setattr(self.traps, flag, data[flag])
        if "credentials" in data:
            credentials = data["credentials"]
            if credentials is not None and not (
                isinstance(credentials, dict) and all(isinstance(v, str) for v in credentials.values())
            ):
                raise BadRequest('credentials must be {"ACCESS_KEY_ID": "secret", ...} or null')
            self.traps.credentials = dict(credentials) if credentials is not None else None
        return _answer(200, self.traps.to_json())

    def _worker(self, method: str, path: str, body: bytes) -> Answer | None:
        """A simulated worker's action; None when the path is no worker endpoint."""
        parts = path[len("/_local/workers/") :].split("/")
        worker, rest = parts[0], parts[1:]
        if not worker:
            return None
        if method == "GET" and rest == ["hits"]:
            return _answer(200, {"hits": self.workers.discover(worker)})
        if method == "GET" and len(rest) == 2 and rest[0] == "hits":
            return _answer(200, self.workers.preview(worker, rest[1]))
        if method == "POST" and len(rest) == 3 and rest[0] == "hits" and rest[2] == "accept":
            return _answer(200, self.workers.accept(worker, rest[1]))
        if method == "POST" and len(rest) == 3 and rest[0] == "assignments" and rest[2] == "submit":
            answer = _object(body).get("answer")
            if answer is not None and not isinstance(answer, str):
                raise BadRequest("answer must be a QuestionFormAnswers XML string")
            return _answer(200, self.workers.submit(worker, rest[1], answer))
        if method == "POST" and len(rest) == 3 and rest[0] == "assignments" and rest[2] == "return":
            return _answer(200, self.workers.give_back(worker, rest[1]))
        if method == "POST" and rest == ["qualification-requests"]:
            type_id = _object(body).get("qualification_type_id")
            if not isinstance(type_id, str):
                raise BadRequest('expected {"qualification_type_id": "..."}')
            return _answer(200, self.workers.request_qualification(worker, type_id))
        return None
