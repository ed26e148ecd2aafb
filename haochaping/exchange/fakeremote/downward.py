"""``POST /_send``: the fake remote sends records down to us, signed with its own keys
(``encode_batch``), the way the province forwards ratings made on its app and complaints.

The control call names where and what::

    {"url": "http://127.0.0.1:8000/api/v1/exchange/in/prov",   # the profile's paths go under it
     "kind": "complaint",                                      # or "rating", …
     "count": 2, "start": 1, "set": {"org_code": "…", "proj_no": "…"},   # sample records
     "items": [{…}, …],          # or: items in the profile's own field names (with its key)
     "replay": false,            # also send each request again, byte for byte (same nonce)
     "timeout": 10}

Each batch (at most the profile's ``max_items``) is one request; with the script's
``duplicate_rate`` a batch is sent a second time under a new nonce (the same keys). The
answer lists every request's HTTP status and the acknowledgements read from it.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from haochaping.exchange.fakeremote.behaviour import ControlError
from haochaping.exchange.kit_http import send_signed
from haochaping.exchange.rules.canonical import KIND_LABELS, Kind, Record
from haochaping.exchange.rules.codec import CodecError, decode_acks, encode_batch
from haochaping.exchange.rules.errors import MappingError
from haochaping.exchange.rules.mapping import from_remote
from haochaping.exchange.rules.profile_schema import Profile
from haochaping.exchange.samples import sample_records

if TYPE_CHECKING:
    from haochaping.exchange.fakeremote.app import FakeRemote

MAX_RECORDS = 10_000


def _kind(profile: Profile, data: dict[str, Any]) -> Kind:
    try:
        kind = Kind(str(data.get("kind")))
    except ValueError:
        raise ControlError("kind 应为 handling、rating、result 或 complaint", "kind") from None
    if profile.kind(kind) is None:
        raise ControlError(f"对接规范 {profile.name} 不交换 {kind.value}", "kind")
    return kind


def _changes(data: dict[str, Any], kind: Kind, profile: Profile,
             at: datetime) -> dict[str, Any]:
    raw = data.get("set") or {}
    if not isinstance(raw, dict):
        raise ControlError("set 应为 {字段: 值}", "set")
    sample = sample_records(profile, kind, 1, at=at)[0][1]
    known = {f.name for f in fields(sample)}
    changes: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in known or not isinstance(value, str | int | bool | None):
            raise ControlError(f"set 中的字段 {name} 不存在或值无效", "set")
        if isinstance(getattr(sample, name), datetime) and isinstance(value, str):
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ControlError(f"set 中的时间 {name} 应带时区", "set")
        changes[name] = value
    return changes


def _records(remote: FakeRemote, kind: Kind, data: dict[str, Any]) -> list[tuple[str, Record]]:
    profile = remote.profile
    items = data.get("items")
    if items is not None:
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) \
                or not 1 <= len(items) <= MAX_RECORDS:
            raise ControlError(f"items 应为 1 到 {MAX_RECORDS} 个对象", "items")
        out = []
        for index, item in enumerate(items, start=1):
            key = item.get(profile.envelope.key)
            if not isinstance(key, str) or not key:
                raise ControlError(f"第 {index} 项缺少幂等键 {profile.envelope.key}", "items")
            try:
                out.append((key, from_remote(profile, kind, item)))
            except MappingError as exc:
                raise ControlError(f"第 {index} 项：{exc.message}", "items") from None
        return out
    count, start = data.get("count", 1), data.get("start", 1)
    if not isinstance(count, int) or not 1 <= count <= MAX_RECORDS:
        raise ControlError(f"count 应为 1 到 {MAX_RECORDS}", "count")
    if not isinstance(start, int) or start < 1:
        raise ControlError("start 应为正整数", "start")
    at = remote.now()
    try:
        return sample_records(profile, kind, count, at=at, start=start,
                              changes=_changes(data, kind, profile, at))
    except (TypeError, ValueError) as exc:
        raise ControlError(f"无法生成样例记录：{exc}", "set") from None


def _post(remote: FakeRemote, url: str, kind: Kind, request: Any,
          timeout: float) -> dict[str, Any]:
    answer = send_signed(url, request, timeout)
    out: dict[str, Any] = {"status": answer.status, "body": answer.text(500)}
    if answer.status == 0:
        out.update(error="exchange.transport", message=answer.error)
        return out
    try:
        out["acks"] = [asdict(a) for a in decode_acks(remote.profile, kind, answer.status,
                                                      answer.body)]
    except CodecError as exc:
        out.update(error=exc.code, message=exc.message)
    return out


def send_down(remote: FakeRemote, data: object) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ControlError("指令应为 JSON 对象", "body")
    url = data.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ControlError("url 应为 http:// 或 https:// 地址", "url")
    timeout = data.get("timeout", 10)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ControlError("timeout 应为正数（秒）", "timeout")
    profile = remote.profile
    kind = _kind(profile, data)
    records = _records(remote, kind, data)
    size = profile.envelope.max_items
    outcomes: list[dict[str, Any]] = []
    for begin in range(0, len(records), size):
        chunk = records[begin:begin + size]
        with remote.lock:
            rate = remote.behaviour.duplicate_rate
            twice = bool(rate) and remote.rng.random() < rate
        try:
            request = encode_batch(profile, kind, chunk, keys=remote.keys, now=remote.now(),
                                   nonce=uuid.uuid4().hex)
        except CodecError as exc:
            raise ControlError(f"记录无法按对接规范编码：{exc.code} {exc.message}",
                               "items") from None
        outcomes.append(_post(remote, url, kind, request, timeout))
        if data.get("replay") is True:
            outcomes.append(_post(remote, url, kind, request, timeout))
        if twice:
            again = encode_batch(profile, kind, chunk, keys=remote.keys, now=remote.now(),
                                 nonce=uuid.uuid4().hex)
            outcomes.append(_post(remote, url, kind, again, timeout))
    keys = [key for key, _ in records]
    with remote.lock:
        remote.store.sent_down.append({"url": url, "kind": kind.value, "keys": keys})
    remote.log(f"向下发送{KIND_LABELS[kind]} {len(keys)} 条到 {url}："
               + "、".join(str(o["status"]) for o in outcomes))
    return {"kind": kind.value, "keys": keys, "requests": outcomes}
