"""Pure rules: rendering, SMS length, back-off, signatures, reply parsing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haochaping.notify import rules

INVITE = ("【政务服务好差评】您在{org}办理的“{matter}”已办结，请对本次服务评价：{link} "
          "回复1-5直接评价（5非常满意…1非常不满意）。")
POLICY = rules.RetryPolicy(base_seconds=30, cap_seconds=3600, max_attempts=6)


def test_render_fills_every_placeholder() -> None:
    text = rules.render(INVITE, {"org": "市市场监管局", "matter": "食品经营许可",
                                 "link": "http://x/r/t"})
    assert text.startswith("【政务服务好差评】您在市市场监管局办理的“食品经营许可”已办结")
    assert "http://x/r/t" in text
    assert "{" not in text


def test_render_missing_param_is_an_error_naming_it() -> None:
    with pytest.raises(rules.TemplateError) as exc:
        rules.render(INVITE, {"org": "市市场监管局"})
    assert exc.value.code == "notify.missing_param"
    assert "link" in exc.value.message
    assert "matter" in exc.value.message


def test_render_does_not_reinterpret_braces_in_values() -> None:
    assert rules.render("码{code}", {"code": "{x}"}) == "码{x}"


@pytest.mark.parametrize("body", ["{0}", "{a.b}", "{a[0]}", "{a!r}", "{a:>5}", "{", "}x{"])
def test_placeholders_refuse_anything_but_plain_names(body: str) -> None:
    with pytest.raises(rules.TemplateError) as exc:
        rules.placeholders(body)
    assert exc.value.code == "notify.template_syntax"


def test_check_template_refuses_unknown_placeholder_and_empty_body() -> None:
    rules.check_template("evaluation_invite", INVITE)
    with pytest.raises(rules.TemplateError) as exc:
        rules.check_template("evaluation_invite", INVITE + "{phone}")
    assert exc.value.code == "notify.template_unknown_placeholder"
    with pytest.raises(rules.TemplateError) as exc:
        rules.check_template("sms_code", "  ")
    assert exc.value.code == "notify.template_empty"


@pytest.mark.parametrize(("length", "parts"),
                         [(0, 1), (1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3),
                          (202, 4)])
def test_sms_parts(length: int, parts: int) -> None:
    assert rules.sms_parts("好" * length) == parts


@given(st.text(max_size=400))
def test_sms_parts_cover_the_text(text: str) -> None:
    parts = rules.sms_parts(text)
    limit = rules.SMS_SINGLE_LIMIT if parts == 1 else rules.SMS_PART_LIMIT * parts
    assert len(text) <= limit


def test_backoff_doubles_until_the_cap_then_dies() -> None:
    delays = [rules.retry_after(n, POLICY, jitter=1.0) for n in range(1, 6)]
    assert [d.delay_seconds for d in delays] == [30, 60, 120, 240, 480]
    assert not any(d.dead for d in delays)
    assert rules.retry_after(6, POLICY, jitter=1.0).dead
    capped = rules.RetryPolicy(base_seconds=30, cap_seconds=100, max_attempts=20)
    assert rules.retry_after(10, capped, jitter=1.0).delay_seconds == 100


@given(st.integers(min_value=1, max_value=5), st.floats(min_value=0, max_value=1))
def test_jitter_keeps_the_delay_in_the_upper_half(attempts: int, jitter: float) -> None:
    full = min(30 * 2 ** (attempts - 1), 3600)
    delay = rules.retry_after(attempts, POLICY, jitter).delay_seconds
    assert full / 2 <= delay <= full


@pytest.mark.parametrize(("status", "retry"),
                         [(429, True), (500, True), (503, True), (400, False), (401, False),
                          (404, False)])
def test_retryable_status(status: int, retry: bool) -> None:
    assert rules.retryable_status(status) is retry


def test_signature_round_trip_and_refusals() -> None:
    body = b'{"a":1}'
    sig = rules.sign("s3cret", "1700000000", body)
    assert rules.signature_valid("s3cret", "1700000000", body, sig, 1700000100)
    assert not rules.signature_valid("other", "1700000000", body, sig, 1700000100)
    assert not rules.signature_valid("s3cret", "1700000000", body + b" ", sig, 1700000100)
    assert not rules.signature_valid("s3cret", "1700000000", body, sig, 1700000000 + 301)
    assert not rules.signature_valid("", "1700000000", body, sig, 1700000000)
    assert not rules.signature_valid("s3cret", "", body, sig, 1700000000)
