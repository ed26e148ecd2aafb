"""Reads of items for an Actor (seed 004 §10: 不得将咨询投诉建议差评内容向相关工作人员以外的
其他人员透露).

Content and submitter are visible only to the supervising office whose subtree received
the item (``complaint`` write), and to the handlers and the head (``complaint`` read) of
the department its current order is assigned to; an item about a staff member
(``Submission.staff``) is never visible to the user linked to that Staff row, whatever
their role — here, and in the engine's selectors through ``hidden_from_staff``. The
submitter is shown masked; the unmasked identity is the office's only, through the vault's
audited reveal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor
from haochaping.catalog.models import Org
from haochaping.complaints.models import Submission, SubmissionEvent, SubmissionOrder
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.rules.routing import Route
from haochaping.core.errors import NotFound, PermissionDenied, ValidationError
from haochaping.vault.services import RaterIdentity, rater_reveal
from haochaping.workorders.models import OPEN_VALUES

MAX_PURPOSE = 170  # the vault's limit less the item's reference appended


def hidden_from_staff(staff_id: int) -> Q:
    """workorders hook: the orders of every item about this staff member."""
    return Q(pk__in=SubmissionOrder.objects.filter(submission__staff_id=staff_id)
             .values("order_id"))


def is_office(actor: Actor) -> bool:
    return not actor.is_client and actor.allows(access.COMPLAINT, access.WRITE)


def visible_submissions(actor: Actor) -> QuerySet[Submission]:
    """Every item ``actor`` may read: the office's subtree, or the current order's
    department for its handlers and head; never one about the actor's own Staff row."""
    if actor.is_client or not actor.allows(access.COMPLAINT, access.READ):
        return Submission.objects.none()
    qs = Submission.objects.all()
    path = actor.scope_path
    if is_office(actor):
        if path is not None:
            qs = qs.filter(office_path__startswith=path)
    else:
        qs = qs.filter(order__isnull=False)
        if path is not None:
            qs = qs.filter(order__org_path__startswith=path)
    staff_id = getattr(actor.user, "staff_id", None)
    if staff_id is not None:
        qs = qs.exclude(staff_id=staff_id)
    return qs


# The office's queues (key, label, condition); "overdue" needs the moment.
QUEUES: tuple[tuple[str, str], ...] = (
    ("triage", "待分拣"), ("refused", "不予受理"), ("accepted", "待交办"),
    ("dispatched", "办理中"), ("reopened", "未解决待复核"), ("overdue", "已超时"),
)
QUEUE_LABELS = dict(QUEUES)


def overdue_q(now: datetime) -> Q:
    """办理中 with a running clock of its order past due (contact 1, investigate 5,
    close 15 working days: the order's stored deadlines)."""
    late = (Q(order__contact_due_at__lt=now) | Q(order__investigate_due_at__lt=now)
            | Q(order__rectify_due_at__lt=now))
    return Q(status=Status.DISPATCHED.value, order__status__in=OPEN_VALUES) & late


def queue_q(queue: str, now: datetime) -> Q:
    if queue == "overdue":
        return overdue_q(now)
    return Q(status=queue)


def queue_counts(actor: Actor, now: datetime) -> list[dict[str, Any]]:
    base = visible_submissions(actor)
    return [{"key": key, "label": label, "count": base.filter(queue_q(key, now)).count()}
            for key, label in QUEUES]


@dataclass(frozen=True)
class Filters:
    queue: str = ""
    kind: str = ""
    channel: str = ""
    status: str = ""
    org_id: int | None = None
    ref: str = ""


def office_list(actor: Actor, filters: Filters, now: datetime) -> QuerySet[Submission]:
    """The actor's items, narrowed by the filters (never widened), oldest first in the
    working queues so nothing waits unseen."""
    qs = visible_submissions(actor).select_related("order", "order__org", "office")
    if filters.queue in QUEUE_LABELS:
        qs = qs.filter(queue_q(filters.queue, now))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.org_id is not None:
        org = Org.objects.filter(pk=filters.org_id).first()
        qs = (qs.filter(Q(order__org_path__startswith=org.path) | Q(org=org))
              if org else qs.none())
    if filters.ref:
        qs = qs.filter(ref__icontains=filters.ref.strip())
    return qs.order_by("received_at", "pk")


def first_touch(item: Submission) -> datetime | None:
    """When someone first acted on the item: the office's decision or the department's
    signing of its order, whichever came first."""
    moments = [m for m in (item.first_touch_at,
                           item.order.signed_at if item.order_id and item.order else None)
               if m is not None]
    return min(moments) if moments else None


def touch_delay(item: Submission, now: datetime) -> tuple[timedelta, bool]:
    """The time from arrival to first touch (or until now, still untouched)."""
    touched = first_touch(item)
    return (touched or now) - item.received_at, touched is not None


@dataclass
class SubmissionDetail:
    item: Submission
    events: list[SubmissionEvent]
    submitter_name: str
    submitter_phone: str
    office: bool  # the actor is the receiving office (actions, reveal)
    route: Route | None = None
    merged: list[Submission] = field(default_factory=list)
    orders: list[SubmissionOrder] = field(default_factory=list)


def get_submission(actor: Actor, pk: int) -> Submission:
    item = (visible_submissions(actor).select_related(
        "submitter", "order", "order__org", "office", "matter", "org", "window", "staff",
        "hall", "region", "merged_into").filter(pk=pk).first())
    if item is None:
        raise NotFound("complaint.not_found", "诉求件不存在或无权查看")
    return item


def submission_detail(actor: Actor, pk: int) -> SubmissionDetail:
    from haochaping.complaints.services.dispatch import route_of

    item = get_submission(actor, pk)
    rater = item.submitter
    office = is_office(actor)
    return SubmissionDetail(
        item=item, events=list(item.events.order_by("at", "pk")),
        submitter_name=rater.name_masked if rater else "",
        submitter_phone=rater.phone_masked if rater else "", office=office,
        route=route_of(item) if office and item.status == Status.ACCEPTED.value else None,
        merged=list(visible_submissions(actor).filter(merged_into=item)),
        orders=list(item.order_links.select_related("order", "order__org")
                    .order_by("at", "pk")))


def submitter_reveal(actor: Actor, pk: int, purpose: str) -> RaterIdentity:
    """The submitter's identity, unmasked, for the receiving office only (a call-back, a
    clarification), audited by the vault with the purpose and the item's reference."""
    item = get_submission(actor, pk)
    if not is_office(actor):
        raise PermissionDenied("complaint.reveal_forbidden", "只有受理机构可以查看诉求人身份")
    if item.submitter is None:
        raise NotFound("complaint.no_submitter", "该诉求件没有登记诉求人")
    purpose = " ".join((purpose or "").split())
    if not 2 <= len(purpose) <= MAX_PURPOSE:
        raise ValidationError("rater.reveal_purpose_required",
                              f"查看诉求人身份须说明用途（2 至 {MAX_PURPOSE} 字）", "purpose")
    return rater_reveal(actor=actor, rater=item.submitter, purpose=f"{purpose}（{item.ref}）",
                        found_in_scope=True, subject=f"submission:{item.pk}")
