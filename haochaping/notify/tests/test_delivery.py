"""Delivery through a local fake gateway over real HTTP: sent, retried with back-off,
dead after N attempts, dead at once on a permanent 4xx, redelivered after a lost worker."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from haochaping.notify.backends import ConsoleBackend, SendResult, get_backend
from haochaping.notify.models import OutboxMessage
from haochaping.notify.services import deliver_due, outbox_enqueue
from haochaping.notify.services.delivery import (
    _send,
    claim_next,
    lease_seconds,
    record_result,
)
from haochaping.notify.tests.factories import PHONE, make_rater
from haochaping.notify.tests.fake_gateway import FakeGateway

pytestmark = pytest.mark.django_db

PARAMS = {"org": "市市场监管局", "matter": "食品经营许可", "link": "http://x/r/tok"}


def _queue(key: str = "invite:1", now: datetime | None = None) -> OutboxMessage:
    message = outbox_enqueue(template="evaluation_invite", rater=make_rater(), params=PARAMS,
                             dedupe_key=key, not_before=now)
    assert message is not None
    return message


def _row(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


def test_sent_through_the_gateway_with_a_signed_request(gateway: FakeGateway) -> None:
    now = timezone.now()
    message = _queue(now=now)
    report = deliver_due(now)
    assert (report.sent, report.retried, report.dead) == (1, 0, 0)
    assert gateway.bad_signatures == 0
    [request] = gateway.received
    assert request["to"] == PHONE
    assert request["message_id"] == str(message.pk)
    assert request["params"] == PARAMS
    assert request["text"].startswith("【政务服务好差评】您办理的“食品经营许可”已办结")
    row = _row(message)
    assert (row.status, row.attempts, row.provider_id) == ("sent", 1, "gw-1")
    assert row.sent_at == now
    assert row.locked_until is None
    # Nothing left to do: a second run sends nothing.
    assert deliver_due(now).sent == 0
    assert len(gateway.received) == 1


def test_not_sent_before_not_before(gateway: FakeGateway) -> None:
    now = timezone.now()
    _queue(now=now + timedelta(minutes=5))
    assert deliver_due(now).sent == 0
    assert gateway.received == []


@pytest.mark.parametrize("status", [500, 503, 429])
def test_transient_failure_is_retried_with_backoff(gateway: FakeGateway, status: int) -> None:
    now = timezone.now()
    message = _queue(now=now)
    gateway.fail(1, status)
    report = deliver_due(now)
    assert report.retried == 1
    row = _row(message)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, f"HTTP {status}")
    # base 10 s, first retry waits between 5 and 10 s (jitter in the upper half)
    assert now + timedelta(seconds=5) <= row.next_attempt_at <= now + timedelta(seconds=10)
    assert deliver_due(now + timedelta(seconds=4)).sent == 0
    assert deliver_due(now + timedelta(seconds=10)).sent == 1
    row = _row(message)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert [r["message_id"] for r in gateway.received] == [str(message.pk)] * 2


def test_dead_after_max_attempts(gateway: FakeGateway) -> None:
    now = timezone.now()
    message = _queue(now=now)
    gateway.fail(5, 500)
    for step in range(3):  # HCP_SMS_MAX_ATTEMPTS = 3 in the fixture
        deliver_due(now + timedelta(seconds=100 * step))
    row = _row(message)
    assert (row.status, row.attempts, row.last_error) == ("dead", 3, "HTTP 500")
    assert deliver_due(now + timedelta(days=1)).sent == 0
    assert len(gateway.received) == 3


@pytest.mark.parametrize("status", [400, 403, 404])
def test_permanent_4xx_is_dead_at_once(gateway: FakeGateway, status: int) -> None:
    now = timezone.now()
    message = _queue(now=now)
    gateway.fail(1, status)
    assert deliver_due(now).dead == 1
    row = _row(message)
    assert (row.status, row.attempts, row.last_error) == ("dead", 1, f"HTTP {status}")
    assert deliver_due(now + timedelta(days=1)).dead == 0
    assert len(gateway.received) == 1


def test_gateway_hanging_past_the_timeout_is_retried(gateway: FakeGateway) -> None:
    now = timezone.now()
    message = _queue(now=now)
    gateway.hang(1)
    assert deliver_due(now).retried == 1
    row = _row(message)
    assert (row.status, row.last_error) == ("pending", "timeout")
    assert deliver_due(now + timedelta(seconds=10)).sent == 1


def test_unreachable_gateway_is_retried(gateway: FakeGateway, settings: Any) -> None:
    gateway.stop()
    now = timezone.now()
    message = _queue(now=now)
    assert deliver_due(now).retried == 1
    assert _row(message).last_error.startswith("connection error")


def test_worker_killed_mid_delivery_redelivers_once_and_loses_nothing(
        gateway: FakeGateway) -> None:
    now = timezone.now()
    message = _queue(now=now)
    # A worker claims the message, the gateway receives it, then the worker dies before
    # recording the result: the row stays "sending" under its lease.
    claimed = claim_next(now)
    assert claimed == (message.pk, 1)
    _send(OutboxMessage.objects.get(pk=message.pk), get_backend())
    assert _row(message).status == "sending"
    # While the lease runs, nobody else touches it.
    assert deliver_due(now + timedelta(seconds=30)).sent == 0
    later = now + timedelta(seconds=lease_seconds() + 1)
    report = deliver_due(later)
    assert (report.reclaimed, report.sent) == (1, 1)
    row = _row(message)
    assert (row.status, row.attempts) == ("sent", 2)
    assert deliver_due(later + timedelta(hours=1)).sent == 0
    # Delivered exactly once more, with the same message id for the gateway to dedupe.
    assert [r["message_id"] for r in gateway.received] == [str(message.pk)] * 2
    # The late worker waking up cannot overwrite the new state.
    assert record_result(message.pk, 1, _failed(), later, jitter=0.0) == "stale"
    assert _row(message).status == "sent"


def _failed() -> SendResult:
    return SendResult(ok=False, retryable=True, error="HTTP 500")


def test_lost_worker_on_the_last_attempt_goes_dead(gateway: FakeGateway) -> None:
    now = timezone.now()
    message = _queue(now=now)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status="sending", attempts=3, locked_until=now - timedelta(seconds=1))
    report = deliver_due(now)
    assert (report.reclaimed, report.sent) == (1, 0)
    row = _row(message)
    assert row.status == "dead"
    assert "租约" in row.last_error
    assert gateway.received == []


def test_message_without_template_goes_dead_without_sending(gateway: FakeGateway) -> None:
    now = timezone.now()
    message = _queue(now=now)
    OutboxMessage.objects.filter(pk=message.pk).update(template="removed")
    assert deliver_due(now).dead == 1
    assert "removed" in _row(message).last_error
    assert gateway.received == []


def test_console_backend_keeps_the_message_and_logs_it_masked(
        caplog: pytest.LogCaptureFixture) -> None:
    now = timezone.now()
    message = _queue(now=now)
    with caplog.at_level("WARNING", logger="haochaping.notify.console"):
        assert deliver_due(now).sent == 1
    [sent] = ConsoleBackend.sent
    assert (sent.to, sent.message_id) == (PHONE, str(message.pk))
    assert "138****8000" in caplog.text
    assert PHONE not in caplog.text
