"""Claims (exchange.delivery.claim): oldest first, one kind per batch, a twice-retried row
alone, and never a child before its parent is through (several slots at once)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_invalidate, evaluation_submit
from haochaping.exchange import delivery
from haochaping.exchange.models import OutboxRecord
from haochaping.exchange.rules.canonical import Ack, Kind
from haochaping.exchange.tests.factories import make_remote

pytestmark = pytest.mark.django_db
LEASE = 60


def rate(world: SimpleNamespace, **kw: object) -> Evaluation:
    [rating] = evaluation_submit(handling=world.handling(**kw), rating=RatingInput(4),
                                 channel=Channel.WEB)
    return rating


def keys(rows: list[delivery.Claimed]) -> list[str]:
    return [row.key for row in rows]


def test_a_rating_waits_while_its_handling_is_on_its_way(world: SimpleNamespace) -> None:
    remote = make_remote()
    first, second = rate(world), rate(world)
    now = timezone.now()
    # slot A takes the first handling only
    OutboxRecord.objects.filter(kind="handling", object_id=second.handling_id).update(
        next_attempt_at=now + timedelta(hours=1))
    [taken] = delivery.claim(remote.pk, Kind.HANDLING, 10, now, LEASE)
    assert taken.object_id == first.handling_id
    # slot B: neither rating may go (one handling is sending, the other pending)
    assert delivery.claim(remote.pk, Kind.RATING, 10, now, LEASE) == []
    delivery.finish_acked([taken], now)
    assert keys(delivery.claim(remote.pk, Kind.RATING, 10, now, LEASE)) == [
        f"rating:{first.pk}:saved:1"]
    # a parent that is dead holds nothing back
    OutboxRecord.objects.filter(kind="handling", object_id=second.handling_id).update(
        status="dead")
    assert keys(delivery.claim(remote.pk, Kind.RATING, 10, now, LEASE)) == [
        f"rating:{second.pk}:saved:1"]


def test_an_invalidation_waits_for_its_rating(world: SimpleNamespace) -> None:
    remote = make_remote(kinds=(Kind.RATING,))
    rating = rate(world)
    evaluation_invalidate(actor=actor_for_user(world.people.supervisor), evaluation=rating,
                          reason="重复评价")
    now = timezone.now()
    [saved] = delivery.claim(remote.pk, Kind.RATING, 1, now, LEASE)
    assert saved.key == f"rating:{rating.pk}:saved:1"
    assert delivery.claim(remote.pk, Kind.RATING, 10, now, LEASE) == []
    delivery.finish_acked([saved], now)
    assert keys(delivery.claim(remote.pk, Kind.RATING, 10, now, LEASE)) == [
        f"rating:{rating.pk}:invalidated:1"]


def test_a_batch_is_one_kind_oldest_first_and_a_retried_row_goes_alone(
        world: SimpleNamespace) -> None:
    remote = make_remote(kinds=(Kind.RATING,))
    ratings = [rate(world) for _ in range(4)]
    now = timezone.now()
    OutboxRecord.objects.filter(object_id=ratings[1].pk).update(
        attempts=2, next_attempt_at=now - timedelta(days=1))
    [alone] = delivery.claim(remote.pk, Kind.RATING, 10, now, LEASE)
    assert (alone.object_id, alone.attempt) == (ratings[1].pk, 3)
    batch = delivery.claim(remote.pk, Kind.RATING, 10, now, LEASE)
    assert [row.object_id for row in batch] == [ratings[0].pk, ratings[2].pk, ratings[3].pk]
    assert set(OutboxRecord.objects.values_list("status", flat=True)) == {"sending"}
    row = OutboxRecord.objects.get(object_id=ratings[0].pk)
    assert (row.attempts, row.sent_at, row.locked_until) == (1, now, now + timedelta(
        seconds=LEASE))
    assert delivery.claim(remote.pk, Kind.HANDLING, 10, now, LEASE) == []


def test_an_answer_without_the_key_acks_the_one_record_it_answers(
        world: SimpleNamespace) -> None:
    remote = make_remote(kinds=(Kind.RATING,))
    rate(world)
    rate(world)
    now = timezone.now()
    [one] = delivery.claim(remote.pk, Kind.RATING, 1, now, LEASE)
    report = delivery.apply_acks([one], [Ack(key="", ok=True)], now, burns=True)
    assert (report.acked, report.retried) == (1, 0)
    two = delivery.claim(remote.pk, Kind.RATING, 1, now, LEASE)
    # an answer that is not exactly one ack for one record must name the records
    report = delivery.apply_acks(two, [Ack(key="", ok=True), Ack(key="", ok=True)], now,
                                 burns=True)
    assert (report.acked, report.retried) == (0, 1)
