"""The circuit breaker, the rate limit and kill safety against a live remote: an outage
opens the breaker (nothing sent, nothing burnt), one probe closes it and the backlog
leaves; a worker that died mid-delivery loses nothing and doubles nothing."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.exchange import breaker, delivery, sending
from haochaping.exchange.models import OutboxRecord, RemoteBreaker
from haochaping.exchange.rules import delivery as rules
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.tests.support import deliver, remote_up, statuses
from haochaping.handlings.models import Handling

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _breaker(settings: Any) -> None:
    settings.HCP_EXCHANGE_BREAKER_FAILURES = 2
    settings.HCP_EXCHANGE_BREAKER_OPEN_SECONDS = 30
    settings.HCP_EXCHANGE_RETRY_BASE_SECONDS = 10
    settings.HCP_EXCHANGE_RETRY_CAP_SECONDS = 600
    settings.HCP_EXCHANGE_MAX_ATTEMPTS = 3


def rate(world: SimpleNamespace) -> Evaluation:
    [rating] = evaluation_submit(handling=world.handling(), rating=RatingInput(5),
                                 channel=Channel.APP)
    return rating


def attempts() -> list[int]:
    return list(OutboxRecord.objects.order_by("pk").values_list("attempts", flat=True))


def test_an_outage_opens_the_breaker_and_one_probe_brings_the_backlog_up(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["rating"], batch_size=1) as (fake, remote):
        fake.status = 503
        for _ in range(4):
            rate(world)
        start = timezone.now()
        deliver()
        # two failed requests open the breaker; the other records were never tried
        assert len(fake.requests) == 2
        assert attempts() == [1, 1, 0, 0]
        state = RemoteBreaker.objects.get(remote=remote)
        assert (state.state, state.failures) == ("open", 2)
        summary = deliver()  # while open: no task, nothing sent, nothing burnt
        assert f"{remote.pk}: open" in summary
        assert (len(fake.requests), attempts()) == (2, [1, 1, 0, 0])
        with time_machine.travel(start + timedelta(seconds=29), tick=False):
            deliver()
        assert len(fake.requests) == 2
        fake.status = 200  # the remote is back
        with time_machine.travel(start + timedelta(seconds=31), tick=False):
            deliver()
        # one probe of one record, then everything (the back-offs released)
        assert [len(r.keys) for r in fake.requests[2:]] == [1, 1, 1, 1]
        assert set(statuses(remote).values()) == {"acked"}
        assert breaker.current(remote.pk) == rules.Breaker()


def test_a_failed_probe_reopens_the_breaker_and_burns_no_attempt(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.HCP_EXCHANGE_BREAKER_FAILURES = 1
    with remote_up(monkeypatch, kinds=["rating"]) as (fake, remote):
        fake.status = 503
        rate(world)
        start = timezone.now()
        deliver()
        assert attempts() == [1]
        for minutes in (1, 2, 3, 4, 5):  # a remote down for a while: a probe a period
            with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
                deliver()
        assert len(fake.requests) == 6
        row = OutboxRecord.objects.get()
        assert (row.status, row.attempts) == ("pending", 1)  # MAX_ATTEMPTS is 3
        state = breaker.current(remote.pk)
        assert (state.state, state.opened_at) == (
            rules.BreakerState.OPEN, start + timedelta(minutes=5))


def test_a_probe_with_nothing_to_send_hands_the_probe_back(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["rating"]) as (_, remote):
        opened = timezone.now() - timedelta(minutes=1)
        RemoteBreaker.objects.create(remote=remote, state="open", failures=2, opened_at=opened)
        report, more = sending.deliver_remote(remote.pk, budget_seconds=5)
        assert (report.requests, more) == (0, False)
        assert breaker.current(remote.pk) == rules.Breaker(rules.BreakerState.OPEN, 2, opened)


def test_the_rate_limit_holds_a_request_until_the_next_window() -> None:
    moment = [1_000_000.2]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        moment[0] += seconds

    allowed = [sending.wait_for_rate(77, 2, clock=lambda: moment[0], sleep=sleep)
               for _ in range(3)]
    assert allowed == [True, True, True]
    assert slept == [0.8]  # the third request waited for the next second
    # a clock that never moves (a frozen test clock) never spins: the task hands over
    frozen = [sending.wait_for_rate(78, 1, clock=lambda: 5.5, sleep=lambda _: None)
              for _ in range(2)]
    assert frozen == [True, False]


def test_a_worker_killed_after_its_claim_loses_nothing(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["rating"]) as (fake, remote):
        rating = rate(world)
        now = timezone.now()
        [claimed] = delivery.claim(remote.pk, Kind.RATING, 10, now, lease=65)
        # … and its worker dies before sending: the row waits out its lease
        deliver()
        assert (fake.requests, statuses(remote)) == ([], {claimed.key: "sending"})
        with time_machine.travel(now + timedelta(seconds=66), tick=False):
            summary = deliver()
        assert "1 reclaimed" in summary
        assert statuses(remote) == {f"rating:{rating.pk}:saved:1": "acked"}
        row = OutboxRecord.objects.get()
        assert row.attempts == 2
    assert fake.keys_received == [claimed.key]


def test_a_worker_killed_after_sending_doubles_nothing(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["rating"]) as (fake, remote):
        rate(world)
        deliver()
        # the remote acked, but the worker died before storing it: its row is still
        # "sending" under an ended lease
        past = timezone.now() - timedelta(seconds=1)
        OutboxRecord.objects.update(status="sending", acked_at=None, locked_until=past)
        deliver()
        [key] = statuses(remote)
        assert statuses(remote) == {key: "acked"}
    # sent twice under one key: the remote keeps it once
    assert fake.keys_received == [key, key]


def test_a_late_outcome_of_a_lost_lease_is_dropped(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["rating"]) as (_, remote):
        rate(world)
        now = timezone.now()
        [first] = delivery.claim(remote.pk, Kind.RATING, 10, now, lease=1)
        later = now + timedelta(seconds=2)
        assert delivery.reclaim_expired(later) == 1
        [second] = delivery.claim(remote.pk, Kind.RATING, 10, later, lease=60)
        assert (first.attempt, second.attempt) == (1, 2)
        assert delivery.finish_acked([first], later) == 0  # the overrun worker's answer
        assert delivery.finish_acked([second], later) == 1


def test_a_record_that_keeps_killing_its_worker_ends_dead(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    with remote_up(monkeypatch, kinds=["rating"]) as (_, remote):
        rate(world)
        now = timezone.now()
        for attempt in range(settings.HCP_EXCHANGE_MAX_ATTEMPTS):
            moment = now + timedelta(minutes=attempt)
            assert delivery.claim(remote.pk, Kind.RATING, 10, moment, lease=1)
            delivery.reclaim_expired(moment + timedelta(seconds=2))
        row = OutboxRecord.objects.get()
        assert (row.status, row.error_code) == ("dead", "exchange.lease_expired")


def test_a_probe_whose_record_cannot_leave_hands_the_probe_on(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["handling"]) as (fake, remote):
        handling = world.handling(status="accepted")
        Handling.objects.filter(pk=handling.pk).update(status="withdrawn")
        opened = timezone.now() - timedelta(minutes=1)
        RemoteBreaker.objects.create(remote=remote, state="open", failures=2, opened_at=opened)
        sending.deliver_remote(remote.pk, budget_seconds=5)
        assert OutboxRecord.objects.get().status == "dead"
        assert fake.requests == []
        # not left half-open for a probe nobody sent: the next record may probe at once
        assert breaker.current(remote.pk) == rules.Breaker(rules.BreakerState.OPEN, 2, opened)
