"""管理机构控制台: one tab per duty of the supervising office (dispatch, QA, appeals,
overdue and escalated orders, extension requests, typical cases), each a narrowing of
``selectors.queue_for``, with the row's forms drawn from ``available_actions``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.models import Org
from haochaping.core.errors import AppError, PermissionDenied
from haochaping.core.htmx import htmx
from haochaping.workorders import selectors
from haochaping.workorders.queues import TABS
from haochaping.workorders.rules import Party
from haochaping.workorders.services.engine import party_of
from haochaping.workorders.views.common import reader, refused

PAGE_SIZE = 20


def office(request: HttpRequest) -> Actor:
    """Only the supervising office (or the system admin) works the console."""
    actor = reader(request)
    if party_of(actor) is not Party.OFFICE:
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以使用监管控制台")
    return actor


def tab_context(actor: Actor, tab: str, page_no: str | None) -> dict[str, Any]:
    base = selectors.queue_for(actor)
    page = Paginator(TABS[tab][1](base), PAGE_SIZE).get_page(page_no)
    parts = selectors.latest_reply_parts(actor, [o.pk for o in page.object_list]
                                         if tab == "qa" else [])
    rows = [(order, [a.value for a in selectors.available_actions(actor, order)],
             parts.get(order.pk, [])) for order in page.object_list]
    return {
        "tab": tab, "tab_label": TABS[tab][0], "page": page, "rows": rows,
        "tabs": [(key, label, narrow(base).count()) for key, (label, narrow) in TABS.items()],
        "orgs": scope(Org.objects.filter(kind="handling"), actor).order_by("path"),
        "now": timezone.now(),
    }


@login_required
@require_GET
def console_page(request: HttpRequest) -> HttpResponse:
    try:
        actor = office(request)
    except AppError as exc:
        return refused(request, exc)
    tab = request.GET.get("tab", "dispatch")
    context = tab_context(actor, tab if tab in TABS else "dispatch", request.GET.get("page"))
    if htmx(request):
        return render(request, "workorders/partials/console_panel.html", context)
    return render(request, "workorders/console.html", context)
