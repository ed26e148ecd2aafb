"""The downward exchange's pure rules: addresses, refusal codes, parking without identity,
the remote's channel codes, forwarded items' kinds and statuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from haochaping.exchange.rules.canonical import Identity, Kind, RatingRecord
from haochaping.exchange.rules.fields import COMPLAINT_KINDS
from haochaping.exchange.rules.inbound import (
    ORDER_KIND,
    REFUSALS,
    ForwardedStatus,
    InboundRefused,
    body_digest,
    dispatch_refusal,
    first_over,
    invalidation_refusal,
    kind_for,
    parked_fields,
    parked_record,
    rating_refusal,
    refused,
    remote_channel_code,
)
from haochaping.exchange.rules.profiles import shipped_profile
from haochaping.workorders.rules import Kind as OrderKind

AT = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
RECORD = RatingRecord(
    rating_id="R1", proj_no="P1", org_code="X1", region_code="410105000000", channel="app",
    level=2, content_codes=("213",), text="窗口人员业务不熟练", assessed_at=AT,
    assess_number=1, is_default=False, stage_code="",
    rater=Identity(name="张三", cert_no="11010519491231002X", phone="13812341234"))


@pytest.mark.parametrize(("profile", "tail", "kind"), [
    ("national", "rating", Kind.RATING), ("national", "complaint", Kind.COMPLAINT),
    ("national", "api/exchange/evaluations", Kind.RATING),
    ("national", "/api/exchange/appeals/", Kind.COMPLAINT),
    ("zhejiang", "openapi/hcp/evaluation", Kind.RATING),
    ("anhui", "hcp/pj/push", Kind.RATING),
])
def test_a_kind_by_name_or_by_the_profiles_path(profile: str, tail: str, kind: Kind) -> None:
    assert kind_for(shipped_profile(profile), tail) is kind


@pytest.mark.parametrize(("profile", "tail"), [
    ("national", "handling"), ("national", "result"), ("national", "api/exchange/projects"),
    ("anhui", "complaint"), ("national", ""), ("national", "ratings"),
])
def test_what_does_not_come_down(profile: str, tail: str) -> None:
    with pytest.raises(InboundRefused) as caught:
        kind_for(shipped_profile(profile), tail)
    assert (caught.value.code, caught.value.status) == ("exchange.unsupported_kind", 404)


def test_every_refusal_has_a_status_and_a_chinese_message() -> None:
    for code, (status, message) in REFUSALS.items():
        exc = refused(code)
        assert (exc.code, exc.status, exc.message) == (code, status, message)
        assert 400 <= status < 600
        assert not message.isascii()
    assert refused("exchange.too_large", "不能超过 10 字节").message == "报文过大：不能超过 10 字节"


def test_a_flood_is_logged_once_per_window() -> None:
    assert [first_over(n, 3) for n in range(1, 7)] == [False, False, False, True, False, False]


def test_the_log_keeps_a_digest() -> None:
    assert body_digest(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize(("changes", "code"), [
    ({}, None),
    ({"is_default": True, "channel": "default"}, "exchange.rating_default"),
    ({"stage_code": "apply"}, None),  # a stage rating: the evaluations service decides
])
def test_the_remotes_default_ratings_are_refused(changes: dict[str, object],
                                                   code: str | None) -> None:
    refusal = rating_refusal(replace(RECORD, **changes))  # type: ignore[arg-type]
    assert (refusal.code if refusal else None) == code
    assert refusal is None or not refusal.message.isascii()


@pytest.mark.parametrize(("status", "code"), [
    ("stored", None), ("parked", "exchange.invalidation_pending"),
    ("refused", "exchange.invalidation_unknown"), (None, "exchange.invalidation_unknown"),
])
def test_only_a_stored_rating_from_the_remote_is_invalidated(status: str | None,
                                                             code: str | None) -> None:
    refusal = invalidation_refusal(status)
    assert (refusal.code if refusal else None) == code
    assert refusal is None or not refusal.message.isascii()


def test_a_parked_rating_keeps_no_identity() -> None:
    fields = parked_fields(RECORD)
    assert not {"张三", "11010519491231002X", "13812341234"} & {str(v) for v in fields.values()}
    assert parked_record(fields) == replace(RECORD, rater=Identity())


def test_a_parked_rating_keeps_its_stage() -> None:
    staged = replace(RECORD, stage_code="apply")
    assert parked_record(parked_fields(staged)) == replace(staged, rater=Identity())
    legacy = {k: v for k, v in parked_fields(RECORD).items() if k != "stage_code"}
    assert parked_record(legacy).stage_code == ""  # parked before stages came down


@pytest.mark.parametrize(("profile", "channel", "code"), [
    ("national", "app", "2"), ("national", "mini_program", "2"), ("national", "phone", "6"),
    ("national", "evaluator", "4"), ("zhejiang", "sms", "6"), ("zhejiang", "default", "7"),
])
def test_the_remotes_channel_code(profile: str, channel: str, code: str) -> None:
    assert remote_channel_code(shipped_profile(profile), channel) == code


def test_forwarded_items() -> None:
    assert set(ORDER_KIND) == set(COMPLAINT_KINDS)
    assert {OrderKind(k) for k in ORDER_KIND.values()} == {
        OrderKind.COMPLAINT, OrderKind.INQUIRY, OrderKind.SUGGESTION}
    assert ORDER_KIND["bad_review"] == "complaint"  # no rating of ours behind it
    assert dispatch_refusal(ForwardedStatus.RECEIVED.value) is None
    for status in (ForwardedStatus.DISPATCHED, ForwardedStatus.CLOSED):
        refusal = dispatch_refusal(status.value)
        assert refusal is not None
        assert refusal.code == "exchange.forwarded_dispatched"
    refused = dispatch_refusal(ForwardedStatus.REFUSED.value)
    assert refused is not None
    assert refused.code == "exchange.forwarded_refused"
