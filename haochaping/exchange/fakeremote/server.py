"""The fake remote's HTTP plumbing: the stdlib ``ThreadingHTTPServer`` (one thread per
connection, HTTP/1.1 keep-alive) in front of ``app.FakeRemote``.

``serve`` listens until the process ends. Down "refuse" closes the listening socket (new
connections are refused, as from a platform that is off) and opens it again on the same
port after the outage; every other misbehaviour is an answer (or a reset) from ``app``.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from haochaping.exchange.fakeremote.app import FakeRemote, Reply

MAX_BODY = 32 * 1024 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256


def _handler(app: FakeRemote) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "haochaping-fake-remote"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def _serve(self, method: str) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY:
                self._write(Reply(413, b'{"error": "body too large"}'))
                self.close_connection = True
                return
            body = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            reply = app.respond(method, url.path, parse_qs(url.query),
                                dict(self.headers.items()), body)
            if reply.reset:  # an RST instead of an answer: a remote falling over
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            if reply.hangup:
                self.close_connection = True
                return
            if reply.before is not None:
                reply.before()
            self._write(reply)

        def _write(self, reply: Reply) -> None:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            self.wfile.flush()

    return Handler


def _announce(port_file: Path | None, port: int) -> None:
    if port_file is None:
        return
    partial = port_file.with_name(port_file.name + ".part")
    partial.write_text(str(port), encoding="ascii")
    os.replace(partial, port_file)  # readers never see half a number


def serve(app: FakeRemote, host: str, port: int, *, port_file: Path | None = None,
          ready: Callable[[int], None] | None = None) -> None:
    """Listen on ``host:port`` (0: any free port, written to ``port_file`` once listening)
    and answer until the process ends."""
    handler = _handler(app)
    pause: list[float] = []
    first = True
    while True:
        server = _Server((host, port), handler)
        port = server.server_address[1]

        def refuse(seconds: float, server: _Server = server) -> None:
            # In the control call's thread, before its answer: once it is answered, no
            # new connection is accepted (the answer travels on an accepted one).
            pause.append(seconds)
            server.shutdown()
            server.socket.close()

        app.on_refuse = refuse
        if first:
            first = False
            _announce(port_file, port)
            if ready is not None:
                ready(port)
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()
        if not pause:
            return
        app.log(f"停止监听 {pause[0]:.0f} 秒（模拟平台宕机，连接被拒绝）")
        time.sleep(pause.pop())
        app.log("恢复监听")
