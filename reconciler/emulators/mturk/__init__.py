"""The local MTurk: an emulator of the MTurk requester API over HTTP.

Real clients (boto3, the AWS CLI) talk to it exactly as to AWS; it is driven by
botocore's own model of the service. See docs/local-mturk.md.

Modules, one job each: ``model`` (botocore's model: validation, output shaping),
``protocol`` (AWS JSON 1.1 requests and errors), ``server`` (HTTP), ``admin`` (the
``/_local/`` control endpoints), ``dispatch`` (operation name to handler, atomically),
MTurk's semantics in ``operations`` (qualifications, HIT creation and listing),
``hit_lifecycle`` (a HIT after creation and its assignments), ``account`` (balance,
bonuses, messages, blocks, notification settings) and ``qualification_requests``,
``workers`` (the simulated workers), ``traps`` (the real service's traps), ``state`` and
``persistence`` (the data and its files), ``seed``, ``faults``, ``counters``, ``clock``,
and ``emulator`` (``LocalMTurk``, tying them together).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconciler.emulators.mturk.emulator import LocalMTurk
    from reconciler.emulators.mturk.faults import ScriptedFault
    from reconciler.emulators.mturk.persistence import StateError
    from reconciler.emulators.mturk.seed import SeedError

__all__ = ["LocalMTurk", "ScriptedFault", "SeedError", "StateError"]

# Loaded on first use: `validate` reads only the seed module, and must not pay for botocore.
_WHERE = {
    "LocalMTurk": "reconciler.emulators.mturk.emulator",
    "ScriptedFault": "reconciler.emulators.mturk.faults",
    "StateError": "reconciler.emulators.mturk.persistence",
    "SeedError": "reconciler.emulators.mturk.seed",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(name)
    return getattr(importlib.import_module(_WHERE[name]), name)
