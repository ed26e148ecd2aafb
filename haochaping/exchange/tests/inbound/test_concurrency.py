"""Two copies of one message at once (PostgreSQL, real transactions): the same request is
taken once and refused once as a replay; the same rating under two nonces is stored once
and acknowledged twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from django.db import connection
from django.test import Client

from haochaping.evaluations.models import Evaluation
from haochaping.exchange.models import InboundNonce, InboundRating, RejectedMessage
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.tests.inbound.support import post, rating, signed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_once(*sends: Callable[[], Any]) -> list[Any]:
    start = threading.Barrier(len(sends))
    answers: list[Any] = [None] * len(sends)

    def run(index: int) -> None:
        try:
            start.wait()
            answers[index] = sends[index]()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_the_same_request_twice_at_once(down: SimpleNamespace) -> None:
    request = signed(Kind.RATING, [rating(down.handling.proj_no, down.loc.market.code,
                                          codes=())])
    answers = at_once(lambda: post(Client(), request), lambda: post(Client(), request))
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert (Evaluation.objects.count(), InboundRating.objects.count(),
            InboundNonce.objects.count()) == (1, 1, 1)
    assert list(RejectedMessage.objects.values_list("code", flat=True)) == ["exchange.replayed"]


def test_the_same_rating_under_two_nonces_at_once(down: SimpleNamespace) -> None:
    record = rating(down.handling.proj_no, down.loc.market.code, codes=())
    first, second = signed(Kind.RATING, [record]), signed(Kind.RATING, [record])
    answers = at_once(lambda: post(Client(), first), lambda: post(Client(), second))
    assert [a.status_code for a in answers] == [200, 200]
    acks = [orjson.loads(a.content)["data"][0] for a in answers]
    assert [a["code"] for a in acks] == ["0", "0"]
    assert (Evaluation.objects.count(), InboundRating.objects.count()) == (1, 1)
    assert InboundRating.objects.get().status == "stored"
