"""The downward exchange and the upward outbox: a rating that came from a remote goes up
to the other remotes but never back to its own (its row acknowledged in the storing
transaction), and the outcome of a forwarded item goes back, over HTTP, to the remote
that forwarded it and to it only."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from django.test import Client
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.tests import factories as ef
from haochaping.exchange import routes
from haochaping.exchange.inbound.forwarded import forwarded_dispatch
from haochaping.exchange.inbound.ratings import parked_match
from haochaping.exchange.models import ForwardedItem, OutboxRecord
from haochaping.exchange.records import records
from haochaping.exchange.rules.canonical import ComplaintRecord, Kind
from haochaping.exchange.tests.inbound.support import complaint, post, rating, signed
from haochaping.exchange.tests.support import RING, deliver, remote_up, statuses
from haochaping.workorders import services as wo
from haochaping.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def test_a_remotes_rating_goes_to_the_others_not_back(
        down: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch) as (fake, national):
        routes.routes_sync()  # the province (henan) receives ratings too
        record = rating(down.handling.proj_no, down.loc.market.code)
        assert post(Client(), signed(Kind.RATING, [record])).status_code == 200
        evaluation = Evaluation.objects.get()
        key = f"rating:{evaluation.pk}:saved:1"
        assert statuses(down.remote) == {key: "acked"}  # it came from there
        assert statuses(national) == {key: "pending"}
        deliver()
        assert fake.keys_received == [key]
        assert statuses(national) == {key: "acked"}

        late = rating("LATE-0100", down.loc.market.code)
        post(Client(), signed(Kind.RATING, [late]))
        handling = ef.make_handling(down.loc, client=down.source, rater=down.rater,
                                    proj_no="LATE-0100")
        assert parked_match(now=timezone.now()) == (1, 0)
        matched = Evaluation.objects.get(handling=handling)
        rows = OutboxRecord.objects.filter(kind="rating", object_id=matched.pk)
        assert dict(rows.values_list("remote_id", "status")) == {down.remote.pk: "acked",
                                                                 national.pk: "pending"}


def test_the_outcome_of_a_forwarded_item_goes_back_to_its_remote(
        down: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch) as (fake, national):
        record = complaint(org_code=down.loc.market.code)
        response = post(Client(), signed(Kind.COMPLAINT, [record], keys=RING),
                        remote="national", kind="complaint")
        assert orjson.loads(response.content)["data"][0]["code"] == "0"
        item = ForwardedItem.objects.get()
        assert item.remote_id == national.pk
        office = actor_for_user(down.people.supervisor)
        handler = actor_for_user(down.people.handler)
        forwarded_dispatch(actor=office, item=item, org=down.loc.market)
        order = WorkOrder.objects.get()
        wo.workorder_sign(actor=handler, order=order)
        wo.workorder_rectify(actor=handler, order=order, measures="复核材料清单",
                             result="已电话告知办理人")
        assert not OutboxRecord.objects.filter(kind="complaint").exists()  # still open
        order = wo.workorder_reply(actor=handler, order=order, text="已核实并一次性告知所需材料。",
                                   parts={"investigation": "复核材料清单",
                                          "process": "电话联系办理人",
                                          "measures": "一次性告知材料",
                                          "result": "已电话告知办理人"})
        wo.workorder_head_review(actor=actor_for_user(down.people.head), order=order,
                                 approved=True)
        item.refresh_from_db()
        assert item.status == "closed"  # national preset: the head's approval closes it
        key = f"complaint:{item.pk}:closed:1"
        assert statuses(national) == {key: "pending"}
        assert not OutboxRecord.objects.exclude(remote=national).filter(
            kind="complaint").exists()  # the other remote forwarded nothing
        [built] = records(Kind.COMPLAINT, [item.pk]).values()
        assert isinstance(built, ComplaintRecord)
        assert built.remote_id == record.remote_id
        assert built.reply.startswith("已核实并一次性告知所需材料。")
        assert built.submitter.phone == "13912345678"  # the profile sends it back

        page = f"/work/exchange/inbound/items/{item.pk}/"
        office_client = Client()
        office_client.force_login(down.people.supervisor)
        assert "待回传national 平台" in office_client.get(page).content.decode()

        deliver()
        assert "已回传national 平台" in office_client.get(page).content.decode()
        [received] = fake.requests
        assert (received.kind, received.keys) == (Kind.COMPLAINT, [key])
        [sent] = received.records
        assert isinstance(sent, ComplaintRecord)
        assert (sent.remote_id, sent.reply, sent.replied_at) == (
            record.remote_id, item.reply, item.replied_at.replace(microsecond=0)
            if item.replied_at else None)
        assert statuses(national) == {key: "acked"}
        wo_closed: Any = WorkOrder.objects.get()
        assert wo_closed.status == "closed"
