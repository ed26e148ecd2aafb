"""诉求件受理台 (the office's side of issue 14): queues with counts, the item page with its
timeline and the actions the actor may take, one POST per action calling the services.
Handlers and heads reach the items of their department's orders, read-only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.models import Org
from haochaping.complaints import selectors
from haochaping.complaints.models import Submission
from haochaping.complaints.office.common import EVENT_LABELS, org_of, reader, refused
from haochaping.complaints.rules.causes import cause_choices
from haochaping.complaints.rules.kinds import CHANNEL_LABELS, KIND_LABELS, STATUS_LABELS
from haochaping.complaints.rules.reasons import REASONS
from haochaping.complaints.services import causes, decisions, dispatch
from haochaping.core.bounds import is_key
from haochaping.core.errors import AppError, NotFound
from haochaping.core.htmx import htmx

PAGE_SIZE = 20


def _filters(request: HttpRequest) -> tuple[selectors.Filters, dict[str, str]]:
    params = {k: request.GET.get(k, "").strip()[:40]
              for k in ("queue", "kind", "channel", "status", "org", "ref")}
    org = params["org"]
    filters = selectors.Filters(
        queue=params["queue"] if params["queue"] in selectors.QUEUE_LABELS else "",
        kind=params["kind"] if params["kind"] in {k.value for k in KIND_LABELS} else "",
        channel=params["channel"] if params["channel"] in {c.value for c in CHANNEL_LABELS}
        else "",
        status=params["status"] if params["status"] in {s.value for s in STATUS_LABELS}
        else "",
        org_id=int(org) if is_key(org) else None, ref=params["ref"])
    return filters, params


def _rows(page: Any, now: Any) -> list[dict[str, Any]]:
    rows = []
    for item in page:
        delay, touched = selectors.touch_delay(item, now)
        rows.append({"item": item, "hours": round(delay.total_seconds() / 3600, 1),
                     "touched": touched})
    return rows


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    try:
        actor = reader(request)
    except AppError as exc:
        return refused(request, exc)
    now = timezone.now()
    filters, params = _filters(request)
    paginator = Paginator(selectors.office_list(actor, filters, now), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "page": page, "rows": _rows(page, now), "params": params, "query": query.urlencode(),
        "counts": selectors.queue_counts(actor, now), "office": selectors.is_office(actor),
        "kinds": [(k.value, v) for k, v in KIND_LABELS.items()],
        "channels": [(k.value, v) for k, v in CHANNEL_LABELS.items()],
        "statuses": [(k.value, v) for k, v in STATUS_LABELS.items()],
        "orgs": scope(Org.objects.filter(kind="handling", is_active=True), actor)
        .order_by("path"),
    }
    if htmx(request) and htmx(request).target == "cx-table":
        return render(request, "complaints/office/partials/table.html", context)
    return render(request, "complaints/office/queue.html", context)


def detail_context(actor: Actor, pk: int) -> dict[str, Any]:
    detail = selectors.submission_detail(actor, pk)
    item = detail.item
    now = timezone.now()
    delay, touched = selectors.touch_delay(item, now)
    reason = REASONS.get(item.reason) if item.reason else None
    return {
        "d": detail, "item": item, "reason": reason, "now": now,
        "hours": round(delay.total_seconds() / 3600, 1), "touched": touched,
        "timeline": [(e, EVENT_LABELS.get(e.action, e.action)) for e in detail.events],
        "reasons": [(r.code, f"{r.category.label}：{r.label}") for r in REASONS.values()],
        "orgs": scope(Org.objects.filter(kind="handling", is_active=True), actor)
        .filter(path__startswith=item.office_path).order_by("path"),
        "actions": actions_for(detail),
        "causes": cause_choices(),
    }


def actions_for(detail: selectors.SubmissionDetail) -> list[str]:
    """The forms shown: the office's, by status (the services decide again)."""
    if not detail.office:
        return []
    return {
        "triage": ["accept", "refuse", "merge"], "accepted": ["dispatch", "refuse", "merge"],
        "refused": ["overturn"], "dispatched": ["redispatch"],
        "reopened": ["dispatch", "close"],
    }.get(detail.item.status, [])


@login_required
@require_GET
def item_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        context = detail_context(reader(request), pk)
    except AppError as exc:
        return refused(request, exc)
    if htmx(request):
        return render(request, "complaints/office/partials/detail_body.html", context)
    return render(request, "complaints/office/item.html", context)


Step = Callable[[Actor, Submission, HttpRequest], object]


def _p(request: HttpRequest, key: str) -> str:
    return request.POST.get(key, "")


STEPS: dict[str, Step] = {
    "accept": lambda a, i, r: decisions.submission_accept(
        i, actor=a, now=timezone.now(), note=_p(r, "note"), org=org_of(r.POST)),
    "refuse": lambda a, i, r: decisions.submission_refuse(
        i, actor=a, reason=_p(r, "reason"), note=_p(r, "note"), now=timezone.now()),
    "overturn": lambda a, i, r: decisions.submission_overturn(
        i, actor=a, note=_p(r, "note"), now=timezone.now(), org=org_of(r.POST)),
    "merge": lambda a, i, r: decisions.submission_merge(
        i, actor=a, target_ref=_p(r, "target_ref"), note=_p(r, "note"), now=timezone.now()),
    "dispatch": lambda a, i, r: dispatch.submission_dispatch(
        i, actor=a, org=_required_org(r), now=timezone.now(), note=_p(r, "note")),
    "redispatch": lambda a, i, r: dispatch.submission_redispatch(
        i, actor=a, org=_required_org(r), note=_p(r, "note"), now=timezone.now()),
    "close": lambda a, i, r: decisions.submission_close_reopened(
        i, actor=a, note=_p(r, "note"), now=timezone.now()),
    "cause": lambda a, i, r: causes.submission_set_cause(
        i, actor=a, cause=_p(r, "cause"), now=timezone.now()),
}


def _required_org(request: HttpRequest) -> Org:
    org = org_of(request.POST, required=True)
    if org is None:  # pragma: no cover - org_of raised already
        raise NotFound("complaint.invalid_org", "请选择承办部门")
    return org


def _respond(request: HttpRequest, actor: Actor, pk: int,
             error: AppError | None) -> HttpResponse:
    if error is None and not htmx(request):
        return redirect("complaints:office_item", pk=pk)
    try:
        context = detail_context(actor, pk)
    except AppError as gone:
        return refused(request, error or gone)
    context["error"] = error
    context["done"] = error is None
    name = ("complaints/office/partials/detail_body.html" if htmx(request)
            else "complaints/office/item.html")
    return render(request, name, context, status=error.status if error else 200)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    try:
        actor = reader(request)
        item = selectors.get_submission(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    handler = STEPS.get(step)
    if handler is None:
        return refused(request, NotFound("complaint.unknown_action", "未知的操作"))
    try:
        handler(actor, item, request)
    except AppError as exc:
        return _respond(request, actor, pk, exc)
    return _respond(request, actor, pk, None)


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The submitter's identity for the office: explicit, with a purpose, audited."""
    try:
        identity = selectors.submitter_reveal(reader(request), pk, _p(request, "purpose"))
    except AppError as exc:
        return render(request, "complaints/office/partials/identity.html", {"error": exc},
                      status=exc.status)
    return render(request, "complaints/office/partials/identity.html", {"identity": identity})
