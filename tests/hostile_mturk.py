"""A misbehaving MTurk: an HTTP proxy in front of the local MTurk that spoils chosen answers.

The command line talks to it over HTTP exactly as to MTurk. Each rule sees one answer of one
operation (its request, status and JSON body) and returns what to send instead: a changed body,
bytes that are not JSON, or ``CUT`` to close the connection half-way through the answer.
Rules are plain functions, so every fault is deterministic.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

CUT = object()  # close the connection after half the answer


@dataclass
class Exchange:
    """One answer as the local MTurk gave it, for a rule to spoil."""

    operation: str
    request: dict[str, Any]
    headers: dict[str, str]
    status: int
    body: Any  # the parsed JSON answer
    nth: int  # 1-based count of this operation's calls through the proxy


# A rule returns None (pass the answer on), a new body (JSON-able, sent as HTTP 200), bytes (sent
# with the original status), (status, body) for an error answer, or CUT.
Rule = Callable[[Exchange], Any]


@dataclass
class Hostile:
    upstream: str
    rules: dict[str, Rule] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    spoiled: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(hostile: Hostile) -> type[BaseHTTPRequestHandler]:
    target = urlsplit(hostile.upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            operation = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
            connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            connection.request("POST", "/", body=body, headers=headers)
            answer = connection.getresponse()
            status, payload = answer.status, answer.read()
            connection.close()
            with hostile.lock:
                hostile.calls[operation] += 1
                nth = hostile.calls[operation]
            rule = hostile.rules.get(operation)
            result = None
            if rule is not None:
                exchange = Exchange(
                    operation, json.loads(body or b"{}"), dict(self.headers), status, json.loads(payload), nth
                )
                result = rule(exchange)
            if result is not None:
                with hostile.lock:
                    hostile.spoiled[operation] += 1
            if result is CUT:
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if isinstance(result, bytes):
                payload = result
            elif isinstance(result, tuple):  # (status, body): an error answer
                status, payload = result[0], json.dumps(result[1]).encode()
            elif result is not None:  # a body of the rule's making: a successful answer
                status, payload = 200, json.dumps(result, default=str).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@contextmanager
def hostile_mturk(upstream: str, rules: dict[str, Rule]) -> Iterator[tuple[str, Hostile]]:
    """The proxy's endpoint URL and its record of calls, for the duration of the block."""
    hostile = Hostile(upstream, dict(rules))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hostile))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hostile
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def for_calls(first: int, count: int, spoil: Rule) -> Rule:
    """Spoil only calls ``first`` .. ``first + count - 1`` of the operation."""

    def rule(exchange: Exchange) -> Any:
        return spoil(exchange) if first <= exchange.nth < first + count else None

    return rule
