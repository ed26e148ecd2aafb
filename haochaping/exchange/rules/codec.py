"""The codec: batches of records ↔ signed requests, answers ↔ acknowledgements, the count
query of the reconciliation. Pure and symmetric: delivery and the inbound API use it on
our side, the fake remote on the other (docs/exchange.md "The codec's interface").

Refusal codes (``CodecError.code``; Chinese ``message``; ``field`` names the header or
field; ``status`` the HTTP status the inbound API answers with):

- ``exchange.unsigned``, ``exchange.unknown_key``, ``exchange.stale``,
  ``exchange.bad_signature`` (401): who sent it (``rules.wire.verify``);
- ``exchange.malformed``: not JSON, the wrong envelope, a missing or repeated
  idempotency key, too many items; ``exchange.missing_field``, ``exchange.bad_code``,
  ``exchange.bad_value`` (an item's field, ``rules.mapping``), ``exchange.decrypt_failed``;
- ``exchange.unsupported_kind``, ``exchange.no_count_endpoint``: the profile has none;
- reading an answer: ``exchange.remote_status`` (HTTP status not 2xx),
  ``exchange.remote_refused`` (the answer's result code is not a success: the whole
  request was refused, send it again later), ``exchange.malformed_answer``.

Encoding a batch refuses a record the profile cannot carry with :class:`RecordRefused`
(a CodecError naming the record's idempotency key in ``key``): delivery sets that record
aside (a dead letter: it will not map better on a retry) and sends the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson

from haochaping.exchange.rules.canonical import Ack, Kind, Record
from haochaping.exchange.rules.errors import CodecError, MappingError
from haochaping.exchange.rules.mapping import from_remote, kind_of, kind_spec, to_remote
from haochaping.exchange.rules.profile_schema import KindSpec, Profile
from haochaping.exchange.rules.signing import KeyRing, sm4_decrypt_ring, sm4_encrypt
from haochaping.exchange.rules.wire import SignedRequest, sign, verify

__all__ = [
    "Batch", "CodecError", "CountQuery", "RecordRefused", "SignedRequest", "decode_acks",
    "decode_batch", "decode_count", "decode_count_query", "encode_acks", "encode_batch",
    "encode_count", "encode_count_query", "encode_refusal", "ids_digest",
]
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class Batch:
    nonce: str
    sent_at: datetime
    items: list[tuple[str, Record]]  # (idempotency key, record)


@dataclass(frozen=True)
class CountQuery:
    """A reconciliation question: how many records of ``kind`` for ``org_code`` (every
    org when "") on ``day`` did you accept, and the digest of their keys?"""

    kind: Kind
    day: date
    org_code: str
    nonce: str
    sent_at: datetime


class RecordRefused(CodecError):
    """One record of a batch that the profile cannot carry (``key``: its idempotency key)."""

    def __init__(self, code: str, message: str, field: str | None, key: str) -> None:
        super().__init__(code, message, field)
        self.key = key


def _spec(profile: Profile, kind: Kind | str) -> KindSpec:
    try:
        return kind_spec(profile, kind)
    except MappingError as exc:
        raise CodecError(exc.code, exc.message, exc.field) from None


def _encrypted(profile: Profile, spec: KindSpec) -> list[tuple[str, ...]]:
    """The names (sent name first, then the aliases) of the fields encrypted in ``spec``."""
    return [spec.fields[p].names for p in sorted(profile.encryption.fields)
            if p in spec.fields and spec.fields[p].name]


# --- batches --------------------------------------------------------------------------


def encode_batch(profile: Profile, kind: Kind | str, items: Sequence[tuple[str, Record]], *,
                 keys: KeyRing, now: datetime, nonce: str) -> SignedRequest:
    """One signed request carrying ``items`` ((idempotency key, record) pairs, at most the
    profile's ``max_items``)."""
    spec = _spec(profile, kind)
    envelope = profile.envelope
    if not 1 <= len(items) <= envelope.max_items:
        raise ValueError(f"a batch holds 1 to {envelope.max_items} items, not {len(items)}")
    encrypted = _encrypted(profile, spec)
    sm4_key = keys.sm4.current[1] if encrypted else b""
    enc = profile.encryption
    out: list[dict[str, Any]] = []
    for key, record in items:
        try:
            if kind_of(record) is not spec.kind:
                raise MappingError("exchange.unsupported_kind", "记录类型与批次类型不符")
            item = to_remote(profile, record)
        except MappingError as exc:
            raise RecordRefused(exc.code, exc.message, exc.field, key) from None
        item[envelope.key] = key
        for names in encrypted:
            item[names[0]] = sm4_encrypt(sm4_key, item[names[0]], enc.mode, enc.encoding)
        out.append(item)
    body = out[0] if envelope.items is None else {envelope.items: out}
    return sign(profile, spec.path, body, keys=keys, now=now, nonce=nonce)


def decode_batch(profile: Profile, kind: Kind | str, headers: Mapping[str, str], body: bytes,
                 *, keys: KeyRing, now: datetime) -> Batch:
    """The records of an inbound request, after checking who sent it, when, its envelope
    and every item; CodecError (the whole request refused) otherwise."""
    spec = _spec(profile, kind)
    obj, nonce, sent_at = verify(profile, spec.path, headers, body, keys=keys, now=now)
    envelope = profile.envelope
    if not isinstance(obj, dict):
        raise CodecError("exchange.malformed", "报文应为 JSON 对象", "body")
    if envelope.items is None:
        raw_items: Any = [obj]
    else:
        raw_items = obj.get(envelope.items)
        if not isinstance(raw_items, list) or not all(isinstance(i, dict) for i in raw_items):
            raise CodecError("exchange.malformed", f"报文缺少数据列表 {envelope.items}",
                             envelope.items)
        if not 1 <= len(raw_items) <= envelope.max_items:
            raise CodecError("exchange.malformed",
                             f"每次应发送 1 到 {envelope.max_items} 条数据", envelope.items)
    encrypted = _encrypted(profile, spec)
    seen: set[str] = set()
    records: list[tuple[str, Record]] = []
    for index, item in enumerate(raw_items, start=1):
        key = item.get(envelope.key)
        if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
            raise CodecError("exchange.malformed",
                             f"第 {index} 条数据缺少有效的幂等键 {envelope.key}", envelope.key)
        if key in seen:
            raise CodecError("exchange.malformed", f"第 {index} 条数据的幂等键重复", envelope.key)
        seen.add(key)
        _decrypt(profile, keys, item, encrypted, index)
        try:
            records.append((key, from_remote(profile, spec.kind, item)))
        except MappingError as exc:
            raise CodecError(exc.code, f"第 {index} 条数据：{exc.message}", exc.field) from None
    return Batch(nonce=nonce, sent_at=sent_at, items=records)


def _decrypt(profile: Profile, keys: KeyRing, item: dict[str, Any],
             encrypted: list[tuple[str, ...]], index: int) -> None:
    enc = profile.encryption
    for names in encrypted:
        for name in names:
            value = item.get(name)
            if value is None or value == "":
                continue
            try:
                if not isinstance(value, str):
                    raise ValueError("not text")
                item[name] = sm4_decrypt_ring(keys.sm4, value, enc.mode, enc.encoding)
            except ValueError:
                raise CodecError("exchange.decrypt_failed",
                                 f"第 {index} 条数据的加密字段 {name} 无法解密", name) from None


# --- answers --------------------------------------------------------------------------


def encode_acks(profile: Profile, kind: Kind | str, acks: Sequence[Ack]) -> bytes:
    """A remote's answer to a batch: accepted and refused items (a refused ack needs a
    code that is not one of the profile's success codes)."""
    _spec(profile, kind)
    answer, key_name = profile.answer, profile.envelope.key
    entries: list[dict[str, str]] = []
    for ack in acks:
        if not ack.ok and (not ack.code or ack.code in answer.ok):
            raise ValueError(f"a refused ack needs a code outside {answer.ok}")
        entries.append({key_name: ack.key, answer.code: answer.ok[0] if ack.ok else ack.code,
                        answer.message: ack.message})
    if answer.items is None:
        if len(entries) != 1:
            raise ValueError("a single-item profile answers for exactly one item")
        return orjson.dumps(entries[0])
    return orjson.dumps({answer.code: answer.ok[0], answer.message: "",
                         answer.items: entries})


def encode_refusal(profile: Profile, code: str, message: str) -> bytes:
    """The answer refusing a whole request (for the inbound API and the fake remote),
    in the profile's answer shape; ``code`` must not be a success code."""
    if code in profile.answer.ok:
        raise ValueError("a refusal needs a code that is not a success code")
    return orjson.dumps({profile.answer.code: code, profile.answer.message: message})


def _answer_obj(profile: Profile, body: bytes) -> dict[str, Any]:
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError:
        obj = None
    if not isinstance(obj, dict):
        raise CodecError("exchange.malformed_answer", "对方平台的应答不是 JSON 对象", "body")
    code = _code(obj.get(profile.answer.code))
    if code not in profile.answer.ok:
        message = str(obj.get(profile.answer.message) or "")[:200]
        raise CodecError("exchange.remote_refused",
                         f"对方平台拒收整批数据：{code or '（无结果码）'} {message}".strip(),
                         profile.answer.code)
    return obj


def _code(value: object) -> str:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


def decode_acks(profile: Profile, kind: Kind | str, status: int, body: bytes) -> list[Ack]:
    """The acknowledgements in a remote's answer. Items the answer does not list are not
    acknowledged (delivery sends them again). A single-item profile's answer is one ack
    whose key is the answer's key field, or "" (the request's one item) without it."""
    _spec(profile, kind)
    if not 200 <= status < 300:
        raise CodecError("exchange.remote_status", f"对方平台返回 HTTP {status}", "status")
    answer, key_name = profile.answer, profile.envelope.key
    obj = _answer_obj(profile, body)
    if answer.items is None:
        key = obj.get(key_name)
        return [Ack(key=key if isinstance(key, str) else "", ok=True,
                    message=str(obj.get(answer.message) or ""))]
    entries = obj.get(answer.items)
    if not isinstance(entries, list):
        raise CodecError("exchange.malformed_answer", f"应答缺少结果列表 {answer.items}",
                         answer.items)
    acks: list[Ack] = []
    for entry in entries:
        key = entry.get(key_name) if isinstance(entry, dict) else None
        if not isinstance(key, str) or not key:
            raise CodecError("exchange.malformed_answer", f"应答的结果缺少 {key_name}", key_name)
        code = _code(entry.get(answer.code))
        message = entry.get(answer.message)
        message = message if isinstance(message, str) else ""
        ok = code in answer.ok
        acks.append(Ack(key=key, ok=ok, code="" if ok else code, message=message))
    return acks


# --- reconciliation -------------------------------------------------------------------


def encode_count_query(profile: Profile, kind: Kind | str, day: date, org_code: str, *,
                       keys: KeyRing, now: datetime, nonce: str) -> SignedRequest:
    count = profile.count
    if count is None:
        raise CodecError("exchange.no_count_endpoint", f"对接规范 {profile.name} 没有对账接口")
    spec = _spec(profile, kind)
    body = {count.kind: count.kind_codes[spec.kind], count.day: day.strftime(count.day_format),
            count.org_code: org_code}
    return sign(profile, count.path, body, keys=keys, now=now, nonce=nonce)


def decode_count_query(profile: Profile, headers: Mapping[str, str], body: bytes, *,
                       keys: KeyRing, now: datetime) -> CountQuery:
    count = profile.count
    if count is None:
        raise CodecError("exchange.no_count_endpoint", f"对接规范 {profile.name} 没有对账接口")
    obj, nonce, sent_at = verify(profile, count.path, headers, body, keys=keys, now=now)
    if not isinstance(obj, dict):
        raise CodecError("exchange.malformed", "报文应为 JSON 对象", "body")
    code = _code(obj.get(count.kind))
    kinds = [k for k, c in count.kind_codes.items() if c == code]
    if not kinds:
        raise CodecError("exchange.bad_code", f"字段 {count.kind} 的类型代码 “{code}” 无效",
                         count.kind)
    raw_day, org_code = obj.get(count.day), obj.get(count.org_code, "")
    try:
        day = datetime.strptime(str(raw_day), count.day_format).date()
    except ValueError:
        raise CodecError("exchange.bad_value", f"字段 {count.day} 的日期无效", count.day) \
            from None
    if not isinstance(org_code, str):
        raise CodecError("exchange.bad_value", f"字段 {count.org_code} 应为字符串", count.org_code)
    return CountQuery(kind=kinds[0], day=day, org_code=org_code, nonce=nonce, sent_at=sent_at)


def encode_count(profile: Profile, count: int, digest: str) -> bytes:
    spec = profile.count
    if spec is None:
        raise CodecError("exchange.no_count_endpoint", f"对接规范 {profile.name} 没有对账接口")
    return orjson.dumps({profile.answer.code: profile.answer.ok[0], profile.answer.message: "",
                         spec.count: count, spec.digest: digest})


def decode_count(profile: Profile, body: bytes) -> tuple[int, str]:
    spec = profile.count
    if spec is None:
        raise CodecError("exchange.no_count_endpoint", f"对接规范 {profile.name} 没有对账接口")
    obj = _answer_obj(profile, body)
    count, digest = obj.get(spec.count), obj.get(spec.digest)
    if isinstance(count, str) and count.isascii() and count.isdigit():
        count = int(count)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise CodecError("exchange.malformed_answer", f"应答的 {spec.count} 应为非负整数",
                         spec.count)
    if not isinstance(digest, str) or len(digest) != 64 \
            or not all(c in "0123456789abcdefABCDEF" for c in digest):
        raise CodecError("exchange.malformed_answer", f"应答的 {spec.digest} 应为 64 位十六进制",
                         spec.digest)
    return count, digest.lower()


def ids_digest(keys: Iterable[str]) -> str:
    """对账: SHA-256 (hex) over the sorted idempotency keys joined by ``\\n`` (UTF-8)."""
    return hashlib.sha256("\n".join(sorted(keys)).encode("utf-8")).hexdigest()

