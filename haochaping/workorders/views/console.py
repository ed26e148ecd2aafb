"""管理机构控制台: one tab per duty of the supervising office (dispatch, QA, appeals,
overdue and escalated orders, extension requests, typical cases), each a narrowing of
``selectors.queue_for``, with the row's forms drawn from ``available_actions``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.models import Org
from haochaping.core import listing
from haochaping.core.errors import AppError, PermissionDenied
from haochaping.core.htmx import htmx
from haochaping.workorders import selectors
from haochaping.workorders.queues import TABS
from haochaping.workorders.rules import Party
from haochaping.workorders.services.engine import party_of
from haochaping.workorders.views.common import reader, refused
from haochaping.workorders.views.workbench import list_query, phone_hash, searched

PAGE_SIZE = 20


def office(request: HttpRequest) -> Actor:
    """Only the supervising office (or the system admin) works the console."""
    actor = reader(request)
    if party_of(actor) is not Party.OFFICE:
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以使用监管控制台")
    return actor


def tab_context(actor: Actor, tab: str, page_no: str | None,
                lq: listing.ListQuery | None = None) -> dict[str, Any]:
    """One tab's page: searched and sorted by the shared list helper (core.listing)."""
    lq = lq or listing.ListQuery(sort="due", page=listing.parse_page(page_no))
    lq = listing.ListQuery(text=lq.text, phone_hash=lq.phone_hash, sort=lq.sort,
                           descending=lq.descending, page=lq.page, filters={"tab": tab})
    base = selectors.queue_for(actor)
    page = listing.page_of(searched(TABS[tab][1](base), lq), lq, PAGE_SIZE)
    parts = selectors.latest_reply_parts(actor, [o.pk for o in page.object_list]
                                         if tab == "qa" else [])
    rows = [(order, [a.value for a in selectors.available_actions(actor, order)],
             parts.get(order.pk, [])) for order in page.object_list]
    return {
        "tab": tab, "tab_label": TABS[tab][0], "page": page, "rows": rows, "lq": lq,
        "tabs": [(key, label, narrow(base).count()) for key, (label, narrow) in TABS.items()],
        "orgs": scope(Org.objects.filter(kind="handling"), actor).order_by("path"),
        "now": timezone.now(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def console_page(request: HttpRequest) -> HttpResponse:
    """The console; its search form is a POST (a phone never in a URL, core.listing)."""
    try:
        actor = office(request)
    except AppError as exc:
        return refused(request, exc)
    if request.method == "POST" or listing.phone_in_query(request.GET):
        form = request.POST if request.method == "POST" else request.GET
        target = listing.search_target(form, hasher=phone_hash, filters=("tab",))
        return redirect(f"{request.path}?{target}" if target else request.path)
    tab = request.GET.get("tab", "dispatch")
    tab = tab if tab in TABS else "dispatch"
    context = tab_context(actor, tab, None, list_query(request, ("tab",)))
    if htmx(request):
        return render(request, "workorders/partials/console_panel.html", context)
    return render(request, "workorders/console.html", context)
