"""承办部门工作台: the actor's queue (their org subtree, soonest deadline first, with a
live countdown) and the order page with the review, the records, the deadlines, the
timeline and the forms of exactly the actions the actor may take now."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.models import Matter, Org
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.core.bounds import is_key, parse_day
from haochaping.core.errors import AppError
from haochaping.core.htmx import htmx
from haochaping.vault.selectors import access_alerts_for
from haochaping.workorders import selectors, stepper
from haochaping.workorders.models import Callback, WorkOrder
from haochaping.workorders.request_rules import REPLY_PARTS
from haochaping.workorders.rules import STATE_LABELS, Kind, State, needs_head_approval
from haochaping.workorders.views.common import (
    EVENT_LABELS,
    clocks_of,
    code_labels,
    reader,
    refused,
)

PAGE_SIZE = 20


def _date(raw: str | None) -> date | None:
    """A filter's day; one that is not a day of the calendar filters nothing."""
    try:
        return parse_day(raw, "date")
    except AppError:
        return None


def _filtered(actor: Actor, params: dict[str, str]) -> QuerySet[WorkOrder]:
    """The selector's queue, narrowed by the form (never widened: every filter applies
    to what ``queue_for`` already scoped)."""
    status = params.get("status") or None
    overdue = True if params.get("overdue") == "1" else None
    qs = selectors.queue_for(actor, selectors.QueueFilters(
        status=status if status in STATE_LABELS else None, overdue=overdue))
    org_id, matter_id = params.get("org", ""), params.get("matter", "")
    if is_key(org_id):
        org = scope(Org.objects.all(), actor).filter(pk=int(org_id)).first()
        qs = qs.filter(org_path__startswith=org.path) if org else qs.none()
    if is_key(matter_id):
        qs = qs.filter(evaluation__matter_id=int(matter_id))
    start, end = _date(params.get("from")), _date(params.get("to"))
    if start:
        qs = qs.filter(created_at__date__gte=start)
    if end:
        qs = qs.filter(created_at__date__lte=end)
    return qs


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    try:
        actor = reader(request)
    except AppError as exc:
        return refused(request, exc)
    params = {k: request.GET.get(k, "") for k in ("status", "overdue", "org", "matter",
                                                   "from", "to")}
    paginator = Paginator(_filtered(actor, params), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "page": page, "params": params, "query": query.urlencode(), "now": timezone.now(),
        "states": [(s.value, s.label) for s in State],
        "orgs": scope(Org.objects.filter(kind="handling"), actor).order_by("path"),
        "matters": scope(Matter.objects.all(), actor).order_by("name")[:300],
        "notices": selectors.notifications_for(actor, now=timezone.now()),
        "access_alerts": access_alerts_for(actor, now=timezone.now()),
    }
    if htmx(request) and htmx(request).target == "queue-table":
        return render(request, "workorders/partials/queue_table.html", context)
    return render(request, "workorders/queue.html", context)


def _progress(actor: Actor, detail: selectors.OrderDetail) -> dict[str, Any]:
    """The stepper, the engine's allowed actions split into next steps and others, the
    reply's precondition while it is not met, and the reply a reviewer judges."""
    order = detail.order
    policy = effective_policy(order.org)
    steps = stepper.stepper(State(order.status), qa=policy.qa_required,
                            head_approval=needs_head_approval(policy, Kind(order.kind)))
    main, side = stepper.split_actions(detail.actions)
    replies = detail.records.get("replies", [])
    return {"steps": steps, "action_groups": [[a.value for a in main], [a.value for a in side]],
            "next_labels": [stepper.action_label(a) for a in main],
            "reply_blocker": selectors.reply_blocker(actor, order),
            "judged_reply": replies[-1] if replies else None}


def detail_context(actor: Actor, pk: int) -> dict[str, Any]:
    detail = selectors.order_detail(actor, pk)
    order = detail.order
    return {
        "d": detail, "order": order, "evaluation": order.evaluation, **_progress(actor, detail),
        "actions": [a.value for a in detail.actions], "clocks": clocks_of(order),
        "labels": code_labels(order), "methods": Callback.METHODS,
        "timeline": [(e, EVENT_LABELS.get(e.action, e.action)) for e in detail.events],
        "attachments": list(order.attachments.order_by("created_at", "pk")),
        "orgs": scope(Org.objects.filter(kind="handling"), actor).exclude(
            pk=order.org_id).order_by("path"),
        "today": timezone.localdate(), "now": timezone.now(), "reply_parts": REPLY_PARTS,
        **selectors.callback_context(actor, order),
    }


@login_required
@require_GET
def order_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        context = detail_context(reader(request), pk)
    except AppError as exc:
        return refused(request, exc)
    if htmx(request):
        return render(request, "workorders/partials/order_body.html", context)
    return render(request, "workorders/order.html", context)
