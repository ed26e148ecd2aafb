"""A remote platform on a real HTTP port, in a thread of the test process: it checks each
request with the codec's ``decode_batch`` (signature, time window, envelope, fields) and
answers with ``encode_acks``; a test tells it to refuse records, answer an error status
or answer garbage. (The fuller fake remote process of the conformance kit comes later.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.utils import timezone

from haochaping.exchange.rules.canonical import Ack, Kind, Record
from haochaping.exchange.rules.codec import CodecError, decode_batch, encode_acks, encode_refusal
from haochaping.exchange.rules.profiles import Profile
from haochaping.exchange.rules.signing import KeyRing


@dataclass
class Received:
    kind: Kind
    keys: list[str]
    records: list[Record]


@dataclass
class FakeRemote:
    profile: Profile
    keys: KeyRing
    status: int = 200  # answer this status (no body) instead of acks when not 200
    garbage: bool = False  # answer 200 with a body no codec reads
    whole_refusal: tuple[str, str] | None = None  # answer 200 refusing the whole request
    refuse: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (code, message)
    silent: set[str] = field(default_factory=set)  # keys left out of the acks
    requests: list[Received] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # codes of requests the codec refused
    bodies: list[bytes] = field(default_factory=list)  # every request body as it came
    url: str = ""

    def kind_of(self, path: str) -> Kind | None:
        for kind, spec in self.profile.kinds.items():
            if spec.path == path:
                return kind
        return None

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        self.bodies.append(body)
        kind = self.kind_of(path)
        if kind is None:
            return 404, b""
        try:
            batch = decode_batch(self.profile, kind, headers, body, keys=self.keys,
                                 now=timezone.now())
        except CodecError as exc:
            self.rejected.append(exc.code)
            return 400, encode_refusal(self.profile, exc.code, exc.message)
        self.requests.append(Received(kind, [key for key, _ in batch.items],
                                      [record for _, record in batch.items]))
        if self.status != 200:
            return self.status, b""
        if self.garbage:
            return 200, b"<html>gateway</html>"
        if self.whole_refusal is not None:
            return 200, encode_refusal(self.profile, *self.whole_refusal)
        acks = [Ack(key, ok=key not in self.refuse, code=self.refuse.get(key, ("", ""))[0],
                    message=self.refuse.get(key, ("", ""))[1])
                for key, _ in batch.items if key not in self.silent]
        return 200, encode_acks(self.profile, kind, acks)

    @property
    def keys_received(self) -> list[str]:
        return [key for request in self.requests for key in request.keys]


def _handler(remote: FakeRemote) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, answer = remote.answer(self.path, dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return  # quiet tests

    return Handler


@contextmanager
def running(remote: FakeRemote) -> Iterator[FakeRemote]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(remote))
    remote.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield remote
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
