"""The fake remote's answers: every request in, one :class:`Reply` out. No HTTP plumbing
(``server``) and no database.

Protocol endpoints (the profile's upload path of each kind, its count path) go through
the script first (down, failing, slow; ``behaviour``), then the codec checks the request
(signature, key, time window, envelope, every item) and refuses a bad one with the
profile's answer carrying the codec's stable code (HTTP 401 for who sent it, 400 for what
was sent), a replayed nonce with ``exchange.replayed`` (409, as our inbound API). A good
batch is stored, de-duplicated on its idempotency keys, and acknowledged as the script
says (dropped, doubled, shuffled, refused keys).

Control endpoints (never scripted, never signed: a test harness's, on loopback):

| call | does |
| --- | --- |
| ``GET /_health`` | the profile, its paths |
| ``GET /_control``, ``POST /_control`` (JSON) | the script; a POST changes the fields it names |
| ``GET /_received`` | summary; ``?kind=rating[&offset=&limit=&fields=key,first_at]`` the records |
| ``POST /_reset`` | forget everything received and the script |
| ``POST /_forget`` (JSON) | lose some records (``{"kind": …, "keys": […]}``) |
| ``POST /_send`` (JSON) | send records down to a URL (``downward``) |
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from haochaping.exchange.fakeremote import behaviour as script
from haochaping.exchange.fakeremote.downward import send_down
from haochaping.exchange.fakeremote.store import Store
from haochaping.exchange.rules.canonical import KIND_LABELS, Ack, Kind
from haochaping.exchange.rules.codec import (
    CodecError,
    decode_batch,
    decode_count_query,
    encode_acks,
    encode_count,
    encode_refusal,
)
from haochaping.exchange.rules.profile_schema import Profile
from haochaping.exchange.rules.signing import KeyRing

REPLAYED = "exchange.replayed"  # a nonce seen before: the same request sent again
NOT_FOUND = "exchange.not_found"
MAX_LISTING = 200_000
GARBLED = b"<html><body>502 Bad Gateway</body></html>"  # what a broken proxy answers


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    reset: bool = False  # close the connection at once, without an answer (RST)
    hangup: bool = False  # close it without an answer, after storing (a lost answer)
    before: Callable[[], None] | None = None  # run before the answer is written


def json_reply(status: int, data: Any) -> Reply:
    return Reply(status, orjson.dumps(data))


def _offset_to(moment: object) -> float:
    try:
        at = datetime.fromisoformat(str(moment))
    except ValueError:
        raise script.ControlError("clock_now 应为带时区的 ISO 8601 时间", "clock_now") from None
    if at.tzinfo is None:
        raise script.ControlError("clock_now 应带时区", "clock_now")
    return (at - datetime.now(UTC)).total_seconds()


class FakeRemote:
    def __init__(self, profile: Profile, keys: KeyRing, *, store: Store, seed: int = 0,
                 log: Callable[[str], None] | None = None) -> None:
        self.profile = profile
        self.keys = keys
        self.store = store
        self.seed = seed
        self.behaviour = script.Behaviour(seed=seed)
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.down_until: float | None = None  # monotonic end of a timed outage
        self.log = log or (lambda line: None)
        # Set by the server: stop listening for this many seconds (down "refuse").
        self.on_refuse: Callable[[float], None] = lambda seconds: None
        self.paths = {spec.path: kind for kind, spec in profile.kinds.items()}
        self.count_path = profile.count.path if profile.count else None

    # --- time and the script ----------------------------------------------------------

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.behaviour.clock_offset_seconds)

    def down_active(self) -> bool:
        if not self.behaviour.down:
            return False
        return self.down_until is None or time.monotonic() < self.down_until

    def refusal(self, status: int, code: str, message: str) -> Reply:
        return Reply(status, encode_refusal(self.profile, code, message))

    # --- entry point ------------------------------------------------------------------

    def respond(self, method: str, path: str, query: dict[str, list[str]],
                headers: dict[str, str], body: bytes) -> Reply:
        if path.startswith("/_"):
            return self._control_api(method, path, query, body)
        kind = self.paths.get(path)
        if kind is None and path != self.count_path:
            return self.refusal(404, NOT_FOUND, f"没有接口 {path}")
        if method != "POST":
            return self.refusal(405, NOT_FOUND, f"接口 {path} 只接受 POST")
        with self.lock:
            fate, left = script.request_fate(self.behaviour, self.down_active(), self.rng)
            self.behaviour = replace(self.behaviour, fail_next=left)
            delay = self.behaviour.delay_ms / 1000
        if fate.reset:
            return Reply(0, reset=True)
        if delay:
            time.sleep(delay)
        if fate.status:
            self.log(f"{path}: 按控制指令返回 HTTP {fate.status}")
            return self.refusal(fate.status, str(fate.status), "对方平台暂时不可用（模拟）")
        reply = self._count(headers, body) if kind is None else self._upload(kind, headers, body)
        if fate.garble and reply.status == 200:
            self.log(f"{path}: 按控制指令返回无法解析的应答")
            return Reply(200, GARBLED)
        return reply

    # --- protocol ---------------------------------------------------------------------

    def _refused(self, exc: CodecError, what: str) -> Reply:
        with self.lock:
            self.store.refusals[exc.code] += 1
        self.log(f"拒收{what}：{exc.code} {exc.message}")
        return self.refusal(exc.status, exc.code, exc.message)

    def _replayed(self, nonce: str) -> bool:
        """Under the lock: a nonce seen before is a replay (counted as a refusal)."""
        if self.store.nonce_seen(nonce):
            self.store.refusals[REPLAYED] += 1
            return True
        return False

    def _upload(self, kind: Kind, headers: dict[str, str], body: bytes) -> Reply:
        label = KIND_LABELS[kind]
        try:
            batch = decode_batch(self.profile, kind, headers, body, keys=self.keys,
                                 now=self.now())
        except CodecError as exc:
            return self._refused(exc, label)
        acks: list[Ack] = []
        with self.lock:
            b = self.behaviour
            if self._replayed(batch.nonce):
                return self.refusal(409, REPLAYED, "重复的请求（随机串已使用过）")
            self.store.requests[kind.value] += 1
            fates = script.item_fates(b, len(batch.items), self.rng)
            received_at, new = time.time(), 0
            for (key, record), (dropped, duplicated) in zip(batch.items, fates, strict=True):
                if key in b.refuse_keys:
                    acks.append(Ack(key=key, ok=False, code=b.refuse_code,
                                    message="按控制指令拒收"))
                    continue
                new += self.store.accept(kind, key, record, received_at)
                if not dropped:
                    acks += [Ack(key=key, ok=True)] * (2 if duplicated else 1)
            if b.shuffle:
                self.rng.shuffle(acks)
        self.log(f"收到{label} {len(batch.items)} 条（新 {new}），确认 {len(acks)} 条")
        if self.profile.answer.items is None:
            if not acks:  # the one item is stored, its answer lost
                return Reply(0, hangup=True)
            return Reply(200, encode_acks(self.profile, kind, acks[:1]))
        return Reply(200, encode_acks(self.profile, kind, acks))

    def _count(self, headers: dict[str, str], body: bytes) -> Reply:
        try:
            query = decode_count_query(self.profile, headers, body, keys=self.keys,
                                       now=self.now())
        except CodecError as exc:
            return self._refused(exc, "对账查询")
        with self.lock:
            if self._replayed(query.nonce):
                return self.refusal(409, REPLAYED, "重复的请求（随机串已使用过）")
            self.store.requests["count"] += 1
            count, digest = self.store.count(query.kind, query.day, query.org_code)
        self.log(f"对账查询 {KIND_LABELS[query.kind]} {query.day} "
                 f"{query.org_code or '全部机构'}：{count} 条")
        return Reply(200, encode_count(self.profile, count, digest))

    # --- control ----------------------------------------------------------------------

    def _control_api(self, method: str, path: str, query: dict[str, list[str]],
                     body: bytes) -> Reply:
        route = (method, path)
        if route == ("GET", "/_health"):
            return json_reply(200, {
                "profile": self.profile.name, "count_path": self.count_path,
                "paths": {kind.value: p for p, kind in self.paths.items()}})
        if route == ("GET", "/_control"):
            with self.lock:
                return json_reply(200, self._state())
        if route == ("GET", "/_received"):
            return self._received(query)
        if method != "POST" or path not in ("/_control", "/_reset", "/_send", "/_forget"):
            return json_reply(404, {"error": f"没有控制接口 {method} {path}"})
        try:
            data = orjson.loads(body or b"{}")
        except orjson.JSONDecodeError:
            return json_reply(400, {"error": "控制指令应为 JSON", "field": "body"})
        try:
            if path == "/_control":
                return self._control(data)
            if path == "/_reset":
                return self._reset()
            if path == "/_forget":
                return self._forget(data)
            return json_reply(200, send_down(self, data))
        except script.ControlError as exc:
            return json_reply(400, {"error": str(exc), "field": exc.field})

    def _state(self) -> dict[str, Any]:
        return {**self.behaviour.as_json(), "down_active": self.down_active()}

    def _control(self, data: object) -> Reply:
        if isinstance(data, dict) and "clock_now" in data:
            # "now is this moment" (a test travelling in time): the offset from our clock
            data = {k: v for k, v in data.items() if k != "clock_now"} | {
                "clock_offset_seconds": _offset_to(data["clock_now"])}
        with self.lock:
            updated = script.behaviour_update(self.behaviour, data,
                                              self.profile.answer.ok)
            assert isinstance(data, dict)
            if "seed" in data or data.get("reset") is True:
                self.rng = random.Random(updated.seed)
            if "down" in data or "down_seconds" in data or data.get("reset") is True:
                seconds = updated.down_seconds
                self.down_until = None if seconds is None else time.monotonic() + seconds
            self.behaviour = updated
            state = self._state()
        self.log(f"控制指令：{orjson.dumps(data).decode()}")
        if updated.down == "refuse" and "down" in data and updated.down_seconds:
            seconds = updated.down_seconds
            return Reply(200, orjson.dumps(state), before=lambda: self.on_refuse(seconds))
        return json_reply(200, state)

    def _reset(self) -> Reply:
        with self.lock:
            self.store.clear()
            self.behaviour = script.Behaviour(seed=self.seed)
            self.rng = random.Random(self.seed)
            self.down_until = None
        return json_reply(200, {"reset": True})

    def _forget(self, data: object) -> Reply:
        """``{"kind": "rating", "keys": [...]}``: the remote loses those records."""
        if not isinstance(data, dict):
            raise script.ControlError("指令应为 JSON 对象", "body")
        try:
            kind = Kind(str(data.get("kind")))
        except ValueError:
            raise script.ControlError("kind 无效", "kind") from None
        keys = data.get("keys")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise script.ControlError("keys 应为幂等键的列表", "keys")
        with self.lock:
            gone = self.store.forget(kind, keys)
        self.log(f"按控制指令丢失{KIND_LABELS[kind]} {gone} 条")
        return json_reply(200, {"forgotten": gone})

    def _received(self, query: dict[str, list[str]]) -> Reply:
        def one(name: str, default: str) -> str:
            return query.get(name, [default])[0]

        with self.lock:
            if "kind" not in query:
                return json_reply(200, self.store.summary())
            try:
                kind = Kind(one("kind", ""))
                offset = max(0, int(one("offset", "0")))
                limit = min(MAX_LISTING, max(0, int(one("limit", "1000"))))
            except ValueError:
                return json_reply(400, {"error": "kind、offset 或 limit 无效", "field": "query"})
            fields = tuple(f for f in one("fields", "").split(",") if f)
            return json_reply(200, self.store.listing(kind, offset, limit, fields))
