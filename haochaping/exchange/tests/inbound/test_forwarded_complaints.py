"""Forwarded items land in the complaints app (issue 14): each becomes a Submission judged
by the acceptance filter; a refusal goes back to the remote as the outcome; the item is
dispatched and closed through the complaints flow, however the office dispatched it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from django.test import Client
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.complaints.models import Submission
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.services.decisions import submission_refuse
from haochaping.complaints.services.moves import submission_move
from haochaping.core.errors import AppError
from haochaping.exchange.inbound.forwarded import (
    forwarded_dispatch,
    forwarded_on_submission_refused,
    forwarded_record,
)
from haochaping.exchange.models import ForwardedItem, OutboxRecord
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.tests.inbound.support import complaint, post, signed
from haochaping.workorders import services as wo
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.services.requests import workorder_open_request
from haochaping.workorders.tests.conftest import PARTS

pytestmark = pytest.mark.django_db

CLEAR = "窗口人员多次要求补充同样的材料，希望一次性告知"


def receive(*records: Any) -> list[dict[str, Any]]:
    response = post(Client(), signed(Kind.COMPLAINT, list(records)), kind="complaint")
    assert response.status_code == 200, response.content
    return orjson.loads(response.content)["data"]  # type: ignore[no-any-return]


def office(down: SimpleNamespace) -> Any:
    return actor_for_user(down.people.supervisor)


def close(down: SimpleNamespace, order: WorkOrder, text: str) -> None:
    """The four-element reply (seed 004 §6(二)), the head's approval, the office's QA."""
    handler = actor_for_user(down.people.handler)
    wo.workorder_sign(actor=handler, order=order)
    wo.workorder_reply(actor=handler, order=order, text=text, parts=PARTS)
    wo.workorder_head_review(actor=actor_for_user(down.people.head), order=order,
                             approved=True)
    wo.workorder_review(actor=office(down), order=order, passed=True)


def outcomes(item: ForwardedItem) -> list[tuple[int, str]]:
    return list(OutboxRecord.objects.filter(kind="complaint", object_id=item.pk)
                .order_by("version").values_list("version", "event"))


def test_an_item_becomes_a_submission_about_its_handling(down: SimpleNamespace) -> None:
    [ack] = receive(complaint(org_code=down.loc.market.code, proj_no=down.handling.proj_no,
                              content=CLEAR))
    assert ack["code"] == "0"
    item = ForwardedItem.objects.select_related("submission").get()
    sub = item.submission
    assert sub is not None
    assert (sub.kind, sub.channel, sub.reply_channel, sub.status) == (
        "complaint", "province", "remote", "accepted")
    assert (sub.org_id, sub.matter_id, sub.window_id, sub.staff_id) == (
        down.loc.market.pk, down.handling.matter_id, down.handling.window_id,
        down.handling.staff_id)
    assert (sub.office_id, sub.submitter_id, sub.content) == (
        down.loc.city_office.pk, item.submitter_id, CLEAR)
    assert item.status == "received"
    assert not OutboxRecord.objects.filter(kind="complaint").exists()


def test_a_refused_item_answers_its_reason_back(down: SimpleNamespace) -> None:
    record = complaint(org_code=down.loc.market.code, content="你好？")
    [ack] = receive(record)
    assert ack["code"] == "0"  # received; the refusal is the outcome, not a rejection
    item = ForwardedItem.objects.select_related("submission").get()
    assert item.submission is not None
    assert (item.status, item.submission.status, item.submission.reason) == (
        "refused", "refused", "no_content")
    assert item.reply.startswith("不予受理")
    assert item.replied_at is not None
    assert outcomes(item) == [(1, "closed")]
    assert forwarded_record(item).reply == item.reply
    assert AuditEvent.objects.filter(action="exchange.forwarded_refused").count() == 1
    before = list(ForwardedItem.objects.values()), WorkOrder.objects.count()
    with pytest.raises(AppError) as caught:
        forwarded_dispatch(actor=office(down), item=item, org=down.loc.market)
    assert caught.value.code == "exchange.forwarded_refused"
    assert (list(ForwardedItem.objects.values()), WorkOrder.objects.count()) == before
    client = Client()
    client.force_login(down.people.supervisor)
    page = client.get("/work/exchange/inbound/?tab=refused").content.decode()
    assert item.submission.ref in page
    assert "不予受理" in page


def test_a_refusal_the_office_decides_later_is_answered_back(down: SimpleNamespace) -> None:
    receive(complaint(org_code=down.loc.market.code, content=CLEAR))
    sub = Submission.objects.get()
    item = ForwardedItem.objects.get()
    forwarded_on_submission_refused(sub.pk)  # not refused: nothing happens
    assert (ForwardedItem.objects.get().status, outcomes(item)) == ("received", [])
    submission_move(sub, Status.REFUSED, action="refuse", now=timezone.now(),
                    public_note="不予受理：属于信访事项，请通过信访渠道反映",
                    updates={"reason": "petition"})
    forwarded_on_submission_refused(sub.pk)
    forwarded_on_submission_refused(sub.pk)  # once only
    item.refresh_from_db()
    assert (item.status, item.reply) == ("refused", "不予受理：属于信访事项，请通过信访渠道反映")
    assert outcomes(item) == [(1, "closed")]


def test_the_offices_refusal_reaches_the_province_through_the_hook(
        down: SimpleNamespace) -> None:
    """The office refuses the forwarded item on the complaints screens (services.decisions):
    complaints' ``submission_refused`` hook answers it back in the same transaction."""
    receive(complaint(org_code=down.loc.market.code, content=CLEAR))
    sub = Submission.objects.get()
    assert sub.status == "accepted"  # a forwarded item waits for the office
    submission_refuse(sub, actor=office(down), reason="petition", note="属信访事项",
                      now=timezone.now())
    item = ForwardedItem.objects.get()
    assert item.status == "refused"
    assert item.reply.startswith("不予受理")
    assert outcomes(item) == [(1, "closed")]


def test_dispatch_moves_the_submission_and_closing_answers(down: SimpleNamespace,
                                                           settings: Any) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"
    receive(complaint(org_code=down.loc.market.code, content=CLEAR))
    item = ForwardedItem.objects.get()
    forwarded_dispatch(actor=office(down), item=item, org=down.loc.market)
    item.refresh_from_db()
    sub = Submission.objects.get()
    assert (sub.status, sub.order_id) == ("dispatched", item.work_order_id)
    assert sub.events.filter(action="dispatch").count() == 1
    close(down, sub.order, "经核实，已一次性告知。")
    item.refresh_from_db()
    assert item.status == "closed"
    assert item.reply.startswith("经核实，已一次性告知。")  # then the four elements
    assert outcomes(item) == [(1, "closed")]


def test_an_item_dispatched_from_the_complaints_side_still_answers(
        down: SimpleNamespace, settings: Any) -> None:
    """The complaints screens open the order and move the submission: the close hook finds
    the forwarded item through the submission's order."""
    settings.HCP_POLICY_PRESET = "xinxiang"
    receive(complaint(org_code=down.loc.market.code, content=CLEAR))
    sub = Submission.objects.get()
    order = workorder_open_request(actor=office(down), kind="complaint", org=down.loc.market,
                                   text=sub.content, source="诉求件")
    submission_move(sub, Status.DISPATCHED, action="dispatch",
                    now=timezone.now(), updates={"order": order})
    close(down, order, "已答复诉求人。")
    item = ForwardedItem.objects.get()
    assert (item.status, item.work_order_id) == ("closed", None)
    assert item.reply.startswith("已答复诉求人。")
    assert outcomes(item) == [(1, "closed")]


def test_an_overturned_refusal_is_answered_again(down: SimpleNamespace,
                                                 settings: Any) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"
    receive(complaint(org_code=down.loc.market.code, content="你好？"))
    sub = Submission.objects.get()
    order = workorder_open_request(actor=office(down), kind="complaint", org=down.loc.market,
                                   text=sub.content, source="改判受理")
    submission_move(sub, Status.DISPATCHED, action="overturn",
                    now=timezone.now(), updates={"order": order})
    close(down, order, "经电话联系，已解答。")
    item = ForwardedItem.objects.get()
    assert item.status == "closed"
    assert item.reply.startswith("经电话联系，已解答。")  # then the four elements
    assert outcomes(item) == [(1, "closed"), (2, "closed")]


def test_a_duplicate_follows_the_item_it_was_merged_into(down: SimpleNamespace,
                                                          settings: Any) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"
    receive(complaint(org_code=down.loc.market.code, content=CLEAR))
    receive(complaint(org_code=down.loc.market.code, content=CLEAR))
    first, again = ForwardedItem.objects.select_related("submission").order_by("pk")
    assert again.submission is not None
    assert (again.submission.status, again.submission.merged_into_id) == (
        "merged", first.submission_id)
    with pytest.raises(AppError) as caught:
        forwarded_dispatch(actor=office(down), item=again, org=down.loc.market)
    assert caught.value.code == "exchange.forwarded_merged"
    assert WorkOrder.objects.count() == 0
    forwarded_dispatch(actor=office(down), item=first, org=down.loc.market)
    close(down, WorkOrder.objects.get(), "两件一并答复。")
    for item in (first, again):
        item.refresh_from_db()
        assert item.status == "closed"
        assert item.reply.startswith("两件一并答复。")  # then the four elements
        assert outcomes(item) == [(1, "closed")]


def test_content_the_intake_refuses_is_refused_unwritten(down: SimpleNamespace) -> None:
    [ack] = receive(complaint(org_code=down.loc.market.code, content="长" * 4001))
    assert (ack["code"], ack["msg"]) == ("complaint.content_too_long", "诉求内容不能超过 4000 个字")
    assert not ForwardedItem.objects.exists()
    assert not Submission.objects.exists()


def test_a_forwarded_complaint_about_a_staff_member_never_reaches_them(
        down: SimpleNamespace) -> None:
    """Dispatched on 上级转办, the order knows the staff member the complaint is about
    (their handling's), and their login never reads it (seed 004 §10)."""
    from haochaping.evaluations.tests import factories as ef
    from haochaping.workorders.models import OrderRequest
    from haochaping.workorders.selectors import visible_orders

    served = ef.make_handling(down.loc, client=down.handling.client, rater=down.handling.rater)
    assert served.staff_id == down.loc.staff.pk
    receive(complaint(org_code=down.loc.market.code, proj_no=served.proj_no, content=CLEAR))
    item = ForwardedItem.objects.get()
    forwarded_dispatch(actor=office(down), item=item, org=down.loc.market)
    item.refresh_from_db()
    assert OrderRequest.objects.get(order=item.work_order).staff_id == down.loc.staff.pk
    # the staff member's login, as a handler of that very department: still never
    staffer = down.people.window_staff
    type(staffer).objects.filter(pk=staffer.pk).update(role="handler")
    staffer.refresh_from_db()
    assert not visible_orders(actor_for_user(staffer)).filter(pk=item.work_order_id).exists()
    assert visible_orders(actor_for_user(down.people.handler)).filter(
        pk=item.work_order_id).exists()
