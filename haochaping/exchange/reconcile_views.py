"""对账 (the reconciliation report, under 数据上报 at /work/exchange/<remote>/reconcile/):
per remote the recent days with their differences, one day's orgs and kinds (differences
first, our counts beside the remote's), the XLSX of differences, and one action that
re-sends the missing records (one org and kind, or the whole day). The roles of resource
``exchange``, each inside its org subtree. Thin: selectors read, services write."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import AppError, ValidationError
from haochaping.core.htmx import htmx
from haochaping.core.localtime import local_day
from haochaping.exchange import reconcile_selectors as selectors
from haochaping.exchange import reconcile_services as services
from haochaping.exchange import reconciling
from haochaping.exchange.models import Remote
from haochaping.exchange.selectors import remote_get
from haochaping.exchange.views import _actor, _refused
from haochaping.stats.api_exports import _send


def _day(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError("exchange.bad_date", "日期格式应为 YYYY-MM-DD", field) from None


@login_required
@require_GET
def days(request: HttpRequest, remote_id: int) -> HttpResponse:
    try:
        actor = _actor(request)
        remote = remote_get(actor, remote_id)
        rows = selectors.recent_days(actor, remote, today=local_day(timezone.now()))
    except AppError as exc:
        return _refused(request, exc)
    today = local_day(timezone.now())
    return render(request, "exchange/reconcile.html", {
        "remote": remote, "rows": rows, "recheck_days": reconciling.schedule().recheck_days,
        "export_from": today - timedelta(
            days=selectors.REPORT_DAYS), "export_to": today})


def _day_context(request: HttpRequest, remote_id: int, day: str) -> dict[str, Any]:
    actor = _actor(request)
    remote = remote_get(actor, remote_id)
    run = selectors.run_get(actor, remote, _day(day, "day"))
    return {"remote": remote, "run": run, "report": selectors.day_report(actor, run)}


@login_required
@require_GET
def day_view(request: HttpRequest, remote_id: int, day: str) -> HttpResponse:
    try:
        context = _day_context(request, remote_id, day)
    except AppError as exc:
        return _refused(request, exc)
    return render(request, "exchange/reconcile_day.html", context)


@login_required
@require_POST
def resend(request: HttpRequest, remote_id: int, day: str) -> HttpResponse:
    """Re-send the missing records of one check (``check``) or of the whole day."""
    try:
        actor = _actor(request)
        remote = remote_get(actor, remote_id)
        run = selectors.run_get(actor, remote, _day(day, "day"))
        raw = request.POST.get("check", "")
        check = selectors.check_get(actor, run, int(raw)) if raw.isdigit() else None
        count = services.reconcile_resend(actor=actor, run=run, check=check,
                                          ip=client_ip_or_none(request))
        context = _day_context(request, remote_id, day)
    except AppError as exc:
        return _refused(request, exc)
    context["resent"] = count
    name = "exchange/partials/reconcile_checks.html" if htmx(request) \
        else "exchange/reconcile_day.html"
    return render(request, name, context)


@login_required
@require_GET
def export(request: HttpRequest, remote_id: int) -> HttpResponseBase:
    """差异 XLSX of the remote's days ``from``–``to`` (default: the report's days)."""
    try:
        actor = _actor(request)
        remote: Remote = remote_get(actor, remote_id)
        today = local_day(timezone.now())
        day_from = _day(request.GET.get("from") or (
            today - timedelta(days=selectors.REPORT_DAYS)).isoformat(), "from")
        day_to = _day(request.GET.get("to") or today.isoformat(), "to")
        sheet, rows = selectors.differences_sheet(actor, remote, day_from=day_from,
                                                  day_to=day_to)
    except AppError as exc:
        return _refused(request, exc)
    event = services.export_recorded(actor=actor, remote=remote, day_from=day_from,
                                     day_to=day_to, rows=rows, ip=client_ip_or_none(request))
    return _send(sheet, "xlsx", f"reconcile-{remote.name}-{day_from}-{day_to}", event)

