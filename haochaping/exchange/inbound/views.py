"""上级转办: the supervising office's screen of what the remotes sent down (htmx, Chinese),
mounted at /work/exchange/inbound/. Thin: the selectors read, ``forwarded_dispatch``
writes; a refusal shows its Chinese message and stable code over the unchanged page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from haochaping.accounts.scoping import Actor, actor_for_user, scope
from haochaping.catalog.models import Org
from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import AppError, ValidationError
from haochaping.core.htmx import htmx
from haochaping.exchange.inbound import selectors
from haochaping.exchange.inbound.forwarded import forwarded_dispatch
from haochaping.exchange.rules.inbound import ForwardedStatus

PAGE_SIZE = 20
TABS = {"received": "待派发", "dispatched": "办理中", "closed": "已办结", "refused": "不予受理",
        "parked": "待匹配评价", "rejected": "拒收报文"}


def _office(request: HttpRequest) -> Actor:
    actor = actor_for_user(request.user)
    selectors.office_check(actor)
    return actor


def _refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    name = ("exchange/inbound/partials/error.html" if htmx(request)
            else "exchange/inbound/error.html")
    return render(request, name, {"error": exc}, status=exc.status)


def _rows(actor: Actor, tab: str) -> Any:
    if tab == "parked":
        return selectors.parked_ratings(actor)
    if tab == "rejected":
        return selectors.rejected_messages(actor)
    return selectors.forwarded_items(actor, ForwardedStatus(tab).value)


@login_required
@require_GET
def inbound_page(request: HttpRequest) -> HttpResponse:
    try:
        actor = _office(request)
    except AppError as exc:
        return _refused(request, exc)
    tab = request.GET.get("tab", "received")
    tab = tab if tab in TABS else "received"
    page = Paginator(_rows(actor, tab), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.tab_counts(actor)
    context = {"tab": tab, "page": page, "now": timezone.now(),
               "tabs": [(key, label, counts[key]) for key, label in TABS.items()]}
    if htmx(request):
        return render(request, "exchange/inbound/partials/panel.html", context)
    return render(request, "exchange/inbound/page.html", context)


def _detail(request: HttpRequest, actor: Actor, pk: int, *, error: AppError | None = None,
            status: int = 200) -> HttpResponse:
    item = selectors.forwarded_get(actor, pk)
    context = {"item": item, "error": error,
               "orgs": scope(Org.objects.filter(kind="handling", is_active=True), actor)
               .order_by("path")}
    name = ("exchange/inbound/partials/item.html" if htmx(request)
            else "exchange/inbound/item.html")
    return render(request, name, context, status=status)


@login_required
@require_GET
def item_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        return _detail(request, _office(request), pk)
    except AppError as exc:
        return _refused(request, exc)


@login_required
@require_POST
def item_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = _office(request)
        item = selectors.forwarded_get(actor, pk)
    except AppError as exc:
        return _refused(request, exc)
    raw = request.POST.get("org_id", "")
    org = Org.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    try:
        if org is None:
            raise ValidationError("exchange.dispatch_org", "请选择承办部门", "org_id")
        forwarded_dispatch(actor=actor, item=item, org=org, ip=client_ip_or_none(request))
    except AppError as exc:
        return _detail(request, actor, pk, error=exc, status=exc.status)
    return _detail(request, actor, pk)
