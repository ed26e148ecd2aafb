"""A local SMS gateway over real HTTP for the delivery tests.

It checks every request's signature (a bad one is answered 401 and counted) and answers
from a script: ``fail(n, status)`` makes the next n requests fail with ``status``,
``hang(n)`` makes them wait past the client's timeout; otherwise 200 with an id, after
``delay`` seconds (a slow gateway).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from haochaping.notify import rules


class FakeGateway:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.received: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.delay = 0.0
        self.script: deque[int | str] = deque()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/sms"

    def fail(self, times: int, status: int = 500) -> None:
        self.script.extend([status] * times)

    def hang(self, times: int = 1) -> None:
        self.script.extend(["hang"] * times)

    def start(self) -> FakeGateway:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                ok = rules.signature_valid(gateway.secret,
                                           self.headers.get(rules.TIMESTAMP_HEADER, ""),
                                           body,
                                           self.headers.get(rules.SIGNATURE_HEADER, ""),
                                           time.time())
                if not ok:
                    gateway.bad_signatures += 1
                    self._answer(401, {"error": "bad signature"})
                    return
                with gateway.lock:
                    gateway.received.append(json.loads(body))
                    step = gateway.script.popleft() if gateway.script else 200
                if step == "hang":
                    gateway.release.wait(10)
                    return
                assert isinstance(step, int)
                if step != 200:
                    self._answer(step, {"error": "scripted failure"})
                    return
                answer_id = f"gw-{len(gateway.received)}"
                time.sleep(gateway.delay)
                self._answer(200, {"id": answer_id})

        return Handler
