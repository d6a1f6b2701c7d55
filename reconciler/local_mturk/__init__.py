"""The local MTurk: an emulator of the MTurk requester API over HTTP.

Real clients (boto3, the AWS CLI) talk to it exactly as to AWS; it is driven by
botocore's own model of the service. See docs/local-mturk.md.

Modules, one job each: ``model`` (botocore's model: validation, output shaping),
``protocol`` (AWS JSON 1.1 requests and errors), ``server`` (HTTP), ``admin`` (the
``/_local/`` control endpoints), ``operations`` (MTurk's semantics), ``state`` and
``persistence`` (the data and its files), ``seed``, ``faults``, ``counters``, ``clock``,
and ``emulator`` (``LocalMTurk``, tying them together).
"""

from reconciler.local_mturk.emulator import LocalMTurk
from reconciler.local_mturk.faults import ScriptedFault
from reconciler.local_mturk.persistence import StateError
from reconciler.local_mturk.seed import SeedError

__all__ = ["LocalMTurk", "ScriptedFault", "SeedError", "StateError"]
