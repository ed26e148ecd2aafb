"""Contract: the fake remote (the province, its own keys) sends down to our inbound API on
a live server, both databases (issue 13, "Conformance kit"; Jiangxi: SM2 signatures, SM4
identity fields): forwarded complaints land as items for the office and the outcome of a
closed one goes back up to that remote; ratings made on the province's app land on their
handling, or are parked when the handling is unknown, and never echo back; a replayed
request is refused with exchange.replayed; a batch sent again under a new nonce is
acknowledged again and stored once."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.accounts.scoping import actor_for_user
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.tests import factories as ef
from haochaping.exchange.fakeremote.process import FakeRemoteProcess
from haochaping.exchange.inbound.forwarded import forwarded_dispatch
from haochaping.exchange.models import (
    ForwardedItem,
    InboundRating,
    ParkedRating,
    RejectedMessage,
    Remote,
)
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.tests.kit import held, remote_row, remotes, sync_clock
from haochaping.exchange.tests.support import deliver, statuses
from haochaping.workorders import services as wo
from haochaping.workorders.models import WorkOrder

__all__ = ["remotes"]


@pytest.fixture
def province(remotes: dict[str, FakeRemoteProcess], transactional_db: Any,
             monkeypatch: pytest.MonkeyPatch, live_server: Any,
             ) -> tuple[FakeRemoteProcess, Remote, str]:
    """The Jiangxi platform (a fake remote), its Remote row here, and the base URL it posts
    to: our inbound API for that remote, under which the profile's own paths are served."""
    fake = remotes["jiangxi"]
    fake.reset()
    row = remote_row(fake, monkeypatch, name="jxprov")
    sync_clock(fake)
    return fake, row, f"{live_server.url}/api/v1/exchange/{row.name}"


PARTS = {"investigation": "复核材料清单", "process": "电话联系办理人",
         "measures": "一次性告知材料", "result": "已电话告知办理人"}  # seed 004 §6(二)


def acks(sent: dict[str, Any]) -> list[tuple[int, list[bool]]]:
    return [(r["status"], [a["ok"] for a in r.get("acks") or []]) for r in sent["requests"]]


def test_forwarded_complaints_come_down_and_the_outcome_goes_back(
        province: tuple[FakeRemoteProcess, Remote, str], locality: SimpleNamespace,
        personas: SimpleNamespace) -> None:
    fake, row, base = province
    sent = fake.send_down(base, "complaint", count=2, set={"org_code": locality.market.code})
    assert acks(sent) == [(200, [True, True])], sent
    items = ForwardedItem.objects.filter(remote=row).order_by("pk")
    assert [i.remote_key for i in items] == sent["keys"]
    assert {i.org_id for i in items} == {locality.market.pk}

    item = items[0]
    forwarded_dispatch(actor=actor_for_user(personas.supervisor), item=item,
                       org=locality.market)
    handler = actor_for_user(personas.handler)
    order = wo.workorder_sign(actor=handler, order=WorkOrder.objects.get())
    order = wo.workorder_rectify(actor=handler, order=order, measures="复核材料清单",
                                 result="已电话告知办理人")
    order = wo.workorder_reply(actor=handler, order=order, parts=PARTS,
                               text="已核实并一次性告知所需材料。")
    wo.workorder_head_review(actor=actor_for_user(personas.head), order=order, approved=True)
    key = f"complaint:{item.pk}:closed:1"
    deliver()
    assert statuses(row)[key] == "acked"
    answered = held(fake, Kind.COMPLAINT)[key]["record"]
    assert answered["reply"].startswith("已核实并一次性告知所需材料。")
    assert answered["remote_id"] == ForwardedItem.objects.get(pk=item.pk).remote_ref


def test_ratings_come_down_once_and_never_echo_back(
        province: tuple[FakeRemoteProcess, Remote, str], locality: SimpleNamespace) -> None:
    fake, row, base = province
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    handling = ef.make_handling(locality, client=source, rater=ef.make_rater())
    fake.control(duplicate_rate=1.0)
    sent = fake.send_down(base, "rating", count=1, replay=True, set={
        "proj_no": handling.proj_no, "org_code": locality.market.code, "channel": "app"})
    statuses_seen = [(r["status"], r.get("error", "")) for r in sent["requests"]]
    # the original, its byte-for-byte replay, the same key under a new nonce
    assert statuses_seen == [(200, ""), (409, "exchange.remote_status"), (200, "")], sent
    assert list(RejectedMessage.objects.values_list("code", flat=True)) == ["exchange.replayed"]
    rating = Evaluation.objects.get(handling=handling)
    assert rating.channel == "app"
    assert InboundRating.objects.filter(remote=row).count() == 1

    fake.control(duplicate_rate=0.0)
    parked = fake.send_down(base, "rating", count=1, start=7, set={
        "proj_no": "NOT-REPORTED-YET-1", "org_code": locality.market.code})
    assert acks(parked) == [(200, [True])]
    assert ParkedRating.objects.count() == 1

    deliver()  # the province's own rating does not go back to it
    assert held(fake, Kind.RATING) == {}
