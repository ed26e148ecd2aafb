"""Delivery through the other shipped profiles: SM2-SM3 signatures with SM4-encrypted
identity fields (jiangxi), and a profile that carries one record per request (anhui)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests.factories import ID_NO, PHONE
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.tests.support import deliver, remote_up, statuses

pytestmark = pytest.mark.django_db


def rate(world: SimpleNamespace) -> int:
    [rating] = evaluation_submit(handling=world.handling(), rating=RatingInput(5),
                                 channel=Channel.APP)
    return rating.pk


def test_identity_leaves_sm4_encrypted_under_an_sm2_signature(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, "jiangxi", kinds=["rating"]) as (fake, remote):
        rating = rate(world)
        deliver()
        assert statuses(remote) == {f"rating:{rating}:saved:1": "acked"}
    assert fake.rejected == []  # the remote verified our SM2 signature
    [request] = fake.requests
    assert (request.records[0].rater.cert_no, request.records[0].rater.phone) == (ID_NO, PHONE)
    # … which travelled encrypted: no identity on the wire
    assert ID_NO.encode() not in fake.bodies[0]
    assert PHONE.encode() not in fake.bodies[0]


def test_a_single_item_profile_sends_one_record_per_request(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, "anhui", kinds=["rating"], batch_size=1) as (fake, remote):
        ratings = [rate(world) for _ in range(3)]
        deliver()
        assert statuses(remote) == {f"rating:{pk}:saved:1": "acked" for pk in ratings}
    assert [(r.kind, len(r.keys)) for r in fake.requests] == [(Kind.RATING, 1)] * 3
