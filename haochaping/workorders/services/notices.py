"""Tell the department at once (seed 004 §9 asks departments to log in three times a day;
the platform tells them instead): an in-app ``Notification`` for every new (dispatched or
re-dispatched) order and every return (by the office's QA or the department head), and
an SMS through the notify outbox to the department's handlers with a phone when the
order is urgent. Written in the caller's transaction; once per event (the notice's
unique constraint, the outbox's dedupe key). The SMS names the order and its deadline,
never the submitter or the request.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from haochaping.accounts.models import User
from haochaping.accounts.roles import Role
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.notify.services import outbox_enqueue
from haochaping.workorders.models import Notification, OrderRequest, WorkOrder
from haochaping.workorders.rules import KIND_LABELS, Kind


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"


def _ticket(order: WorkOrder) -> str:
    return str(order.public_id)[:8]


def handlers_to_text(order: WorkOrder) -> list[User]:
    """The department's active handlers with a phone, never the staff member a request
    is about (seed 004 §10)."""
    staff_id = (OrderRequest.objects.filter(order_id=order.pk)
                .values_list("staff_id", flat=True).first())
    users = User.objects.filter(org_id=order.org_id, role=Role.HANDLER.value,
                                is_active=True).exclude(phone="")
    if staff_id is not None:
        users = users.exclude(Q(staff_id=staff_id))
    return list(users.order_by("pk"))


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
                               params={"ticket": _ticket(order), "deadline": _local(deadline)},
                               dedupe_key=f"{key}:{user.pk}") is not None
    return sent


def notify_new(order_id: int, now: datetime) -> None:
    """A new order at its department (opened or re-dispatched at ``now``)."""
    order = WorkOrder.objects.get(pk=order_id)
    label = KIND_LABELS[Kind(order.kind)]
    urgent = "（加急）" if order.urgent else ""
    due = order.next_due_at
    until = f"，请于 {_local(due)} 前处理" if due is not None else "，请及时签收"
    if _notice(order, "new", now, f"新{label}工单 {_ticket(order)}{urgent}{until}"):
        _sms(order, "workorder_urgent", due, f"wo-new:{order.pk}:{now:%Y%m%d%H%M%S%f}")


def notify_returned(order_id: int, now: datetime, *, by: str,
                    deadline: datetime | None) -> None:
    """An order sent back to its department at ``now`` by the office's QA or the head
    (``by``); ``deadline``: the close limit it now runs against."""
    order = WorkOrder.objects.get(pk=order_id)
    label = KIND_LABELS[Kind(order.kind)]
    text = f"{label}工单 {_ticket(order)} 被{by}退回重办，请查看退回理由"
    if _notice(order, "returned", now, text):
        _sms(order, "workorder_returned", deadline,
             f"wo-return:{order.pk}:{now:%Y%m%d%H%M%S%f}")
