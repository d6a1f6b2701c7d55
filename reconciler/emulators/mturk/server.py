"""The HTTP transport: a threaded HTTP/1.1 server routing to the AWS protocol or the admin API.

HTTP/1.1 with a Content-Length on every answer lets boto3's connection pool keep
connections alive. Each answer goes out in one buffered write with TCP_NODELAY, so
Nagle's algorithm and delayed ACKs cannot add tens of milliseconds per request.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from reconciler.emulators.mturk.admin import PREFIX, Admin
from reconciler.emulators.mturk.protocol import Answer, Protocol

MAX_BODY = 16 * 1024 * 1024  # no MTurk request comes near this


class LocalServer(ThreadingHTTPServer):
    """Serves each connection on a daemon thread."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], protocol: Protocol, admin: Admin) -> None:
        self.protocol = protocol
        self.admin = admin
        # Open keep-alive connections, so that stopping can close them: otherwise a pooled
        # client connection could still be served by its thread after the state was flushed.
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def close_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "LocalMTurk"
    sys_version = ""
    wbufsize = 64 * 1024  # buffer the answer; BaseHTTPRequestHandler flushes it once
    server: LocalServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a benchmark makes thousands of requests."""

    def _body(self) -> bytes | None:
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return b""
        try:
            length = int(length_header)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._send(Answer(400, b'{"message":"Bad Content-Length"}', {"Content-Type": "application/json"}))
            self.close_connection = True
            return None
        return self.rfile.read(length)

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def do_POST(self) -> None:
        body = self._body()
        if body is None:
            return
        if self.path.startswith(PREFIX):
            self._send(self.server.admin.handle("POST", self.path, body))
        else:
            # Every other POST is an AWS request (the path of an AWS JSON request is "/").
            headers = {name.lower(): value for name, value in self.headers.items()}
            self._send(self.server.protocol.handle(headers, body, self.path))

    def do_GET(self) -> None:
        body = self._body()
        if body is None:
            return
        if self.path.startswith(PREFIX):
            self._send(self.server.admin.handle("GET", self.path, body))
        else:
            self._send(
                Answer(
                    404,
                    b'{"__type":"com.amazon.coral.service#UnknownOperationException","message":null}',
                    {"Content-Type": "application/x-amz-json-1.1"},
                )
            )


def make_server(host: str, port: int, protocol: Protocol, admin: Admin) -> LocalServer:
    """Bind (port 0 picks a free port); call ``serve_forever`` to serve."""
    return LocalServer((host, port), protocol, admin)
