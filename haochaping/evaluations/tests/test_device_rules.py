"""Pure rules of the device interface v1: signature, replay window, four-key table,
offline (no database)."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from haochaping.catalog.rules.standards import Level, is_bad
from haochaping.evaluations.devices import rules

# The worked example of docs/devices.md, pinned: a change of the scheme breaks it here.
DOC_KEY = "hcp_5f2a9c1e7b3d_Vq3Yc8sLwT0pHn2Rk7mJx4bGf9dAe1uZ-oWsKy6iQ5E"
DOC_BODY = b'{"handling_id":1024,"key":4}'
DOC_NONCE = "4f1c9a7e2b8d4c06a3e5f7b9d1c3e5a7"
DOC_TS = 1767225600
DOC_CANONICAL = ("HCP-DEVICE-HMAC-SHA256-V1\nPOST\n/api/v1/devices/ratings\n1767225600\n"
                 "4f1c9a7e2b8d4c06a3e5f7b9d1c3e5a7\n"
                 "3b8e4333e0ed6782cd8f2b9c3fef5572d5c753a2d9141e7e0063736b70c37238")
DOC_SIGNATURE = "10908319b1ea976dc1476ee6a129b924077dba4d65b45fd6d3f801848555361c"
DOC_GET_SIGNATURE = "c5ac2e74f2a32a834c76a7456360a55f375e6b1bb8f89d7cec8551e08a674f2e"


def headers(**over: str) -> dict[str, str]:
    values = {rules.DEVICE_HEADER: "5f2a9c1e7b3d", rules.TIMESTAMP_HEADER: str(DOC_TS),
              rules.NONCE_HEADER: DOC_NONCE, rules.SIGNATURE_HEADER: DOC_SIGNATURE}
    values.update(over)
    return values


def test_the_documented_worked_example() -> None:
    assert rules.canonical_request("post", "/api/v1/devices/ratings", DOC_TS, DOC_NONCE,
                                   DOC_BODY) == DOC_CANONICAL
    assert rules.sign(DOC_KEY, "POST", "/api/v1/devices/ratings", DOC_TS, DOC_NONCE,
                      DOC_BODY) == DOC_SIGNATURE
    # the same HMAC as any library computes it over the canonical text
    assert hmac.new(DOC_KEY.encode(), DOC_CANONICAL.encode(),
                    hashlib.sha256).hexdigest() == DOC_SIGNATURE
    assert rules.sign(DOC_KEY, "GET", "/api/v1/devices/pending", DOC_TS,
                      "9b2e4d6f8a0c1e3f5a7b9c1d3e5f7a9b", b"") == DOC_GET_SIGNATURE


def test_a_good_signature_passes_and_any_change_fails() -> None:
    signed = rules.parse_headers(headers())
    rules.check_signature(DOC_KEY, signed, method="POST", path="/api/v1/devices/ratings",
                          body=DOC_BODY)
    for method, path, body, key in [
            ("GET", "/api/v1/devices/ratings", DOC_BODY, DOC_KEY),
            ("POST", "/api/v1/devices/ratings?x=1", DOC_BODY, DOC_KEY),
            ("POST", "/api/v1/devices/ratings", b'{"handling_id":1024,"key":1}', DOC_KEY),
            ("POST", "/api/v1/devices/ratings", DOC_BODY, DOC_KEY + "x")]:
        with pytest.raises(rules.DeviceRefused) as exc:
            rules.check_signature(key, signed, method=method, path=path, body=body)
        assert exc.value.code == "device.bad_signature"


def test_upper_case_hex_signature_is_accepted() -> None:
    signed = rules.parse_headers(headers(**{rules.SIGNATURE_HEADER: DOC_SIGNATURE.upper()}))
    rules.check_signature(DOC_KEY, signed, method="POST", path="/api/v1/devices/ratings",
                          body=DOC_BODY)


@pytest.mark.parametrize(("over", "code", "field"), [
    ({rules.SIGNATURE_HEADER: ""}, "device.unsigned", rules.SIGNATURE_HEADER),
    ({rules.DEVICE_HEADER: "  "}, "device.unsigned", rules.DEVICE_HEADER),
    ({rules.DEVICE_HEADER: "XYZ"}, "device.bad_header", rules.DEVICE_HEADER),
    ({rules.TIMESTAMP_HEADER: "2026-01-01"}, "device.bad_header", rules.TIMESTAMP_HEADER),
    ({rules.NONCE_HEADER: "short"}, "device.bad_header", rules.NONCE_HEADER),
    ({rules.NONCE_HEADER: "a" * 65}, "device.bad_header", rules.NONCE_HEADER),
    ({rules.NONCE_HEADER: "有中文的随机串有中文的随机串有中文"}, "device.bad_header",
     rules.NONCE_HEADER),
    ({rules.SIGNATURE_HEADER: "abc"}, "device.bad_header", rules.SIGNATURE_HEADER),
])
def test_malformed_headers(over: dict[str, str], code: str, field: str) -> None:
    with pytest.raises(rules.DeviceRefused) as exc:
        rules.parse_headers(headers(**over))
    assert (exc.value.code, exc.value.field) == (code, field)


def test_missing_headers_are_named_in_the_message() -> None:
    with pytest.raises(rules.DeviceRefused) as exc:
        rules.parse_headers({})
    assert exc.value.code == "device.unsigned"
    assert all(name in exc.value.message for name in rules.HEADERS)


@pytest.mark.parametrize(("skew", "ok"), [(0, True), (300, True), (-300, True), (301, False),
                                          (-301, False), (86_400, False)])
def test_timestamp_window(skew: int, ok: bool) -> None:
    now = DOC_TS + skew
    if ok:
        rules.check_timestamp(DOC_TS, now)
        return
    with pytest.raises(rules.DeviceRefused) as exc:
        rules.check_timestamp(DOC_TS, now)
    assert exc.value.code == "device.stale_timestamp"


def test_nonces_are_kept_as_long_as_their_timestamp_can_pass() -> None:
    # first seen with a timestamp at the window's future edge, a replay passes the
    # timestamp check until the clock is the tolerance past it: twice the tolerance
    assert timedelta(seconds=2 * rules.TIMESTAMP_TOLERANCE) == rules.NONCE_RETENTION


def test_the_four_key_table() -> None:
    assert {k: v.label for k, v in rules.FOUR_KEY_LEVELS.items()} == {
        1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意"}
    assert [is_bad(rules.level_of_key(k)) for k in (1, 2, 3, 4)] == [False, False, False, True]
    assert Level.VERY_DISSATISFIED not in rules.FOUR_KEY_LEVELS.values()
    for bad in (0, 5, -1, True):
        with pytest.raises(rules.DeviceRefused) as exc:
            rules.level_of_key(bad)
        assert exc.value.code == "device.invalid_key"


@pytest.mark.parametrize(("post", "expected"), [
    (rules.RatingPost("four_key", None, 4, False), (2, True)),
    (rules.RatingPost("four_key", None, 1, False), (5, True)),
    (rules.RatingPost("evaluator", 3, None, False), (3, False)),
    (rules.RatingPost("kiosk", 1, None, True), (1, False)),
])
def test_rating_level(post: rules.RatingPost, expected: tuple[int, bool]) -> None:
    assert rules.rating_level(post) == expected


@pytest.mark.parametrize(("post", "code"), [
    (rules.RatingPost("four_key", 5, None, False), "device.four_key_only"),
    (rules.RatingPost("four_key", None, 2, True), "device.four_key_only"),
    (rules.RatingPost("four_key", None, None, False), "device.key_required"),
    (rules.RatingPost("evaluator", None, 2, False), "device.key_not_supported"),
    (rules.RatingPost("kiosk", None, None, False), "device.level_required"),
])
def test_rating_level_refusals(post: rules.RatingPost, code: str) -> None:
    with pytest.raises(rules.DeviceRefused) as exc:
        rules.rating_level(post)
    assert exc.value.code == code


def test_offline_and_silent_minutes() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert rules.is_offline(None, now, 10)
    assert rules.is_offline(now - timedelta(minutes=10, seconds=1), now, 10)
    assert not rules.is_offline(now - timedelta(minutes=10), now, 10)
    assert not rules.is_offline(now - timedelta(minutes=9), now, 10)
    assert rules.silent_minutes(None, now) is None
    assert rules.silent_minutes(now - timedelta(minutes=95, seconds=30), now) == 95
    assert rules.silent_minutes(now + timedelta(seconds=5), now) == 0


def test_every_error_code_is_documented() -> None:
    root = Path(__file__).resolve().parents[3]
    doc = (root / "docs" / "devices.md").read_text(encoding="utf-8")
    source = "".join(p.read_text(encoding="utf-8")
                     for p in (root / "haochaping" / "evaluations" / "devices").glob("*.py")
                     if p.name != "sealing.py")  # its "device.key" names a vault column
    codes = set(re.findall(r'"(device\.[a-z_]+)"', source)) | {"device.invalid_kind",
                                                                 "device.invalid_name"}
    assert len(codes) >= 15
    assert sorted(c for c in codes if f"`{c}`" not in doc) == []
    assert DOC_SIGNATURE in doc
    assert DOC_GET_SIGNATURE in doc
