"""Runs an operation's handler atomically under the store's lock and journals its changes."""

from __future__ import annotations

from typing import Any

from reconciler.emulators.mturk import account, hit_lifecycle, operations, qualification_requests
from reconciler.emulators.mturk.clock import Clock
from reconciler.emulators.mturk.errors import unsupported_operation
from reconciler.emulators.mturk.operations import Context, Handler
from reconciler.emulators.mturk.persistence import StateStore
from reconciler.emulators.mturk.traps import Traps

HANDLERS: dict[str, Handler] = {
    **operations.HANDLERS,
    **hit_lifecycle.HANDLERS,
    **account.HANDLERS,
    **qualification_requests.HANDLERS,
}


class Operations:
    """Answers requester operations; every handler sees a consistent state and journals its records."""

    def __init__(self, store: StateStore, clock: Clock, traps: Traps) -> None:
        self.store = store
        self.clock = clock
        self.traps = traps

    def call(self, operation: str, access_key_id: str, params: dict[str, Any]) -> dict[str, Any]:
        handler = HANDLERS.get(operation)
        if handler is None:
            raise unsupported_operation(operation)
        with self.store.lock:
            state = self.store.state
            ctx = Context(
                state=state,
                requester=state.requester_for(access_key_id),
                now=self.clock.now(),
                traps=self.traps,
            )
            result = handler(ctx, params)
            self.store.log(ctx.records)  # journalled before the answer leaves the server
        return result
