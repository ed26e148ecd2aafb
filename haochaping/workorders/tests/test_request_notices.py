"""Departments are told at once (seed 004 §9), the first touch is stamped, and a request
stays with its readers (seed 004 §10): a planted complaint about a staff member never
reaches that staff member, and the auditor sees neither the request nor its handling."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.accounts.models import User
from haochaping.accounts.scoping import actor_for_user
from haochaping.core.errors import AppError
from haochaping.notify.models import OutboxMessage
from haochaping.workorders import selectors
from haochaping.workorders import services as s
from haochaping.workorders.models import Notification
from haochaping.workorders.services.clocks import sweep_deadline_warnings
from haochaping.workorders.tests.conftest import DISPATCH, PARTS
from tests import factories as f
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
SECRET = "投诉窗口工作人员张三态度恶劣，联系电话13911112222"


@pytest.fixture
def phones(rq: SimpleNamespace) -> SimpleNamespace:
    """Handlers of the market with a phone: one plain, one who is the staff member a
    complaint is about; the head and the office have phones too (never texted here)."""
    User.objects.filter(pk=rq.people.handler.pk).update(phone="13800000001")
    User.objects.filter(pk=rq.people.head.pk).update(phone="13800000003")
    User.objects.filter(pk=rq.people.supervisor.pk).update(phone="13800000004")
    staff = f.make_staff(rq.loc.market, name="张三")
    staffer = f.make_user("staffer", role="handler", org=rq.loc.market, staff=staff,
                          phone="13800000005")
    f.make_user("nophone", role="handler", org=rq.loc.market)
    return SimpleNamespace(staff=staff, staffer=staffer, actor=actor_for_user(staffer))


def sms(template: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template=template).order_by("pk"))


def texted(template: str) -> set[int]:
    """The users a template went to (the dedupe keys end with the user's id)."""
    return {int(m.dedupe_key.rsplit(":", 1)[1]) for m in sms(template)}


def test_a_new_order_is_announced_once_and_urgent_ones_by_sms(
        rq: SimpleNamespace, phones: SimpleNamespace) -> None:
    plain = rq.open("inquiry")
    assert Notification.objects.filter(order=plain, kind="new").count() == 1
    assert sms("workorder_urgent") == []  # not urgent: in-app only
    urgent = rq.open("complaint", urgent=True)
    note = Notification.objects.get(order=urgent, kind="new")
    assert (note.org_id, note.due_at) == (rq.loc.market.pk, DISPATCH)
    assert "加急" in note.text
    # The handlers with a phone; not the head, the office or a handler without a phone.
    assert texted("workorder_urgent") == {rq.people.handler.pk, phones.staffer.pk}
    message = sms("workorder_urgent")[0]
    assert set(message.params) == {"ticket", "deadline"}  # no submitter, no request text
    assert message.params["deadline"] == "2026-09-30 12:00"

    # Re-dispatched: the new department is told, the first one not again.
    office = rq.district_supervisor
    rq.clock(DISPATCH + timedelta(hours=1))
    moved = s.workorder_redispatch(actor=rq.supervisor, order=plain,
                                   org_id=rq.loc.district_hr.pk)
    assert office.covers(moved.org_path)
    assert list(Notification.objects.filter(order=plain, kind="new")
                .values_list("org_id", flat=True).order_by("pk")) == [
        rq.loc.market.pk, rq.loc.district_hr.pk]


def test_an_urgent_return_is_texted_once(settings: Any, rq: SimpleNamespace,
                                         phones: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"
    order = rq.open("complaint", urgent=True)
    rq.clock(DISPATCH + timedelta(minutes=30))
    order = s.workorder_sign(actor=rq.handler, order=order)
    order = s.workorder_reply(actor=rq.handler, order=order, parts=PARTS)
    rq.clock(DISPATCH + timedelta(minutes=40))
    s.workorder_head_review(actor=rq.head, order=order, approved=False, reasons="补充证据")
    assert len(sms("workorder_returned")) == 2  # once per handler
    assert texted("workorder_returned") == {rq.people.handler.pk, phones.staffer.pk}
    assert Notification.objects.filter(order=order, kind="returned").count() == 1


def test_nearly_overdue_requests_are_texted(rq: SimpleNamespace,
                                           phones: SimpleNamespace) -> None:
    order = rq.open("suggestion")  # contact limit ends 10-08: warned on 09-30
    assert sweep_deadline_warnings(DISPATCH) == "deadline warnings: 1 sent"
    assert sweep_deadline_warnings(DISPATCH + timedelta(hours=1)) == "deadline warnings: 0 sent"
    assert {m.dedupe_key for m in sms("deadline_warning")} == {
        f"wo-warn:{order.pk}:contact:202610082359:{user}"
        for user in (rq.people.handler.pk, phones.staffer.pk)}


def test_first_touch_is_the_department_s_first_act(rq: SimpleNamespace) -> None:
    order = rq.open("complaint")
    assert order.first_touch_at is None
    logged_in(rq.people.head).get(f"/work/orders/{order.pk}/")  # reading is no touch
    rq.clock(DISPATCH + timedelta(hours=3))
    order = s.workorder_sign(actor=rq.handler, order=order)
    assert order.first_touch_at == DISPATCH + timedelta(hours=3)
    rq.clock(DISPATCH + timedelta(hours=5))
    order = s.workorder_verify(actor=rq.handler, order=order, findings="已电话联系投诉人")
    assert order.first_touch_at == DISPATCH + timedelta(hours=3)  # the first only
    order = s.workorder_redispatch(actor=rq.supervisor, order=order,
                                   org_id=rq.loc.district_hr.pk)
    assert (order.first_touch_at, order.dispatched_at) == (None,
                                                           DISPATCH + timedelta(hours=5))


def test_a_complaint_about_a_staff_member_never_reaches_them(
        rq: SimpleNamespace, phones: SimpleNamespace) -> None:
    order = rq.open("complaint", urgent=True, staff=phones.staff, text=SECRET)
    them = phones.actor
    assert not selectors.queue_for(them).filter(pk=order.pk).exists()
    with pytest.raises(AppError):
        selectors.order_detail(them, order.pk)
    assert selectors.notifications_for(them, now=DISPATCH) == []
    assert texted("workorder_urgent") == {rq.people.handler.pk}  # never them
    sweep_deadline_warnings(DISPATCH)
    assert texted("deadline_warning") == {rq.people.handler.pk}
    client = logged_in(phones.staffer)
    for url in ("/work/orders/", f"/work/orders/{order.pk}/", "/api/v1/workorders/",
                f"/api/v1/workorders/{order.pk}"):
        response = client.get(url)
        assert "张三" not in response.content.decode(), url
    assert client.get(f"/api/v1/workorders/{order.pk}").status_code == 404
    # Their colleague handles it and reads it.
    assert selectors.order_detail(rq.handler, order.pk).request_text == SECRET


def test_the_auditor_sees_neither_the_request_nor_its_handling(rq: SimpleNamespace) -> None:
    order = rq.open("complaint", text=SECRET)
    rq.clock(DISPATCH + timedelta(hours=1))
    order = s.workorder_sign(actor=rq.handler, order=order)
    order = s.workorder_reply(actor=rq.handler, order=order, parts=PARTS)
    detail = selectors.order_detail(rq.auditor, order.pk)
    assert (detail.request_text, detail.reply_parts, detail.records["replies"]) == (
        None, [], [])
    assert all(e.note == "" and e.payload == {} for e in detail.events)
    auditor = logged_in(rq.people.auditor)
    for url in (f"/work/orders/{order.pk}/", f"/api/v1/workorders/{order.pk}"):
        body = auditor.get(url).content.decode()
        assert "张三" not in body, url
        assert PARTS["measures"] not in body, url
    head = selectors.order_detail(rq.head, order.pk)
    assert head.request_text == SECRET
    assert head.reply_parts[2] == ("整改措施", PARTS["measures"])
