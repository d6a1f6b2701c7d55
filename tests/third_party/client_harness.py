"""What every third-party client runner shares: boto3 redirected to the local MTurk, the local
MTurk's worker side, and one JSON line per call tried.

Imported by the runners from their own folder (``python tests/third_party/X_calls.py URL`` puts
it first on ``sys.path``), in the client's virtual environment: it needs boto3 and the standard
library only, never the project.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3.session


def redirect_boto3(endpoint: str) -> None:
    """Send every boto3 client's requests to ``endpoint``: the clients hard-code MTurk's URLs,
    so this is the one thing changed; their own code runs as shipped. Call it before importing
    the client, in case it makes a client at import."""
    make_client = boto3.session.Session.client

    def local_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        kwargs["endpoint_url"] = endpoint
        return make_client(self, service_name, *args, **kwargs)

    boto3.session.Session.client = local_client  # type: ignore[method-assign]


class Results:
    """The calls tried, each printed as a JSON line the moment it is judged (a run that stops
    half-way still reports what it got through)."""

    def __init__(self) -> None:
        self.all: list[dict[str, Any]] = []

    def record(self, call: str, operations: str, ok: bool, detail: Any = "") -> None:
        result = {"call": call, "operations": operations, "ok": bool(ok), "detail": str(detail)}
        self.all.append(result)
        print(json.dumps(result), flush=True)

    @property
    def status(self) -> int:
        return 0 if self.all and all(result["ok"] for result in self.all) else 1


def worker(endpoint: str, worker_id: str, method: str, tail: str) -> dict[str, Any]:
    """One call of the local MTurk's worker side (``/_local/workers/...``)."""
    body = b"{}" if method == "POST" else None
    request = urllib.request.Request(
        f"{endpoint}/_local/workers/{worker_id}/{tail}", data=body, method=method
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return dict(json.loads(answer.read()))
