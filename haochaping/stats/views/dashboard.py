"""管理机构统计看板: figures of the actor's subtree, filtered by period and org (htmx)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.models import Org
from haochaping.core.errors import AppError
from haochaping.core.htmx import htmx
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
    """The org filter's options as a tree (indented by depth under the viewer's top org,
    in path order), built in one pass: a city office may see thousands. The page's
    search box narrows them by name (stats/dashboard.js)."""
    chosen = filters.org.pk if filters.org is not None else None
    rows = list(scope(Org.objects.all(), actor).order_by("path")
                .values_list("pk", "name", "path"))
    top = min((path.count("/") for _, _, path in rows), default=0)
    return format_html_join("", '<option value="{}"{} data-name="{}">{}{}</option>', (
        (pk, mark_safe(" selected") if pk == chosen else "", name,  # noqa: S308
         "\u3000" * (path.count("/") - top), name)
        for pk, name, path in rows))


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
