"""Each person's own inbox (issue 16): a work order arriving, coming back from QA or the
head, awaiting the head's 审阅 and nearly or already overdue is told to the people who owe
the step, never to another department, never to the staff member it is about, and never
with the rater's identity; SMS only for urgent events to those who keep SMS on."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.accounts.models import User
from haochaping.catalog.rules.calendar import SHANGHAI, end_of_day
from haochaping.evaluations.tests import factories as ef
from haochaping.notify.models import InboxItem, OutboxMessage
from haochaping.notify.services.inbox import inbox_preferences_set
from haochaping.workorders import services as s
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.services.clocks import sweep_deadline_warnings, sweep_overdue
from tests import factories as f

pytestmark = pytest.mark.django_db


def _events(user: Any) -> list[str]:
    return list(InboxItem.objects.filter(user=user).order_by("pk").values_list("event",
                                                                               flat=True))


def _no_identity() -> None:
    for text in InboxItem.objects.values_list("text", flat=True):
        assert ef.PHONE not in text
        assert "张" not in text  # no name of the rater (the factory's rater is 张…)


def test_arrival_return_and_qa_are_told_to_the_department_only(
        settings: Any, w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "haiyang"  # call-back and QA required
    second = f.make_user("handler2", role="handler", org=w.loc.market)
    w.rate()
    order = WorkOrder.objects.get()
    assert _events(w.people.handler) == ["new"]
    assert _events(second) == ["new"]
    assert _events(w.people.outsider) == []
    assert _events(w.people.head) == []
    assert _events(w.people.window_staff) == []
    assert _events(w.people.supervisor) == []
    item = InboxItem.objects.filter(user=w.people.handler).get()
    assert item.url == f"/work/orders/{order.pk}/"
    assert order.number in item.text
    s.workorder_sign(actor=w.handler, order=order)
    s.workorder_callback(actor=w.handler, order=order, method="phone", reached=True,
                         summary="已联系评价人")
    s.workorder_rectify(actor=w.handler, order=order, measures="一次性告知", result="已办结")
    s.workorder_reply(actor=w.handler, order=order, text="已整改，感谢监督")
    s.workorder_review(actor=w.supervisor, order=WorkOrder.objects.get(), passed=False,
                       reasons="整改措施不具体")
    assert _events(w.people.handler) == ["new", "returned"]
    assert _events(w.people.outsider) == []
    _no_identity()


def test_a_request_awaiting_review_tells_the_head(settings: Any, rq: SimpleNamespace) -> None:
    from haochaping.workorders.tests.conftest import PARTS

    settings.HCP_POLICY_PRESET = "xinxiang"  # head approval and QA (seed 004 §6(二))
    order = rq.open("complaint")
    assert _events(rq.people.handler) == ["new"]
    assert _events(rq.people.head) == []
    order = s.workorder_sign(actor=rq.handler, order=order)
    order = s.workorder_reply(actor=rq.handler, order=order, parts=PARTS)
    assert order.status == "approving"
    assert _events(rq.people.head) == ["review"]
    assert _events(rq.people.outsider) == []
    s.workorder_head_review(actor=rq.head, order=order, approved=False, reasons="请补充整改结果")
    assert _events(rq.people.handler) == ["new", "returned"]


def test_a_request_about_a_handler_is_not_told_to_them(rq: SimpleNamespace) -> None:
    about = f.make_staff(rq.loc.market, name="李四")
    subject = f.make_user("subject", role="handler", org=rq.loc.market, staff=about)
    rq.open("complaint", staff=about)
    assert _events(rq.people.handler) == ["new"]
    assert _events(subject) == []


def test_warning_and_overdue_reach_the_owers_and_sms_follows_the_preference(
        settings: Any, w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "zhengdong"
    User.objects.filter(pk=w.people.handler.pk).update(phone="13800000001")
    second = f.make_user("handler2", role="handler", org=w.loc.market, phone="13800000003")
    inbox_preferences_set(user=second, muted=[], sms=False)
    w.rate()
    order = s.workorder_sign(actor=w.handler, order=WorkOrder.objects.get())
    WorkOrder.objects.filter(pk=order.pk).update(rectify_due_at=end_of_day(date(2026, 10, 8)))
    w.clock(datetime(2026, 9, 30, 10, tzinfo=SHANGHAI))
    assert sweep_deadline_warnings(datetime(2026, 9, 30, 10, tzinfo=SHANGHAI)).endswith("1 sent")
    assert _events(w.people.handler)[-1] == "warning"
    assert _events(second)[-1] == "warning"
    texted = set(OutboxMessage.objects.filter(template="deadline_warning")
                 .values_list("dedupe_key", flat=True))
    assert texted == {f"wo-warn:{order.pk}:rectify:202610082359:{w.people.handler.pk}"}
    inbox_preferences_set(user=w.people.handler, muted=["overdue"], sms=True)
    late = datetime(2026, 10, 9, 10, tzinfo=SHANGHAI)
    w.clock(late)
    sweep_overdue(late)
    sweep_overdue(late)
    assert _events(w.people.handler)[-1] == "warning"  # turned overdue off
    assert _events(second)[-1] == "overdue"
    assert InboxItem.objects.filter(user=second, event="overdue").count() == 1
    assert _events(w.people.outsider) == []
    _no_identity()
