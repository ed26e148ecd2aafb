"""Reads of work orders for an Actor: queues, the detail page with its timeline, and the
actions the actor may take now (the screens render buttons from it).

Window staff hold no ``work_order`` permission, so every selector gives them nothing; the
queue also drops any order about the actor's own Staff row (belt and braces: a window
staff member never sees an order about themselves with the rater's identity). Rater
identity is only ever the masked copy; unmasking is ``services.callback_reveal_phone``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.core.errors import NotFound, PermissionDenied
from haochaping.workorders import hooks, rules
from haochaping.workorders.models import (
    OPEN_VALUES,
    Appeal,
    Callback,
    Extension,
    Notification,
    OrderRequest,
    Rectification,
    Reply,
    Review,
    WorkOrder,
    WorkOrderEvent,
)
from haochaping.workorders.request_rules import labelled
from haochaping.workorders.rules import Action, Kind, Party, State
from haochaping.workorders.services.engine import party_of
from haochaping.workorders.services.replies import steps_done


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None
    kind: str | None = None
    overdue: bool | None = None
    typical_case: bool | None = None
    open_only: bool = False


def visible_orders(actor: Actor) -> QuerySet[WorkOrder]:
    if actor.is_client or not actor.allows(access.WORK_ORDER, access.READ):
        return WorkOrder.objects.none()
    qs = scope(WorkOrder.objects.all(), actor, "org_path")
    staff_id = getattr(actor.user, "staff_id", None)
    if staff_id is not None:  # nor a request about them (seed 004 §10)
        qs = qs.exclude(evaluation__staff_id=staff_id).exclude(request__staff_id=staff_id)
        for hidden in hooks.hidden_from_staff:  # e.g. a complaint about this staff member
            qs = qs.exclude(hidden(staff_id))
    return qs


def queue_for(actor: Actor, filters: QueueFilters | None = None,
              now: datetime | None = None) -> QuerySet[WorkOrder]:
    """The actor's orders, soonest rectification deadline first (no deadline last)."""
    filters = filters or QueueFilters()
    qs = visible_orders(actor).select_related("org", "evaluation__matter")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.open_only:
        qs = qs.filter(status__in=OPEN_VALUES)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.typical_case is not None:
        qs = qs.filter(typical_case=filters.typical_case)
    if filters.overdue is not None:
        moment = now or timezone.now()
        overdue = qs.filter(status__in=OPEN_VALUES, rectify_due_at__lt=moment)
        qs = overdue if filters.overdue else qs.exclude(pk__in=overdue.values("pk"))
    return qs.order_by(F("rectify_due_at").asc(nulls_last=True), "created_at", "pk")


def get_order(actor: Actor, pk: int) -> WorkOrder:
    order = visible_orders(actor).select_related("org", "evaluation__rater").filter(
        pk=pk).first()
    if order is None:
        raise NotFound("workorder.not_found", "工单不存在或不在本机构管辖范围内")
    return order


@dataclass
class OrderDetail:
    order: WorkOrder
    events: list[WorkOrderEvent]
    rater_name: str
    rater_phone: str
    records: dict[str, list[Any]] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)
    # An order without a rating: where its request came from, and its text for the
    # order's handlers and the office only (seed 004 §10; None for anyone else).
    request_source: str = ""
    request_text: str | None = None
    # The four elements of the latest reply of a request, for the same readers.
    reply_parts: list[tuple[str, str]] = field(default_factory=list)


def request_readable(actor: Actor) -> bool:
    """Who reads a request's text (seed 004 §10: 不得向相关工作人员以外的其他人员透露):
    the handlers who work the order, their head (who may write too) and the supervising
    office, inside their subtree (the caller found the order through
    :func:`visible_orders`); not the auditor."""
    return actor.allows(access.WORK_ORDER, access.WRITE) or actor.allows(
        access.SUPERVISION, access.READ)


def order_detail(actor: Actor, pk: int) -> OrderDetail:
    order = get_order(actor, pk)
    rater = order.evaluation.rater if order.evaluation is not None else None
    request = (OrderRequest.objects.filter(order=order).first()
               if order.evaluation_id is None else None)
    records: dict[str, list[Any]] = {
        "callbacks": list(Callback.objects.filter(order=order).order_by("at", "pk")),
        "rectifications": list(Rectification.objects.filter(order=order).order_by("at", "pk")),
        "replies": list(Reply.objects.filter(order=order).order_by("at", "pk")),
        "reviews": list(Review.objects.filter(order=order).order_by("at", "pk")),
        "extensions": list(Extension.objects.filter(order=order).order_by("at", "pk")),
        "appeals": list(Appeal.objects.filter(order=order).order_by("at", "pk")),
    }
    events = list(order.events.order_by("at", "pk"))
    readable = request is None or request_readable(actor)
    if not readable:  # a request's handling tells what it is about: its readers only
        records = {name: [] for name in records}
        for event in events:  # unsaved copies in memory, never written back
            event.note, event.payload = "", {}
    replies = records["replies"]
    return OrderDetail(
        order=order, events=events,
        rater_name=rater.name_masked if rater else "", rater_phone=rater.phone_masked if rater
        else "", records=records, actions=available_actions(actor, order),
        request_source=request.source if request else "",
        request_text=request.text if request and readable else None,
        reply_parts=labelled(replies[-1].parts) if request and replies else [])


def latest_reply_parts(actor: Actor, ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The four elements of the latest reply of each request order in ``ids`` that the
    actor may read (the office's QA list shows them)."""
    if not ids or not request_readable(actor):
        return {}
    found: dict[int, list[tuple[str, str]]] = {}
    for reply in (Reply.objects.filter(order__in=visible_orders(actor).filter(
            pk__in=ids, evaluation__isnull=True)).order_by("order_id", "-at", "-pk")):
        found.setdefault(reply.order_id, labelled(reply.parts))
    return found


def _party(actor: Actor) -> Party | None:
    try:
        return party_of(actor)
    except PermissionDenied:
        return None


def reply_blocker(actor: Actor, order: WorkOrder) -> str | None:
    """Why the department's reply form is not offered yet (e.g. 须先回访评价人), for the
    handler of a working order; None when it is offered or is not theirs to send."""
    if _party(actor) is not Party.HANDLER or State(order.status) not in rules.WORKING:
        return None
    if not actor.allows(access.WORK_ORDER, access.WRITE) or not actor.covers(order.org_path):
        return None
    policy, kind = effective_policy(order.org), Kind(order.kind)
    refusal = rules.reply_refusal(policy, steps_done(order.pk, order.returned_at), kind,
                                  rules.reply_action(policy, kind))
    return None if refusal is None else refusal.message


def available_actions(actor: Actor, order: WorkOrder,
                      now: datetime | None = None) -> list[Action]:
    """What the actor may do now: the table, its subtree, and the step's preconditions."""
    party = _party(actor)
    if party is None or party is Party.SYSTEM or not actor.allows(access.WORK_ORDER,
                                                                   access.WRITE):
        return []
    if not actor.covers(order.org_path):
        return []
    now = now or timezone.now()
    policy = effective_policy(order.org)
    state, kind = State(order.status), Kind(order.kind)
    allowed = []
    for action in rules.actions_for(state, party):
        if action in (Action.REPLY, Action.SUBMIT) and rules.reply_refusal(
                policy, steps_done(order.pk, order.returned_at), kind, action) is not None:
            continue
        if action is Action.EXTENSION_REQUEST and (
                not policy.rectify_extension_allowed
                or Extension.objects.filter(order=order, status="requested").exists()):
            continue
        if action is Action.EXTENSION_DECIDE and not Extension.objects.filter(
                order=order, status="requested").exists():
            continue
        if action is Action.APPEAL_FILE and (
                not policy.appeal_enabled or order.appeal_file_due_at is None
                or now > order.appeal_file_due_at):
            continue
        allowed.append(action)
    return allowed


NOTICE_DAYS = 7


def notifications_for(actor: Actor, *, now: datetime, limit: int = 8) -> list[Notification]:
    """The in-app deadline warnings, overdue notices and 督办 of the last week for orgs in
    the actor's subtree (the workbench's inbox; the worker's sweeps write them)."""
    if not actor.allows(access.WORK_ORDER, access.READ):
        return []
    since = now - timedelta(days=NOTICE_DAYS)
    qs = scope(Notification.objects.filter(created_at__gte=since), actor, path_field="org__path")
    staff_id = getattr(actor.user, "staff_id", None)
    if staff_id is not None:  # never a notice about an order about oneself
        qs = qs.exclude(order__evaluation__staff_id=staff_id).exclude(
            order__request__staff_id=staff_id)
    return list(qs.select_related("order", "org").order_by("-created_at", "-pk")[:limit])


def callback_context(actor: Actor, order: WorkOrder) -> dict[str, Any]:
    """What the order page offers around the call-back (issue 17): the relay's call
    records of the order, the handler's reveal form only where the policy allows it or
    their relay binding failed, the office's reveal beside the masked rater."""
    from haochaping.notify.services.relay import relay_calls_of
    from haochaping.workorders.services.relay import (
        CALLING_STATES,
        handler_may_reveal,
        subject_of,
    )

    context: dict[str, Any] = {"relay_calls": [], "may_reveal": False, "office_reveal": False}
    if order.evaluation_id is None or actor.user is None:
        return context
    context["relay_calls"] = relay_calls_of(subject_of(order))
    if not actor.allows(access.IDENTITY_REVEAL, access.READ):
        return context
    if actor.allows(access.SUPERVISION, access.WRITE):
        context["office_reveal"] = True
    elif State(order.status) in CALLING_STATES:
        context["may_reveal"] = handler_may_reveal(actor, order)
    return context
