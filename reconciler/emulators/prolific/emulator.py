"""The local Prolific over HTTP: the endpoints the tool and a lab use, with Prolific's shapes.

Emulated: participant groups (list by workspace or project, create, get, rename, delete) and
their members (paginated list, add, remove), studies (list, get, with their filters), a study's
submissions (paginated), token authentication, 429 answers beyond a rate limit, scripted faults,
latency, and a settable clock. Not emulated: publishing studies, payments, messages, anything
a participant does (submissions come from the seed or ``add_submission``).
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from reconciler.emulators.prolific.state import SUBMISSION_STATUSES, State, is_hex_id, iso

DEFAULT_PAGE_SIZE = 100
_GROUPS = re.compile(r"^/api/v1/participant-groups/$")
_GROUP = re.compile(r"^/api/v1/participant-groups/(?P<group>[^/]+)/$")
_MEMBERS = re.compile(r"^/api/v1/participant-groups/(?P<group>[^/]+)/participants/$")
_STUDIES = re.compile(r"^/api/v1/studies/$")
_STUDY = re.compile(r"^/api/v1/studies/(?P<study>[^/]+)/$")
_SUBMISSIONS = re.compile(r"^/api/v1/studies/(?P<study>[^/]+)/submissions/$")


@dataclass
class ScriptedFault:
    """Answer ``status`` to calls ``nth`` .. ``nth + count - 1`` of ``route`` (e.g. ``POST members``)."""

    route: str
    nth: int = 1
    count: int = 1
    status: int = 500
    seen: int = 0


class _Answer(Exception):
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _error(status: int, detail: str) -> _Answer:
    return _Answer(status, {"error": {"status": status, "detail": detail}})


class LocalProlific:
    """A local Prolific on a free port of 127.0.0.1; use as a context manager or start/stop."""

    def __init__(
        self,
        *,
        state_path: Path | None = None,
        seed_path: Path | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        rate_limit: float | None = None,
        latency: float = 0.0,
        port: int = 0,
    ) -> None:
        self.state_path = state_path
        self.state = State.load(state_path) if state_path and state_path.is_file() else State()
        if seed_path is not None:
            self.state.apply_seed(seed_path)
        self.page_size = page_size
        self.latency = latency
        self.rate_limit = rate_limit
        self._allowance = rate_limit or 0.0
        self._last = time.monotonic()
        self._faults: list[ScriptedFault] = []
        self._counters: Counter[str] = Counter()
        self.throttled = 0
        self.hidden_members = 0  # a fault: member listings leave out this many members
        self.requests: list[tuple[str, str, Any]] = []  # (method, path, JSON body) of each request
        self.queries: list[tuple[str, str, str]] = []  # (method, path, query string) of each request
        self.answers: list[tuple[str, str, int, Any]] = []  # (method, route path, status, body)
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle -----------------------------------------------------------------------------

    def start(self) -> str:
        emulator = self

        class Handler(_Handler):
            local = emulator

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self.endpoint_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self.state_path is not None:
            self.state.save(self.state_path)

    def __enter__(self) -> LocalProlific:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        assert self._server is not None, "not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # --- control, for tests and benchmarks --------------------------------------------------------

    def set_clock(self, now: datetime) -> None:
        with self.state.lock:
            self.state.clock = now

    def add_fault(self, route: str, *, nth: int = 1, count: int = 1, status: int = 500) -> None:
        with self.state.lock:
            self._faults.append(ScriptedFault(route, nth, count, status))

    def counters(self) -> dict[str, int]:
        with self.state.lock:
            return dict(self._counters)

    def reset_counters(self) -> None:
        with self.state.lock:
            self._counters.clear()
            self.throttled = 0
        self.hidden_members = 0  # a fault: member listings leave out this many members

    def add_study(
        self, study_id: str, name: str, *, status: str = "ACTIVE", filters: list[Any] | None = None
    ) -> None:
        with self.state.lock:
            self.state.studies[study_id] = {
                "id": study_id,
                "name": name,
                "internal_name": name,
                "status": status,
                "date_created": iso(self.state.now()),
                "filters": filters or [],
            }
            self.state.submissions.setdefault(study_id, [])

    def add_submission(self, study_id: str, participant_id: str, status: str = "APPROVED") -> None:
        assert status in SUBMISSION_STATUSES and is_hex_id(participant_id)
        with self.state.lock:
            self.state.submissions[study_id].append(
                {
                    "id": self.state.new_id(3),
                    "participant_id": participant_id,
                    "status": status,
                    "started_at": iso(self.state.now()),
                    "completed_at": None,
                    "has_siblings": False,
                }
            )

    def set_study_status(self, study_id: str, status: str) -> None:
        with self.state.lock:
            self.state.studies[study_id]["status"] = status

    def create_group(self, workspace_id: str, name: str, members: Sequence[str] = ()) -> str:
        with self.state.lock:
            group_id = self.state.new_id(1)
            self.state.groups[group_id] = _new_group(group_id, workspace_id, name, None)
            self.state.members[group_id] = {member: iso(self.state.now()) for member in members}
            return group_id

    def add_members(self, group_id: str, members: Sequence[str]) -> None:
        """Members added outside the tool: by hand on Prolific's site, or by another script."""
        with self.state.lock:
            self.state.members[group_id].update({member: iso(self.state.now()) for member in members})

    def group_members(self, group_id: str) -> set[str]:
        with self.state.lock:
            return set(self.state.members[group_id])

    def group_named(self, name: str) -> str | None:
        with self.state.lock:
            for group_id, group in self.state.groups.items():
                if group["name"] == name and not group["is_deleted"]:
                    return group_id
            return None

    # --- serving ---------------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> _Answer:
        if self.latency:
            time.sleep(self.latency)
        url = urlsplit(target)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            return _error(400, "the body is not JSON")
        route = _route_name(method, url.path)
        with self.state.lock:
            self.requests.append((method, url.path, payload))
            self.queries.append((method, url.path, url.query))
            self._counters[route] += 1
            if not self._take_token():
                self.throttled += 1
                return _Answer(
                    429, {"error": {"status": 429, "detail": "Request was throttled."}}, {"Retry-After": "0"}
                )
            for fault in self._faults:
                if fault.route == route:
                    fault.seen += 1
                    if fault.nth <= fault.seen < fault.nth + fault.count:
                        return _error(fault.status, "scripted fault")
            if not str(headers.get("Authorization", "")).startswith("Token "):
                return _error(401, "Authentication credentials were not provided.")
            try:
                answer = self._dispatch(method, url.path, query, payload)
            except _Answer as raised:
                answer = raised
            self.answers.append((method, url.path, answer.status, answer.body))
            return answer

    def _take_token(self) -> bool:
        if not self.rate_limit:
            return True
        now = time.monotonic()
        self._allowance = min(self.rate_limit, self._allowance + (now - self._last) * self.rate_limit)
        self._last = now
        if self._allowance < 1:
            return False
        self._allowance -= 1
        return True

    def _dispatch(self, method: str, path: str, query: dict[str, str], payload: Any) -> _Answer:
        state = self.state
        if match := _GROUPS.match(path):
            if method == "GET":
                return _Answer(200, {"results": self._groups(query)})
            if method == "POST":
                return self._create_group(payload)
        elif match := _GROUP.match(path):
            group_id = self._group(match["group"])
            if method == "GET":
                return _Answer(200, state.group_json(group_id))
            if method == "PATCH":
                if isinstance(payload, dict) and isinstance(payload.get("name"), str):
                    state.groups[group_id]["name"] = payload["name"]
                if isinstance(payload, dict) and isinstance(payload.get("participant_ids"), list):
                    state.members[group_id] = {p: iso(state.now()) for p in payload["participant_ids"]}
                return _Answer(200, state.group_json(group_id))
            if method == "DELETE":
                state.groups[group_id]["is_deleted"] = True
                return _Answer(204)
        elif match := _MEMBERS.match(path):
            group_id = self._group(match["group"])
            members = state.members[group_id]
            if method == "GET":
                rows = [{"participant_id": p, "datetime_created": at} for p, at in sorted(members.items())]
                return _Answer(200, self._page(path, rows[self.hidden_members :], query))
            if method in ("POST", "DELETE"):
                ids = payload.get("participant_ids") if isinstance(payload, dict) else None
                if not isinstance(ids, list) or not all(is_hex_id(p) for p in ids):
                    raise _error(400, "participant_ids must be a list of participant IDs")
                for participant in ids:
                    if method == "POST":
                        members.setdefault(participant, iso(state.now()))
                    else:
                        members.pop(participant, None)
                rows = [{"participant_id": p, "datetime_created": at} for p, at in sorted(members.items())]
                return _Answer(200, {"results": rows})
        elif _STUDIES.match(path) and method == "GET":
            return _Answer(200, {"results": [_study_short(s) for s in state.studies.values()]})
        elif (match := _STUDY.match(path)) and method == "GET":
            return _Answer(200, state.studies[self._study(match["study"])])
        elif (match := _SUBMISSIONS.match(path)) and method == "GET":
            submissions: list[dict[str, Any]] = [
                {**row, "study_code": None, "return_requested": None}
                for row in state.submissions[self._study(match["study"])]
            ]
            return _Answer(200, self._page(path, submissions, query))
        return _error(405 if any(r.match(path) for r in _ALL) else 404, "Not found.")

    def _groups(self, query: dict[str, str]) -> list[dict[str, Any]]:
        workspace, project = query.get("workspace_id"), query.get("project_id")
        if not workspace and not project:
            raise _error(400, "filter by workspace_id or project_id")
        return [
            self.state.group_json(group_id)
            for group_id, group in self.state.groups.items()
            if not group["is_deleted"]
            and (
                (workspace and group["workspace_id"] == workspace)
                or (project and group["project_id"] == project)
            )
        ]

    def _create_group(self, payload: Any) -> _Answer:
        if not isinstance(payload, dict) or not isinstance(payload.get("name"), str) or not payload["name"]:
            raise _error(400, "name is required")
        workspace = payload.get("workspace_id")
        if not isinstance(workspace, str):
            raise _error(400, "Either a workspace or organisation ID must be specified.")
        group_id = self.state.new_id(1)
        self.state.groups[group_id] = _new_group(
            group_id, workspace, payload["name"], payload.get("description")
        )
        self.state.members[group_id] = {
            p: iso(self.state.now()) for p in payload.get("participant_ids") or []
        }
        return _Answer(201, self.state.group_json(group_id))

    def _group(self, group_id: str) -> str:
        group = self.state.groups.get(group_id)
        if group is None or group["is_deleted"]:
            raise _error(404, "Not found.")
        return group_id

    def _study(self, study_id: str) -> str:
        if study_id not in self.state.studies:
            raise _error(404, "Not found.")
        return study_id

    def _page(self, path: str, rows: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
        """One page of ``rows``, with Prolific's ``_links`` and ``meta.count``."""
        try:
            page = max(1, int(query.get("page", "1")))
        except ValueError:
            raise _error(400, "page must be a number") from None
        start = (page - 1) * self.page_size
        has_next = start + self.page_size < len(rows)
        base = f"{self.endpoint_url}{path}"
        return {
            "results": rows[start : start + self.page_size],
            "_links": {
                "self": {"href": f"{base}?page={page}", "title": "Current"},
                "next": {"href": f"{base}?page={page + 1}" if has_next else None, "title": "Next"},
                "previous": {"href": f"{base}?page={page - 1}" if page > 1 else None, "title": "Previous"},
                "last": {"href": f"{base}?page={max(1, -(-len(rows) // self.page_size))}", "title": "Last"},
            },
            "meta": {"count": len(rows)},
        }


_ALL = (_GROUPS, _GROUP, _MEMBERS, _STUDIES, _STUDY, _SUBMISSIONS)


def _route_name(method: str, path: str) -> str:
    """A request's route as counters and faults name it, e.g. ``POST members``."""
    for name, pattern in (
        ("groups", _GROUPS),
        ("group", _GROUP),
        ("members", _MEMBERS),
        ("studies", _STUDIES),
        ("study", _STUDY),
        ("submissions", _SUBMISSIONS),
    ):
        if pattern.match(path):
            return f"{method} {name}"
    return f"{method} {path}"


def _new_group(group_id: str, workspace: str, name: str, description: Any) -> dict[str, Any]:
    return {
        "id": group_id,
        "name": name,
        "project_id": None,
        "workspace_id": workspace,
        "organisation_id": None,
        "description": description if isinstance(description, str) else None,
        "is_deleted": False,
        "feeder_studies": [],
    }


def _study_short(study: dict[str, Any]) -> dict[str, Any]:
    return {key: study[key] for key in ("id", "name", "internal_name", "status", "date_created", "filters")}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "LocalProlific"
    sys_version = ""
    wbufsize = 64 * 1024  # the answer goes out in one write, flushed once
    local: LocalProlific

    def setup(self) -> None:
        super().setup()
        # No Nagle: with delayed ACKs it would add tens of milliseconds to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a benchmark makes thousands of requests."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = self.local.handle(self.command, self.path, self.headers, body)
        data = b"" if answer.body is None else json.dumps(answer.body).encode()
        self.send_response(answer.status)
        for key, value in answer.headers.items():
            self.send_header(key, value)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = _serve
