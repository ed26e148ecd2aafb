"""社情民意 screens: the hot words and topics of a period (``stats.opinion``), as a page
with its own filters and as a panel the dashboard loads for its period."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from haochaping.accounts.scoping import Actor
from haochaping.catalog.models import Matter
from haochaping.core.bounds import is_key
from haochaping.core.errors import AppError, ValidationError
from haochaping.stats import labels, opinion
from haochaping.stats.views.common import Filters, parse_filters, refused, viewer

ARROWS = {"up": "▲", "down": "▼", "same": "—", "new": "新"}


def last_month(today: date) -> tuple[date, date]:
    """The last complete calendar month before ``today``."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _filters(actor: Actor, query: QueryDict) -> Filters:
    if not query.get("start") and not query.get("end"):
        start, end = last_month(timezone.localdate())
        query = query.copy()
        query.update({"period": "day", "start": start.isoformat(), "end": end.isoformat()})
    return parse_filters(actor, query)


def _matter(query: QueryDict) -> Matter | None:
    raw = query.get("matter", "").strip()
    if not raw:
        return None
    found = Matter.objects.filter(pk=int(raw)).first() if is_key(raw) else None
    if found is None:
        raise ValidationError("stats.matter", "所选事项无效", "matter")
    return found


def _view(found: opinion.Opinion) -> dict[str, Any]:
    top = max((w.texts for w in found.words), default=1)
    return {"opinion": found, "words": [
        {**dataclasses.asdict(w), "arrow": ARROWS[w.direction], "percent": round(w.share * 100, 1),
         "size": round(1 + 1.2 * w.texts / top, 2)} for w in found.words]}


@login_required
@require_GET
def opinion_page(request: HttpRequest) -> HttpResponse:
    try:
        actor = viewer(request)
        filters = _filters(actor, request.GET)
        matter = _matter(request.GET)
    except AppError as exc:
        return refused(request, exc)
    who = filters.narrow(actor)
    found = opinion.opinion(who, filters.start, filters.end,
                            matter=matter.pk if matter else None, limit=40)
    orgs = opinion.by_org(who, filters.start, filters.end)
    names = labels.names("org", set(orgs))
    ranked = sorted(orgs.items(), key=lambda pair: (-pair[1][0].texts, pair[0]))
    by_org = [{"name": names.get(org, str(org)), "words": words} for org, words in ranked]
    return render(request, "stats/opinion.html", {
        **_view(found), "filters": filters, "matter": matter, "by_org": by_org[:30]})


@login_required
@require_GET
def opinion_panel(request: HttpRequest) -> HttpResponse:
    """The dashboard's panel: the same filters as the dashboard's figures."""
    try:
        actor = viewer(request)
        filters = parse_filters(actor, request.GET)
    except AppError as exc:
        return refused(request, exc)
    found = opinion.opinion(filters.narrow(actor), filters.start, filters.end, limit=12,
                            topic_limit=5)
    return render(request, "stats/partials/opinion_panel.html",
                  {**_view(found), "filters": filters})
