"""数据上报 (the office's exchange screen, /work/exchange/): per remote platform the
upward outbox's counts, the circuit breaker, the oldest waiting change; the refused and
dead records with their errors and a re-send (one, or all); 补报 of a date range and/or an
org. The supervising office and the system admin (``accounts.rules`` resource
``exchange``), each inside its org subtree. Thin: selectors read, services write."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import AppError, ValidationError
from haochaping.core.htmx import htmx
from haochaping.exchange import selectors, services
from haochaping.exchange.models import Remote
from haochaping.exchange.rules import delivery as rules

PAGE_SIZE = 20


def _refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    name = "exchange/partials/error.html" if htmx(request) else "exchange/error.html"
    return render(request, name, {"error": exc}, status=exc.status)


def _actor(request: HttpRequest) -> Actor:
    return selectors.reader(actor_for_user(request.user))


@login_required
@require_GET
def office(request: HttpRequest) -> HttpResponse:
    try:
        summaries = selectors.remote_summaries(_actor(request))
    except AppError as exc:
        return _refused(request, exc)
    context = {"summaries": summaries, "now": timezone.now(), "labels": rules.STATUS_LABELS}
    if htmx(request):
        return render(request, "exchange/partials/summaries.html", context)
    return render(request, "exchange/office.html", context)


def _records_context(actor: Actor, remote: Remote, status: str, page: str | None,
                     ) -> dict[str, Any]:
    rows = selectors.problem_records(actor, remote, status)
    status = status if status in rules.RESENDABLE else rules.DEAD
    return {"remote": remote, "status": status, "status_label": rules.STATUS_LABELS[status],
            "page": Paginator(rows, PAGE_SIZE).get_page(page)}


@login_required
@require_GET
def records(request: HttpRequest, remote_id: int) -> HttpResponse:
    try:
        actor = _actor(request)
        remote = selectors.remote_get(actor, remote_id)
        context = _records_context(actor, remote, request.GET.get("status", rules.DEAD),
                                   request.GET.get("page"))
    except AppError as exc:
        return _refused(request, exc)
    name = "exchange/partials/records.html" if htmx(request) else "exchange/records.html"
    return render(request, name, context)


@login_required
@require_POST
def resend(request: HttpRequest, record_id: int) -> HttpResponse:
    try:
        actor = _actor(request)
        record = services.outbox_resend(actor=actor, record=selectors.record_get(
            actor, record_id), ip=client_ip_or_none(request))
    except AppError as exc:
        return _refused(request, exc)
    return render(request, "exchange/partials/record_row.html",
                  {"record": record, "resent": True})


@login_required
@require_POST
def resend_all(request: HttpRequest, remote_id: int) -> HttpResponse:
    status = request.POST.get("status", rules.DEAD)
    try:
        actor = _actor(request)
        remote = selectors.remote_get(actor, remote_id)
        count = services.outbox_resend_all(actor=actor, remote=remote, statuses=(status,),
                                           ip=client_ip_or_none(request))
        context = _records_context(actor, remote, status, None)
    except AppError as exc:
        return _refused(request, exc)
    context["done"] = count
    return render(request, "exchange/partials/records.html", context)


def _day(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError("exchange.bad_date", "日期格式应为 YYYY-MM-DD", field) from None


@login_required
@require_http_methods(["GET", "POST"])
def backfill(request: HttpRequest, remote_id: int) -> HttpResponse:
    try:
        actor = _actor(request)
        remote = selectors.remote_get(actor, remote_id)
        orgs = selectors.backfill_orgs(actor)
    except AppError as exc:
        return _refused(request, exc)
    context: dict[str, Any] = {"remote": remote, "orgs": orgs, "form": request.POST}
    if request.method == "POST":
        try:
            org_id = request.POST.get("org", "")
            org = orgs.filter(pk=int(org_id)).first() if org_id.isdigit() else None
            if org_id and org is None:
                raise ValidationError("exchange.bad_org", "机构不在本机构管辖范围内", "org")
            context["result"] = services.outbox_backfill(
                actor=actor, remote=remote, day_from=_day(request.POST.get("from", ""), "from"),
                day_to=_day(request.POST.get("to", ""), "to"), org=org,
                ip=client_ip_or_none(request))
        except AppError as exc:
            context["error"] = exc
            return render(request, "exchange/backfill.html", context, status=exc.status)
    return render(request, "exchange/backfill.html", context)
