"""Tell the department at once (seed 004 §9 asks departments to log in three times a day;
the platform tells them instead): an in-app ``Notification`` for every new (dispatched or
re-dispatched) order and every return (by the office's QA or the department head), a
notification in each handler's own inbox (notify's ``InboxItem``; the head's when a reply
awaits their 审阅), and an SMS through the notify outbox to the department's handlers with
a phone and SMS on when the order is urgent. Written in the caller's transaction; once
per event (the notice's unique constraint, the inbox's and the outbox's dedupe keys). The
texts name the order by its number (``WorkOrder.number``) and its deadline, never the
rater, the submitter or the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q
from django.urls import reverse

from haochaping.accounts.models import User
from haochaping.accounts.roles import Role
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.notify.services import outbox_enqueue
from haochaping.notify.services.inbox import inbox_post, sms_wanted
from haochaping.workorders.models import Notification, OrderRequest, WorkOrder
from haochaping.workorders.rules import KIND_LABELS, Kind


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"


def people_of(order: WorkOrder, roles: Iterable[Role] = (Role.HANDLER,)) -> list[User]:
    """The active users of the order's department in ``roles``, never the staff member a
    request is about (seed 004 §10)."""
    staff_id = (OrderRequest.objects.filter(order_id=order.pk)
                .values_list("staff_id", flat=True).first())
    users = User.objects.filter(org_id=order.org_id, role__in=[r.value for r in roles],
                                is_active=True)
    if staff_id is not None:
        users = users.exclude(Q(staff_id=staff_id))
    if order.evaluation_id is not None:  # nor the staff member a bad review is about
        staff = order.evaluation.staff_id if order.evaluation else None
        if staff is not None:
            users = users.exclude(staff_id=staff)
    return list(users.order_by("pk"))


def handlers_to_text(order: WorkOrder) -> list[User]:
    """The department's handlers with a phone who keep SMS reminders on."""
    return sms_wanted([u for u in people_of(order) if u.phone])


def order_url(order: WorkOrder) -> str:
    return reverse("workorders:order", args=[order.pk])


def tell(order: WorkOrder, users: list[User], event: str, text: str, key: str,
         now: datetime, *, urgent: bool = False) -> int:
    """The order's event in each person's own inbox (their preferences decide)."""
    return inbox_post(users=users, event=event, text=text, url=order_url(order), key=key,
                      now=now, urgent=urgent)


def _notice(order: WorkOrder, kind: str, moment: datetime, text: str) -> bool:
    _row, created = Notification.objects.get_or_create(
        order=order, kind=kind, clock="", due_at=moment,
        defaults={"org_id": order.org_id, "text": text[:200], "created_at": moment})
    return created


def _sms(order: WorkOrder, template: str, deadline: datetime | None, key: str) -> int:
    if not order.urgent or deadline is None:
        return 0
    sent = 0
    for user in handlers_to_text(order):
        sent += outbox_enqueue(template=template, to=user.phone,
                               params={"ticket": order.number, "deadline": _local(deadline)},
                               dedupe_key=f"{key}:{user.pk}") is not None
    return sent


def notify_new(order_id: int, now: datetime) -> None:
    """A new order at its department (opened or re-dispatched at ``now``)."""
    order = WorkOrder.objects.select_related("evaluation").get(pk=order_id)
    label = KIND_LABELS[Kind(order.kind)]
    urgent = "（加急）" if order.urgent else ""
    due = order.next_due_at
    until = f"，请于 {_local(due)} 前处理" if due is not None else "，请及时签收"
    text = f"新{label}工单 {order.number}{urgent}{until}"
    if _notice(order, "new", now, text):
        key = f"wo-new:{order.pk}:{now:%Y%m%d%H%M%S%f}"
        tell(order, people_of(order), "new", text, key, now, urgent=order.urgent)
        _sms(order, "workorder_urgent", due, key)


def notify_returned(order_id: int, now: datetime, *, by: str,
                    deadline: datetime | None) -> None:
    """An order sent back to its department at ``now`` by the office's QA or the head
    (``by``); ``deadline``: the close limit it now runs against."""
    order = WorkOrder.objects.select_related("evaluation").get(pk=order_id)
    label = KIND_LABELS[Kind(order.kind)]
    text = f"{label}工单 {order.number} 被{by}退回重办，请查看退回理由"
    if _notice(order, "returned", now, text):
        key = f"wo-return:{order.pk}:{now:%Y%m%d%H%M%S%f}"
        tell(order, people_of(order), "returned", text, key, now, urgent=order.urgent)
        _sms(order, "workorder_returned", deadline, key)


def notify_review(order_id: int, now: datetime) -> None:
    """A reply submitted for the department head's 审阅 (in-app to the heads only)."""
    order = WorkOrder.objects.select_related("evaluation").get(pk=order_id)
    label = KIND_LABELS[Kind(order.kind)]
    tell(order, people_of(order, (Role.DEPT_HEAD,)), "review",
         f"{label}工单 {order.number} 的答复待您审阅", f"wo-review:{order.pk}:"
         f"{now:%Y%m%d%H%M%S%f}", now)
