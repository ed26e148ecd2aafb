"""The codec: round trips of every kind and profile, every refusal, answers, counts."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from haochaping.catalog.rules.standards import Channel
from haochaping.exchange.rules.canonical import Ack, Identity, Kind, RatingRecord
from haochaping.exchange.rules.codec import (
    Batch,
    CodecError,
    CountQuery,
    RecordRefused,
    decode_acks,
    decode_batch,
    decode_count,
    decode_count_query,
    encode_acks,
    encode_batch,
    encode_count,
    encode_count_query,
    encode_refusal,
    ids_digest,
)
from haochaping.exchange.rules.mapping import normalise, to_remote
from haochaping.exchange.rules.profiles import shipped_profile
from haochaping.exchange.rules.signing import KeyRing, KeySet
from haochaping.exchange.rules.wire import sign
from haochaping.exchange.tests.strategies import (
    KIND_PROFILES,
    PROFILES,
    batches,
    our_ring,
    their_ring,
)

NOW = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
NONCE = "n0nce-0123456789"
KEY = "rating:R1:saved:1"


def rating(**changes: Any) -> RatingRecord:
    base = RatingRecord(
        rating_id="R1", proj_no="P1", org_code="11330100002482171X",
        region_code="330106001000", channel="evaluator", level=2, content_codes=("213",),
        text="等太久", assessed_at=NOW, assess_number=1, is_default=False, stage_code="",
        rater=Identity(name="张三", cert_no="110101199001011234", phone="13800000000"))
    return replace(base, **changes)


def _encode(name: str, items: list[tuple[str, Any]] | None = None, **kw: Any) -> Any:
    return encode_batch(shipped_profile(name), Kind.RATING, items or [(KEY, rating())],
                        keys=kw.pop("keys", our_ring()), now=kw.pop("now", NOW),
                        nonce=kw.pop("nonce", NONCE))


def _decode(name: str, headers: dict[str, str], body: bytes, **kw: Any) -> Batch:
    return decode_batch(shipped_profile(name), Kind.RATING, headers, body,
                        keys=kw.pop("keys", their_ring()), now=kw.pop("now", NOW))


def _refused(code: str, name: str, headers: dict[str, str], body: bytes, **kw: Any) -> CodecError:
    with pytest.raises(CodecError) as caught:
        _decode(name, headers, body, **kw)
    assert caught.value.code == code, caught.value.message
    assert caught.value.message  # Chinese, for the rejected-message log and the remote
    return caught.value


# --- round trips ----------------------------------------------------------------------


@pytest.mark.parametrize("case", KIND_PROFILES, ids=lambda c: f"{c[0]}-{c[1].value}")
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_batch_round_trip(case: tuple[str, Kind], data: st.DataObject) -> None:
    profile = shipped_profile(case[0])
    items = data.draw(batches(profile, case[1]))
    now = data.draw(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1),
                                 timezones=st.just(UTC))).replace(microsecond=0)
    request = encode_batch(profile, case[1], items, keys=our_ring(), now=now, nonce=NONCE)
    assert request.method == "POST"
    assert request.path == profile.kinds[case[1]].path
    batch = decode_batch(profile, case[1], request.headers, request.body, keys=their_ring(),
                         now=now + timedelta(seconds=profile.signing.skew_seconds))
    assert batch == Batch(nonce=NONCE, sent_at=now,
                          items=[(key, normalise(profile, record)) for key, record in items])


def test_the_remote_signs_what_we_verify() -> None:
    """Symmetric: the fake remote encodes its downward messages with its own keys."""
    for name in PROFILES:
        request = encode_batch(shipped_profile(name), Kind.RATING, [(KEY, rating())],
                               keys=their_ring(), now=NOW, nonce=NONCE)
        batch = decode_batch(shipped_profile(name), Kind.RATING, request.headers, request.body,
                             keys=our_ring(), now=NOW)
        assert batch.items[0][0] == KEY


def test_identity_fields_travel_encrypted() -> None:
    request = _encode("jiangxi")
    item = orjson.loads(request.body)["data"][0]
    assert "110101199001011234" not in request.body.decode()
    assert "张三".encode() not in request.body
    assert item["certKey"]
    assert item["telPhone"]
    assert item["userName"]
    assert item["pf"] == "4"
    assert item["regionCode"] == "330106001000"
    assert _decode("jiangxi", request.headers, request.body).items[0][1].rater == rating().rater


def test_headers_are_case_insensitive_and_carry_the_signature() -> None:
    request = _encode("national")
    assert set(request.headers) == {"Content-Type", "X-Hcp-Timestamp", "X-Hcp-Nonce",
                                    "X-Hcp-Key-Id", "X-Hcp-Signature"}
    assert request.headers["X-Hcp-Key-Id"] == "k2"  # the current key signs
    assert request.headers["X-Hcp-Timestamp"] == "1777627800000"
    lower = {k.lower(): v for k, v in request.headers.items()}
    assert _decode("national", lower, request.body).nonce == NONCE


def test_body_carried_signature() -> None:
    request = _encode("zhejiang")
    body = orjson.loads(request.body)
    assert {"appKey", "timestamp", "nonce", "sign", "records"} == set(body)
    assert body["appKey"] == "k2"
    assert body["nonce"] == NONCE
    assert _decode("zhejiang", {}, request.body).items[0][0] == KEY


def test_batch_size_is_the_profiles() -> None:
    items = [(f"rating:R{i}:saved:1", rating(rating_id=f"R{i}")) for i in range(51)]
    with pytest.raises(ValueError, match="1 to 50"):
        _encode("zhejiang", items)
    with pytest.raises(ValueError, match="1 to 1"):
        _encode("anhui", items[:2])
    assert _encode("anhui", items[:1]).path == "/hcp/pj/push"


def test_a_record_the_profile_cannot_carry_is_named_by_its_key() -> None:
    phone = rating(channel=Channel.PHONE.value)
    with pytest.raises(RecordRefused) as caught:
        _encode("zhejiang", [(KEY, rating()), ("rating:R2:saved:1", phone)])
    assert caught.value.key == "rating:R2:saved:1"
    assert caught.value.code == "exchange.unmapped"
    assert caught.value.field == "channel"


def test_unsupported_kind() -> None:
    with pytest.raises(CodecError) as caught:
        decode_batch(shipped_profile("anhui"), Kind.RESULT, {}, b"{}", keys=their_ring(), now=NOW)
    assert caught.value.code == "exchange.unsupported_kind"


# --- refusals -------------------------------------------------------------------------


def test_unsigned() -> None:
    request = _encode("national")
    for header in ("X-Hcp-Signature", "X-Hcp-Timestamp", "X-Hcp-Nonce", "X-Hcp-Key-Id"):
        headers = {k: v for k, v in request.headers.items() if k != header}
        error = _refused("exchange.unsigned", "national", headers, request.body)
        assert error.field == header
        assert error.status == 401
    body = orjson.loads(_encode("zhejiang").body)
    del body["sign"]
    assert _refused("exchange.unsigned", "zhejiang", {}, orjson.dumps(body)).field == "sign"


def test_bad_signature() -> None:
    request = _encode("national")
    tampered = request.body.replace(b'"satisfaction":"2"', b'"satisfaction":"5"')
    assert tampered != request.body
    error = _refused("exchange.bad_signature", "national", request.headers, tampered)
    assert error.status == 401
    headers = {**request.headers, "X-Hcp-Signature": "zz"}
    _refused("exchange.bad_signature", "national", headers, request.body)
    headers = {**request.headers, "X-Hcp-Nonce": "another-nonce-1"}  # signed values too
    _refused("exchange.bad_signature", "national", headers, request.body)
    body = orjson.loads(_encode("zhejiang").body)
    body["records"][0]["satisfaction"] = "5"
    _refused("exchange.bad_signature", "zhejiang", {}, orjson.dumps(body))
    sm2 = _encode("jiangxi")
    _refused("exchange.bad_signature", "jiangxi", sm2.headers, sm2.body + b" ")


def test_unknown_key_id() -> None:
    request = _encode("national")
    headers = {**request.headers, "X-Hcp-Key-Id": "k9"}
    assert _refused("exchange.unknown_key", "national", headers, request.body).status == 401
    sm2 = _encode("jiangxi")
    _refused("exchange.unknown_key", "jiangxi", sm2.headers, sm2.body, keys=our_ring())


def test_stale_both_ways() -> None:
    skew = shipped_profile("national").signing.skew_seconds
    request = _encode("national")
    assert _decode("national", request.headers, request.body,
                   now=NOW + timedelta(seconds=skew)).nonce == NONCE
    for offset in (skew + 1, -skew - 1):
        _refused("exchange.stale", "national", request.headers, request.body,
                 now=NOW + timedelta(seconds=offset))


def test_malformed_signing_values() -> None:
    request = _encode("national")
    _refused("exchange.malformed", "national", {**request.headers, "X-Hcp-Timestamp": "soon"},
             request.body)
    _refused("exchange.malformed", "national", {**request.headers, "X-Hcp-Nonce": "short"},
             request.body)
    _refused("exchange.malformed", "zhejiang", {}, b"not json")
    _refused("exchange.malformed", "zhejiang", {}, b"[1, 2]")


def _signed(name: str, obj: Any, keys: KeyRing | None = None) -> tuple[dict[str, str], bytes]:
    """A validly signed request carrying anything (to reach the checks after the
    signature)."""
    profile = shipped_profile(name)
    request = sign(profile, profile.kinds[Kind.RATING].path, obj, keys=keys or our_ring(),
                   now=NOW, nonce=NONCE)
    return request.headers, request.body


def _item(name: str, **changes: Any) -> dict[str, Any]:
    profile = shipped_profile(name)
    item = {**to_remote(profile, rating()), profile.envelope.key: KEY}
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


def test_wrong_envelope() -> None:
    _refused("exchange.malformed", "national", *_signed("national", {"rows": [_item("national")]}))
    _refused("exchange.malformed", "national", *_signed("national", {"data": []}))
    _refused("exchange.malformed", "national", *_signed("national", {"data": ["x"]}))
    too_many = [_item("national", dataId=f"k{i}") for i in range(101)]
    _refused("exchange.malformed", "national", *_signed("national", {"data": too_many}))
    twice = [_item("national"), _item("national")]
    error = _refused("exchange.malformed", "national", *_signed("national", {"data": twice}))
    assert "幂等键重复" in error.message
    error = _refused("exchange.malformed", "national",
                     *_signed("national", {"data": [_item("national", dataId=None)]}))
    assert error.field == "dataId"


def test_missing_field_and_bad_code_name_the_field() -> None:
    error = _refused("exchange.missing_field", "national",
                     *_signed("national", {"data": [_item("national", projectNo=None)]}))
    assert error.field == "projectNo"
    assert "第 1 条" in error.message
    assert error.status == 400
    error = _refused("exchange.bad_code", "national",
                     *_signed("national", {"data": [_item("national", pf="9")]}))
    assert error.field == "pf"
    assert "“9”" in error.message
    error = _refused("exchange.bad_value", "anhui",
                     *_signed("anhui", _item("anhui", assessTime="2026-05-01")))
    assert error.field == "assessTime"


def test_undecryptable_identity() -> None:
    item = _item("jiangxi", certKey="bm90IGEgY2lwaGVydGV4dA==")
    error = _refused("exchange.decrypt_failed", "jiangxi", *_signed("jiangxi", {"data": [item]}))
    assert error.field == "certKey"


# --- rotation -------------------------------------------------------------------------


def test_a_message_signed_with_the_previous_key_verifies() -> None:
    old = KeyRing(hmac=KeySet.of(("k1", our_ring().hmac.get("k1") or b"")))
    request = _encode("national", keys=old)
    assert request.headers["X-Hcp-Key-Id"] == "k1"
    assert _decode("national", request.headers, request.body).nonce == NONCE
    retired = KeyRing(hmac=KeySet.of(("k2", our_ring().hmac.current[1])))
    _refused("exchange.unknown_key", "national", request.headers, request.body, keys=retired)


def test_sm2_and_sm4_rotation() -> None:
    new_sm4 = bytes(range(16, 32))
    ours = replace(our_ring(), sm4=KeySet.of(("e1", our_ring().sm4.current[1])))
    request = _encode("jiangxi", keys=ours)  # encrypted with the previous SM4 key
    theirs = replace(their_ring(), sm4=KeySet.of(("e2", new_sm4), ("e1", ours.sm4.current[1])))
    assert _decode("jiangxi", request.headers, request.body, keys=theirs).items[0][1].rater \
        == rating().rater


# --- answers --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["national", "zhejiang", "jiangxi"])
def test_acks_round_trip(name: str) -> None:
    profile = shipped_profile(name)
    acks = [Ack(KEY, ok=True), Ack("rating:R2:saved:1", ok=True, message="重复数据"),
            Ack("rating:R3:saved:1", ok=False, code="E102", message="办件不存在")]
    assert decode_acks(profile, Kind.RATING, 200, encode_acks(profile, Kind.RATING, acks)) == acks


def test_single_item_answer() -> None:
    profile = shipped_profile("anhui")
    body = encode_acks(profile, Kind.RATING, [Ack(KEY, ok=True)])
    assert orjson.loads(body) == {"uniqueId": KEY, "resultCode": "1", "resultMsg": ""}
    assert decode_acks(profile, Kind.RATING, 200, body) == [Ack(KEY, ok=True)]
    assert decode_acks(profile, Kind.RATING, 200, b'{"resultCode": 1}') == [Ack("", ok=True)]
    with pytest.raises(ValueError, match="exactly one"):
        encode_acks(profile, Kind.RATING, [Ack(KEY, ok=True), Ack("b", ok=True)])


def test_unreadable_or_refused_answers() -> None:
    profile = shipped_profile("national")
    cases = [(503, b"", "exchange.remote_status"), (200, b"<html>", "exchange.malformed_answer"),
             (200, b'{"code": "0"}', "exchange.malformed_answer"),
             (200, b'{"code": "0", "data": [{"code": "0"}]}', "exchange.malformed_answer"),
             (200, encode_refusal(profile, "401", "签名错误"), "exchange.remote_refused")]
    for status, body, code in cases:
        with pytest.raises(CodecError) as caught:
            decode_acks(profile, Kind.RATING, status, body)
        assert caught.value.code == code
    with pytest.raises(ValueError, match="code outside"):
        encode_acks(profile, Kind.RATING, [Ack(KEY, ok=False)])
    with pytest.raises(ValueError, match="not a success"):
        encode_refusal(profile, "0", "ok")


def test_acks_leave_out_unlisted_items() -> None:
    profile = shipped_profile("national")
    body = orjson.dumps({"code": 0, "msg": "", "data": [{"dataId": KEY, "code": 0}]})
    assert decode_acks(profile, Kind.RATING, 200, body) == [Ack(KEY, ok=True)]


# --- reconciliation -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["national", "zhejiang", "jiangxi"])
def test_count_query_round_trip(name: str) -> None:
    profile = shipped_profile(name)
    request = encode_count_query(profile, Kind.RESULT, date(2026, 4, 30), "1133X", keys=our_ring(),
                                 now=NOW, nonce=NONCE)
    assert request.path == profile.count.path  # type: ignore[union-attr]
    assert decode_count_query(profile, request.headers, request.body, keys=their_ring(),
                              now=NOW) == CountQuery(Kind.RESULT, date(2026, 4, 30), "1133X",
                                                     NONCE, NOW)
    digest = ids_digest(["b", "a"])
    assert decode_count(profile, encode_count(profile, 2, digest)) == (2, digest)


def test_count_refusals() -> None:
    profile = shipped_profile("national")
    with pytest.raises(CodecError) as caught:
        encode_count_query(shipped_profile("anhui"), Kind.RATING, date(2026, 4, 30), "",
                           keys=our_ring(), now=NOW, nonce=NONCE)
    assert caught.value.code == "exchange.no_count_endpoint"
    request = sign(profile, "/api/exchange/count", {"dataType": "x", "statDate": "2026-04-30"},
                   keys=our_ring(), now=NOW, nonce=NONCE)
    with pytest.raises(CodecError) as caught:
        decode_count_query(profile, request.headers, request.body, keys=their_ring(), now=NOW)
    assert caught.value.code == "exchange.bad_code"
    assert caught.value.field == "dataType"
    for body in (b'{"code": "0", "total": -1, "digest": ""}', b'{"code": "0", "total": 1}'):
        with pytest.raises(CodecError) as caught:
            decode_count(profile, body)
        assert caught.value.code == "exchange.malformed_answer"


def test_ids_digest() -> None:
    assert ids_digest([]) == hashlib.sha256(b"").hexdigest()
    assert ids_digest(["b", "a"]) == hashlib.sha256(b"a\nb").hexdigest() == ids_digest(["a", "b"])
