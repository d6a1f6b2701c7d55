"""``LocalMTurk``: the emulator as one object the rest of the project starts and stops."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from reconciler.emulators.mturk.admin import Admin
from reconciler.emulators.mturk.clock import Clock
from reconciler.emulators.mturk.counters import Counters
from reconciler.emulators.mturk.dispatch import Operations
from reconciler.emulators.mturk.faults import Faults, ScriptedFault
from reconciler.emulators.mturk.persistence import StateStore
from reconciler.emulators.mturk.protocol import Protocol
from reconciler.emulators.mturk.seed import load_seed, merge_seed
from reconciler.emulators.mturk.server import LocalServer, make_server
from reconciler.emulators.mturk.traps import Traps


class LocalMTurk:
    """An emulator of the MTurk requester API, served over HTTP on a background thread.

    ``state_path=None`` keeps the state in memory only. The seed is read (and checked,
    raising ``SeedError``) here, and merged into the state by ``start``.
    """

    def __init__(
        self,
        *,
        state_path: Path | None = None,
        seed_path: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: float = 0.0,
        rate_limit: float | None = None,
        fail_rate: float = 0.0,
        fault_seed: int = 0,
        clock: datetime | None = None,
        type_search_lag: float = 0.0,
        empty_last_page: bool = False,
        fill_requirement_defaults: bool = False,
        credentials: dict[str, str] | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._seed = load_seed(seed_path) if seed_path is not None else None
        self.clock = Clock(clock)
        self.faults = Faults(
            latency_ms=latency_ms, rate_limit=rate_limit, fail_rate=fail_rate, fault_seed=fault_seed
        )
        self._counters = Counters()
        self.store = StateStore(state_path)
        # The real service's traps (see ``traps``): off unless asked for.
        self.traps = Traps(
            empty_last_page=empty_last_page,
            fill_requirement_defaults=fill_requirement_defaults,
            credentials=dict(credentials) if credentials is not None else None,
            type_search_lag=timedelta(seconds=type_search_lag),
        )
        operations = Operations(self.store, self.clock, self.traps)
        self._protocol = Protocol(operations, self.faults, self._counters)
        self._admin = Admin(self.store, self.clock, self.faults, self._counters, self.traps)
        self._server: LocalServer | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None

    def start(self) -> str:
        """Load the state, merge the seed, serve on a daemon thread; return the endpoint URL."""
        if self._url is not None:
            return self._url
        self.store.open()
        if self._seed is not None:
            with self.store.lock:
                self.store.log(merge_seed(self.store.state, self._seed, self.clock.now()))
        self._server = make_server(self._host, self._port, self._protocol, self._admin)
        host, port = self._server.server_address[:2]
        shown = host.decode() if isinstance(host, bytes) else str(host)
        self._url = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="local-mturk", daemon=True
        )
        self._thread.start()
        return self._url

    def stop(self) -> None:
        """Stop serving and write the state file (safe to call twice)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._url is not None:
            self.store.close()
            self._url = None

    @property
    def endpoint_url(self) -> str:
        if self._url is None:
            raise RuntimeError("the local MTurk is not running; call start() first")
        return self._url

    def counters(self) -> dict[str, dict[str, int]]:
        """``{operation: {"served": n, "throttled": n, "failed": n}}`` since start or reset."""
        return self._counters.snapshot()

    def reset_counters(self) -> None:
        self._counters.reset()

    def set_clock(self, now: datetime) -> None:
        """Move the emulator's "now"; time keeps running from there."""
        self.clock.set(now)

    def now(self) -> datetime:
        return self.clock.now()

    def set_faults(
        self,
        *,
        latency_ms: float | None = None,
        rate_limit: float | None = None,
        fail_rate: float | None = None,
        fault_seed: int | None = None,
    ) -> None:
        """Change the fault settings given (``rate_limit=0`` removes the limit)."""
        self.faults.configure(
            latency_ms=latency_ms, rate_limit=rate_limit, fail_rate=fail_rate, fault_seed=fault_seed
        )

    def add_scripted_fault(
        self,
        operation: str,
        nth: int = 1,
        count: int = 1,
        error: str = "ServiceFault",
        *,
        message: str | None = None,
        turk_error_code: str | None = None,
        status: int | None = None,
    ) -> None:
        """Fail calls ``nth``..``nth+count-1`` (1-based, counted from now) of ``operation``."""
        self.faults.add_scripted(
            ScriptedFault.from_json(
                {
                    "operation": operation,
                    "nth": nth,
                    "count": count,
                    "error": error,
                    "message": message,
                    "turk_error_code": turk_error_code,
                    "status": status,
                }
            )
        )

    def clear_scripted_faults(self) -> None:
        self.faults.configure(scripted=[])

    def take_part(self, hit_id: str, worker_id: str) -> dict[str, Any]:
        """A simulated worker accepts and submits an assignment of the HIT, as through the
        ``/_local/workers/`` endpoints (``WorkerRefused`` if MTurk would not let them)."""
        workers = self._admin.workers
        accepted = workers.accept(worker_id, hit_id)
        return workers.submit(worker_id, accepted["assignment_id"], None)

    def state(self) -> dict[str, Any]:
        """The state document, as the state file holds it."""
        return self.store.snapshot()

    def __enter__(self) -> LocalMTurk:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
