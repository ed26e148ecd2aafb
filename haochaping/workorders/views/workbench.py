"""承办部门工作台: the actor's queue (their org subtree, soonest deadline first, with a
live countdown) and the order page with the review, the records, the deadlines, the
timeline and the forms of exactly the actions the actor may take now."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.models import Matter, Org
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.core import listing
from haochaping.core.bounds import is_key, parse_day
from haochaping.core.errors import AppError
from haochaping.core.htmx import htmx
from haochaping.core.localtime import local_day
from haochaping.vault import blind_index
from haochaping.vault.selectors import access_alerts_for
from haochaping.workorders import selectors, stepper
from haochaping.workorders.models import Callback, WorkOrder
from haochaping.workorders.numbering import number_key
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
FILTERS = ("status", "overdue", "org", "matter", "from", "to")
# The shared list helper's columns (core.listing): sort keys, searched and hashed fields.
SORTS: dict[str, tuple[str, ...]] = {
    "due": ("rectify_due_at", "created_at"), "dispatched": ("dispatched_at",),
    "status": ("status",), "org": ("org__path",), "matter": ("evaluation__matter__name",),
}
TEXT_FIELDS = ("public_id", "handling__proj_no", "evaluation__handling__proj_no",
               "evaluation__matter__name")
REFERENCE = re.compile(r"^CP(\d{8})-(\d{6,})$")  # evaluations.reference, a 差评's reference
PHONE_FIELDS = ("evaluation__rater__phone_index", "handling__rater__phone_index")


def phone_hash(phone: str) -> str:
    return blind_index("phone", phone)


def list_query(request: HttpRequest, filters: tuple[str, ...] = FILTERS
               ) -> listing.ListQuery:
    return listing.parse_list(request.GET, sorts=SORTS, default_sort="due", filters=filters)


def searched(qs: QuerySet[WorkOrder], lq: listing.ListQuery) -> QuerySet[WorkOrder]:
    """The list narrowed by the search: a whole order number (差评-20261207-000123) or
    the reference a rater was given after a 差评 (CP20261207-000456) finds its order;
    other text is matched against ``TEXT_FIELDS``."""
    by_number = numbered(qs, lq.text)
    if by_number is not None:
        qs, lq = by_number, dataclasses.replace(lq, text="")
    return listing.apply(qs, lq, text_fields=TEXT_FIELDS, phone_fields=PHONE_FIELDS,
                         sorts=SORTS)


def numbered(qs: QuerySet[WorkOrder], text: str) -> QuerySet[WorkOrder] | None:
    typed = text.strip().upper()
    reference = REFERENCE.match(typed)
    if reference:
        day, rating = reference.groups()
        found = qs.filter(evaluation_id=int(rating)).select_related("evaluation")
        return qs.filter(pk__in=[o.pk for o in found if o.evaluation is not None
                                 and f"{local_day(o.evaluation.created_at):%Y%m%d}" == day])
    key = number_key(typed)
    if key is None:
        return None
    return qs.filter(pk__in=[o.pk for o in qs.filter(pk=key) if o.number == typed])


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
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    """The queue; its search form is a POST (a phone never in a URL, core.listing)."""
    try:
        actor = reader(request)
    except AppError as exc:
        return refused(request, exc)
    if request.method == "POST" or listing.phone_in_query(request.GET):
        form = request.POST if request.method == "POST" else request.GET
        target = listing.search_target(form, hasher=phone_hash, filters=FILTERS)
        return redirect(f"{request.path}?{target}" if target else request.path)
    lq = list_query(request)
    page = listing.page_of(searched(_filtered(actor, lq.filters), lq), lq, PAGE_SIZE)
    context: dict[str, Any] = {
        "page": page, "params": lq.filters, "lq": lq, "now": timezone.now(),
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
