"""Ratings made on the provincial platform come down: stored as our ratings with the
remote's channel code kept, idempotent on re-delivery, parked for an unknown handling
and matched when it arrives, a bad one opening its work order."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from django.test import Client
from django.utils import timezone

from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.tests import factories as ef
from haochaping.exchange.inbound.ratings import parked_match
from haochaping.exchange.inbound.tasks import inbound_upkeep
from haochaping.exchange.models import InboundNonce, InboundRating, ParkedRating
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.profiles import shipped_profile
from haochaping.exchange.rules.wire import sign
from haochaping.exchange.tests.inbound.support import (
    key_of,
    nonce,
    post,
    rating,
    ring,
    signed,
    snapshot,
)
from haochaping.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def answer(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json")
    return orjson.loads(response.content)  # type: ignore[no-any-return]


def test_a_rating_is_stored_as_ours_with_the_remote_channel_code(down: SimpleNamespace) -> None:
    record = rating(down.handling.proj_no, down.loc.market.code, channel="app")
    response = post(Client(), signed(Kind.RATING, [record]))
    assert response.status_code == 200
    body = answer(response)
    assert body["code"] == "0"
    assert body["data"] == [{"dataId": key_of(record), "code": "0", "msg": "已接收"}]
    link = InboundRating.objects.get()
    evaluation = Evaluation.objects.get()
    assert (link.status, link.evaluation_id, link.rating_id) == ("stored", evaluation.pk,
                                                                 record.rating_id)
    assert (link.channel, link.remote_channel) == ("app", "2")  # national pf 2
    assert (evaluation.handling_id, evaluation.level, evaluation.channel) == (
        down.handling.pk, 5, "app")
    assert evaluation.rater_id == down.rater.pk
    assert evaluation.created_at == record.assessed_at  # made then, on the remote's app
    assert InboundNonce.objects.count() == 1


def test_the_same_rating_twice_is_acknowledged_twice_and_stored_once(
        down: SimpleNamespace) -> None:
    record = rating(down.handling.proj_no, down.loc.market.code)
    first = answer(post(Client(), signed(Kind.RATING, [record])))
    again = answer(post(Client(), signed(Kind.RATING, [record])))  # a fresh nonce
    assert first["data"] == again["data"]
    assert again["data"][0]["code"] == "0"
    assert (Evaluation.objects.count(), InboundRating.objects.count()) == (1, 1)
    # The same rating under another key (the remote re-numbered its message): still one.
    other = signed(Kind.RATING, [record])
    body = orjson.loads(other.body)
    body["data"][0]["dataId"] = "rating:renumbered:saved:2"
    resigned = sign(shipped_profile("national"), "/api/exchange/evaluations", body,
                    keys=ring(), now=timezone.now(), nonce=nonce())
    third = answer(post(Client(), resigned))
    assert third["data"][0] == {"dataId": "rating:renumbered:saved:2", "code": "0",
                                "msg": "已接收"}
    assert (Evaluation.objects.count(), InboundRating.objects.count()) == (1, 1)


def test_a_phone_rating_of_the_province_needs_no_local_phone_entry(
        down: SimpleNamespace) -> None:
    record = rating(down.handling.proj_no, down.loc.market.code, channel="phone")
    assert answer(post(Client(), signed(Kind.RATING, [record])))["data"][0]["code"] == "0"
    assert Evaluation.objects.get().channel == "phone"
    assert InboundRating.objects.get().remote_channel == "6"


def test_a_bad_rating_opens_a_work_order(down: SimpleNamespace, run_tasks: Any) -> None:
    record = rating(down.handling.proj_no, down.loc.market.code, level=1,
                    codes=("108",), text="要求提交办事指南以外的材料")
    assert answer(post(Client(), signed(Kind.RATING, [record])))["data"][0]["code"] == "0"
    run_tasks()
    order = WorkOrder.objects.get()
    evaluation = Evaluation.objects.get()
    assert (order.kind, order.evaluation_id, order.org_id, order.status) == (
        "bad_review", evaluation.pk, down.loc.market.pk, "dispatched")


def test_a_rating_our_rules_refuse_is_acknowledged_as_refused_and_remembered(
        down: SimpleNamespace) -> None:
    ef.make_handling(down.loc, client=down.source, rater=down.rater)  # another handling
    first = rating(down.handling.proj_no, down.loc.market.code)
    post(Client(), signed(Kind.RATING, [first]))
    second = rating(down.handling.proj_no, down.loc.market.code, level=4, codes=("413",))
    body = answer(post(Client(), signed(Kind.RATING, [second])))
    assert body["data"][0]["code"] == "evaluation.already_rated"  # national policy
    assert body["data"][0]["msg"] == "该办件已评价，一次服务只能评价一次"
    refused = InboundRating.objects.get(rating_id=second.rating_id)
    assert (refused.status, refused.evaluation_id, refused.error_code) == (
        "refused", None, "evaluation.already_rated")
    assert Evaluation.objects.count() == 1
    again = answer(post(Client(), signed(Kind.RATING, [second])))
    assert again["data"] == body["data"]
    assert InboundRating.objects.count() == 2


@pytest.mark.parametrize(("changes", "code"), [
    ({"invalidated_at": timezone.now().replace(microsecond=0), "invalid_reason": "恶意差评"},
     "exchange.invalidation_unknown"),
    ({"channel": "default"}, "exchange.rating_default"),
])
def test_what_is_not_a_new_rating_is_refused_per_item_and_stores_nothing(
        down: SimpleNamespace, changes: dict[str, Any], code: str) -> None:
    good = rating(down.handling.proj_no, down.loc.market.code)
    odd = replace(rating("OTHER-1", down.loc.market.code), **changes)
    body = answer(post(Client(), signed(Kind.RATING, [odd, good])))
    assert [i["code"] for i in body["data"]] == [code, "0"]
    assert body["data"][0]["msg"]
    assert InboundRating.objects.get().rating_id == good.rating_id


def test_a_rating_for_an_unknown_handling_is_parked_then_matched(
        down: SimpleNamespace, run_tasks: Any) -> None:
    record = rating("LATE-0001", down.loc.market.code, level=2, codes=("213",),
                    text="窗口人员业务不熟练")
    body = answer(post(Client(), signed(Kind.RATING, [record])))
    assert body["data"][0]["code"] == "0"
    assert "暂存" in body["data"][0]["msg"]
    link = InboundRating.objects.get()
    parked = ParkedRating.objects.get()
    assert (link.status, link.evaluation_id) == ("parked", None)
    assert (parked.status, parked.proj_no, parked.org_path) == (
        "waiting", "LATE-0001", down.loc.market.path)
    assert "rater" not in parked.fields
    assert "张三" not in orjson.dumps(parked.fields).decode()
    assert not Evaluation.objects.exists()
    assert parked_match(now=timezone.now()) == (0, 0)  # still no handling

    late = ef.make_handling(down.loc, client=down.source, rater=down.rater,
                            proj_no="LATE-0001")
    report = inbound_upkeep.call(timezone.now().isoformat())
    assert "1 matched" in report
    parked.refresh_from_db()
    link.refresh_from_db()
    evaluation = Evaluation.objects.get()
    assert (parked.status, link.status, link.evaluation_id) == ("matched", "stored",
                                                                evaluation.pk)
    assert (evaluation.handling_id, evaluation.level) == (late.pk, 2)
    run_tasks()
    assert WorkOrder.objects.get().evaluation_id == evaluation.pk  # bad: its order opened
    assert parked_match(now=timezone.now()) == (0, 0)  # settled once


def test_a_parked_rating_waits_while_its_handling_is_not_completed(
        down: SimpleNamespace) -> None:
    record = rating("LATE-0002", down.loc.market.code)
    post(Client(), signed(Kind.RATING, [record]))
    pending = ef.make_handling(down.loc, client=down.source, rater=down.rater,
                               proj_no="LATE-0002", status="accepted")
    assert parked_match(now=timezone.now()) == (0, 0)
    parked = ParkedRating.objects.get()
    assert (parked.status, parked.error_code, parked.attempts) == (
        "waiting", "evaluation.not_completed", 1)
    pending.status, pending.completed_at = "completed", timezone.now() - timedelta(minutes=30)
    pending.save()
    assert parked_match(now=timezone.now()) == (1, 0)
    assert Evaluation.objects.get().handling_id == pending.pk


def test_a_parked_rating_refused_on_matching_is_kept_with_the_reason(
        down: SimpleNamespace) -> None:
    record = rating("LATE-0003", down.loc.market.code)
    post(Client(), signed(Kind.RATING, [record]))
    late = ef.make_handling(down.loc, client=down.source, rater=down.rater,
                            proj_no="LATE-0003", rating_closes_at=timezone.now() - timedelta(
                                days=1))
    before = snapshot()
    assert parked_match(now=timezone.now()) == (0, 1)
    assert snapshot() == before  # no rating, nothing new
    parked = ParkedRating.objects.get()
    assert (parked.status, parked.error_code) == ("refused", "evaluation.window_closed")
    assert InboundRating.objects.get().status == "refused"
    assert not late.evaluations.exists()
