"""管理机构统计看板: figures of the actor's subtree, filtered by period and org (htmx)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.models import Org
from haochaping.core.errors import AppError
from haochaping.core.htmx import htmx
from haochaping.core.orgtree import options_html
from haochaping.stats.views import panels
from haochaping.stats.views.common import PERIODS, Filters, parse_filters, refused, viewer


def _charts(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in ("trend", "levels", "channels", "matters", "windows",
                                       "participation")}


def context(actor: Actor, filters: Filters) -> dict[str, Any]:
    data = panels.dashboard(actor, filters)
    return {**data, "charts": _charts(data), "filters": filters,
            "periods": [(p.value, label) for p, label in PERIODS.items()],
            "org_options": _org_options(actor, filters)}


def _org_options(actor: Actor, filters: Filters) -> str:
    """The org filter's options as a tree (``core.orgtree``), read in one statement: a city
    office may see thousands."""
    return options_html(scope(Org.objects.all(), actor).values_list("pk", "name", "path"),
                        filters.org.pk if filters.org is not None else None)


@login_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    try:
        actor = viewer(request)
        filters = parse_filters(actor, request.GET)
    except AppError as exc:
        return refused(request, exc)
    name = "stats/partials/panel.html" if htmx(request) else "stats/dashboard.html"
    return render(request, name, context(actor, filters))
