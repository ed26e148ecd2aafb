"""Signed requests on the wire: the string that is signed, where the signature travels,
and the checks of an inbound request (signature, key id, time window). Pure.

The signed string is ``METHOD \\n PATH \\n TIMESTAMP \\n NONCE \\n KEY_ID \\n`` followed by
the payload. With the signature in headers the payload is the body as sent; with the
signature in the body (``carrier: body``) the four values are top-level fields of the
body and the payload is the body's canonical JSON without the signature field: keys
sorted by code point, no whitespace, UTF-8, non-ASCII characters unescaped (what
``orjson`` writes with ``OPT_SORT_KEYS``). The signature is hex or base64 as the profile
says; the timestamp epoch milliseconds or seconds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from haochaping.exchange.rules.errors import CodecError
from haochaping.exchange.rules.profile_schema import Profile
from haochaping.exchange.rules.signing import (
    KeyRing,
    decode_bytes,
    encode_bytes,
    ring_sign,
    ring_verify,
)

METHOD = "POST"
CONTENT_TYPE = "application/json; charset=utf-8"
NONCE_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
_DIGITS = re.compile(r"[0-9]{1,16}")


@dataclass(frozen=True)
class SignedRequest:
    """What to send: the transport adds nothing but the base URL."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def canonical_json(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def signing_string(path: str, timestamp: str, nonce: str, key_id: str,
                   payload: bytes) -> bytes:
    head = f"{METHOD}\n{path}\n{timestamp}\n{nonce}\n{key_id}\n"
    return head.encode("utf-8") + payload


def stamp(profile: Profile, now: datetime) -> str:
    seconds = int(now.timestamp())
    if profile.signing.timestamp_format == "epoch_seconds":
        return str(seconds)
    return str(seconds * 1000 + now.microsecond // 1000)


def _stamp_parse(profile: Profile, raw: object) -> datetime:
    text = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        raise CodecError("exchange.malformed", "时间戳格式无效", "timestamp")
    value = int(text)
    if profile.signing.timestamp_format == "epoch_seconds":
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromtimestamp(value // 1000, UTC) + timedelta(milliseconds=value % 1000)


def sign(profile: Profile, path: str, obj: dict[str, Any], *, keys: KeyRing,
         now: datetime, nonce: str) -> SignedRequest:
    """The signed request that carries ``obj`` as its JSON body."""
    if not NONCE_RE.fullmatch(nonce):
        raise ValueError("nonce: 8–64 characters of A–Z, a–z, 0–9, _ and -")
    signing = profile.signing
    timestamp = stamp(profile, now)
    headers = {"Content-Type": CONTENT_TYPE}
    if signing.carrier == "body":
        obj = {**obj, signing.timestamp: timestamp, signing.nonce: nonce}
        key_id = (keys.hmac if signing.alg == "hmac-sha256" else keys.sm2_private).current[0]
        obj[signing.key_id] = key_id
        payload = canonical_json(obj)
        _, signature = ring_sign(signing.alg, keys,
                                 signing_string(path, timestamp, nonce, key_id, payload))
        obj[signing.signature] = encode_bytes(signature, signing.encoding)
        return SignedRequest(METHOD, path, headers, canonical_json(obj))
    body = orjson.dumps(obj)
    key_id = (keys.hmac if signing.alg == "hmac-sha256" else keys.sm2_private).current[0]
    _, signature = ring_sign(signing.alg, keys,
                             signing_string(path, timestamp, nonce, key_id, body))
    headers.update({signing.timestamp: timestamp, signing.nonce: nonce,
                    signing.key_id: key_id,
                    signing.signature: encode_bytes(signature, signing.encoding)})
    return SignedRequest(METHOD, path, headers, body)


def parse_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise CodecError("exchange.malformed", "报文不是有效的 JSON（UTF-8）", "body") from None


def verify(profile: Profile, path: str, headers: Mapping[str, str], body: bytes, *,
           keys: KeyRing, now: datetime) -> tuple[Any, str, datetime]:
    """Check an inbound request: signed (``exchange.unsigned``), by a key of the ring
    (``exchange.unknown_key``), within the allowed clock skew (``exchange.stale``), the
    signature right (``exchange.bad_signature``). Returns the parsed body (the signing
    fields removed when they travel in it), the nonce and the time it was sent. The
    cheap checks come first so a flood of stale or unsigned calls costs no SM2
    verification; replay (a nonce seen before) is the caller's check."""
    signing = profile.signing
    obj: Any = None
    if signing.carrier == "body":
        obj = parse_json(body)
        if not isinstance(obj, dict):
            raise CodecError("exchange.malformed", "报文应为 JSON 对象", "body")
        found = {k: obj.get(getattr(signing, k))
                 for k in ("timestamp", "nonce", "key_id", "signature")}
        obj.pop(signing.signature, None)
    else:
        lower = {k.lower(): v for k, v in headers.items()}
        found = {k: lower.get(getattr(signing, k).lower())
                 for k in ("timestamp", "nonce", "key_id", "signature")}
    if any(v in (None, "") for v in found.values()):
        missing = [getattr(signing, k) for k, v in found.items() if v in (None, "")]
        raise CodecError("exchange.unsigned", f"报文未签名：缺少 {'、'.join(missing)}",
                         missing[0])
    nonce, key_id, signature = found["nonce"], found["key_id"], found["signature"]
    if not (isinstance(nonce, str) and isinstance(key_id, str) and isinstance(signature, str)):
        raise CodecError("exchange.malformed", "签名字段应为字符串", signing.signature)
    if not NONCE_RE.fullmatch(nonce):
        raise CodecError("exchange.malformed", "随机串（nonce）格式无效", signing.nonce)
    sent_at = _stamp_parse(profile, found["timestamp"])
    ring = keys.hmac if signing.alg == "hmac-sha256" else keys.sm2_peer_public
    if ring.get(key_id) is None:
        raise CodecError("exchange.unknown_key", f"未知的密钥编号 “{key_id[:64]}”",
                         signing.key_id)
    if abs((now - sent_at).total_seconds()) > signing.skew_seconds:
        raise CodecError("exchange.stale",
                         f"报文时间超出允许的 {signing.skew_seconds} 秒误差", signing.timestamp)
    try:
        raw_signature = decode_bytes(signature, signing.encoding)
    except ValueError:
        raise CodecError("exchange.bad_signature", "签名编码无效", signing.signature) from None
    timestamp = str(found["timestamp"])
    payload = canonical_json(obj) if signing.carrier == "body" else body
    ring_verify(signing.alg, keys, key_id,
                signing_string(path, timestamp, nonce, key_id, payload), raw_signature)
    if obj is None:
        obj = parse_json(body)
    else:
        for name in (signing.timestamp, signing.nonce, signing.key_id):
            obj.pop(name, None)
    return obj, nonce, sent_at
