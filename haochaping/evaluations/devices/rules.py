"""Rules of the device interface v1 (docs/devices.md): the request signature, the replay
window, the four-key pad's key table and when a device counts as offline. Pure Python,
no ORM: the service passes in the key, the clock and the stored facts.

A third-party evaluator pad or kiosk (seed 002 接口标准) signs every request with its
device key: HMAC-SHA256 over the canonical request (:func:`canonical_request`), hex, in
``X-HCP-Signature``, with ``X-HCP-Device`` (the key id), ``X-HCP-Timestamp`` (Unix
seconds) and ``X-HCP-Nonce``. A request outside ±:data:`TIMESTAMP_TOLERANCE` seconds of
the server's clock, or whose nonce the device used before, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from haochaping.catalog.rules.standards import Level
from haochaping.core.errors import RuleViolation

SCHEME = "HCP-DEVICE-HMAC-SHA256-V1"  # first line of the canonical request
DEVICE_HEADER = "X-HCP-Device"
TIMESTAMP_HEADER = "X-HCP-Timestamp"
NONCE_HEADER = "X-HCP-Nonce"
SIGNATURE_HEADER = "X-HCP-Signature"
HEADERS = (DEVICE_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)

TIMESTAMP_TOLERANCE = 300  # seconds either side of the server's clock
# A nonce is remembered while a request carrying it could still pass the timestamp
# check: its timestamp may be up to the tolerance ahead of the clock when first seen and
# is refused once the clock is the tolerance past it.
NONCE_RETENTION = timedelta(seconds=2 * TIMESTAMP_TOLERANCE)

_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_KEY_ID = re.compile(r"^[0-9a-f]{12}$")
_SIGNATURE = re.compile(r"^[0-9a-fA-F]{64}$")
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")


class DeviceRefused(RuleViolation):
    """A request the device interface refuses: stable ``code``, Chinese ``message``."""


@dataclass(frozen=True)
class SignedHeaders:
    key_id: str
    timestamp: int
    nonce: str
    signature: str


def parse_headers(headers: Mapping[str, str]) -> SignedHeaders:
    """The four signature headers, checked for presence and shape."""
    values = {name: (headers.get(name) or "").strip() for name in HEADERS}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise DeviceRefused("device.unsigned", f"请求未签名：缺少 {'、'.join(missing)}",
                            missing[0])
    if not _KEY_ID.match(values[DEVICE_HEADER]):
        raise DeviceRefused("device.bad_header", "X-HCP-Device 须为设备密钥编号（12 位十六进制）",
                            DEVICE_HEADER)
    if not _TIMESTAMP.match(values[TIMESTAMP_HEADER]):
        raise DeviceRefused("device.bad_header", "X-HCP-Timestamp 须为 Unix 时间（秒）",
                            TIMESTAMP_HEADER)
    if not _NONCE.match(values[NONCE_HEADER]):
        raise DeviceRefused("device.bad_header",
                            "X-HCP-Nonce 须为 16 至 64 位字母、数字、下划线或连字符", NONCE_HEADER)
    if not _SIGNATURE.match(values[SIGNATURE_HEADER]):
        raise DeviceRefused("device.bad_header", "X-HCP-Signature 须为 64 位十六进制 HMAC",
                            SIGNATURE_HEADER)
    return SignedHeaders(key_id=values[DEVICE_HEADER], timestamp=int(values[TIMESTAMP_HEADER]),
                         nonce=values[NONCE_HEADER], signature=values[SIGNATURE_HEADER].lower())


def check_timestamp(timestamp: int, now_epoch: float) -> None:
    """Refuse a request signed more than the tolerance before or after now."""
    if abs(now_epoch - timestamp) > TIMESTAMP_TOLERANCE:
        raise DeviceRefused("device.stale_timestamp",
                            f"请求时间与服务器时间相差超过 {TIMESTAMP_TOLERANCE} 秒，"
                            "请校准设备时钟（GET /api/v1/devices/time）", TIMESTAMP_HEADER)


def canonical_request(method: str, path: str, timestamp: int, nonce: str, body: bytes) -> str:
    """The text a device signs: the scheme, the method, the path with its query string
    exactly as sent, the timestamp, the nonce and the SHA-256 of the body (hex; of b""
    for a request without one), one per line."""
    return "\n".join([SCHEME, method.upper(), path, str(timestamp), nonce,
                      hashlib.sha256(body).hexdigest()])


def sign(key: str, method: str, path: str, timestamp: int, nonce: str, body: bytes) -> str:
    """HMAC-SHA256 of the canonical request keyed by the whole device key, hex."""
    text = canonical_request(method, path, timestamp, nonce, body)
    return hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def check_signature(key: str, signed: SignedHeaders, *, method: str, path: str,
                    body: bytes) -> None:
    """Compare in constant time; refuse a signature the key did not make."""
    expected = sign(key, method, path, signed.timestamp, signed.nonce, body)
    if not hmac.compare_digest(expected, signed.signature):
        raise DeviceRefused("device.bad_signature", "设备签名无效", SIGNATURE_HEADER)


# --- four-key pads (四键评价器) -------------------------------------------------------------

# The four keys, left to right as the pad's faceplate prints them, and the level each
# gives. Such a pad cannot give 非常不满意 nor content items or reasons: key 4 (不满意)
# is a 差评, opens its work order, and the reason is asked at the call-back (回访).
FOUR_KEY_LEVELS: dict[int, Level] = {
    1: Level.VERY_SATISFIED,
    2: Level.SATISFIED,
    3: Level.BASICALLY_SATISFIED,
    4: Level.DISSATISFIED,
}
FOUR_KEY = "four_key"  # Device.kind of such a pad
KIOSK = "kiosk"


def level_of_key(key: int) -> Level:
    """The level a four-key pad's key gives (:data:`FOUR_KEY_LEVELS`)."""
    if isinstance(key, bool) or key not in FOUR_KEY_LEVELS:
        raise DeviceRefused("device.invalid_key", "按键值须为 1 至 4", "key")
    return FOUR_KEY_LEVELS[key]


@dataclass(frozen=True)
class RatingPost:
    """What a device posted, before the rating rules see it."""

    kind: str  # Device.kind
    level: int | None
    key: int | None
    has_details: bool  # item levels, content items, reasons or text


def rating_level(post: RatingPost) -> tuple[int, bool]:
    """The level to record and whether the rating is degraded. A four-key pad sends its
    key and nothing else; every other device sends a level (1..5) and never a key."""
    if post.kind == FOUR_KEY:
        if post.level is not None or post.has_details:
            raise DeviceRefused("device.four_key_only",
                                "四键评价器只能提交按键值 key（1–4），不能提交等级、评价内容或原因",
                                "level" if post.level is not None else "key")
        if post.key is None:
            raise DeviceRefused("device.key_required", "四键评价器须提交按键值 key（1–4）",
                                "key")
        return int(level_of_key(post.key)), True
    if post.key is not None:
        raise DeviceRefused("device.key_not_supported",
                            "该设备为五级评价设备，请提交评价等级 level（1–5）", "key")
    if post.level is None:
        raise DeviceRefused("device.level_required", "请提交评价等级 level（1–5）", "level")
    return post.level, False


# --- presence ----------------------------------------------------------------------------

LAST_SEEN_RESOLUTION = timedelta(seconds=30)  # signed requests record contact this often


def is_offline(last_seen_at: datetime | None, now: datetime, offline_minutes: int) -> bool:
    """An active device not heard from for ``offline_minutes`` (or never) is offline."""
    return last_seen_at is None or last_seen_at < now - timedelta(minutes=offline_minutes)


def silent_minutes(last_seen_at: datetime | None, now: datetime) -> int | None:
    """Whole minutes since the device's last contact; None if it never made one."""
    if last_seen_at is None:
        return None
    return max(0, int((now - last_seen_at).total_seconds() // 60))
