"""公示专栏: public pages, no login. Rate-limited per IP like the other public endpoints
(evaluations.throttle) and cached: a page is rendered once per ``TTL`` and sent with
``Cache-Control: public, max-age=TTL`` (rollups change every 30 s; monthly rankings of
ended periods barely change)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET

from haochaping.core.errors import AppError
from haochaping.disclosure import rules, selectors
from haochaping.evaluations.throttle import throttle
from haochaping.evaluations.views.common import client_ip
from haochaping.stats import ranking_rules as rr
from haochaping.stats import rules as stats_rules

TTL = 10 * 60
View = Callable[..., HttpResponse]


def _error(request: HttpRequest, message: str, code: str, status: int) -> HttpResponse:
    response = render(request, "disclosure/error.html",
                      {"message": message, "code": code}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def public_page(view: View) -> View:
    """Throttle (before the cache, so cached pages are counted too), then serve from the
    cache or render; refusals are Chinese pages and never cached."""
    cached = cache_page(TTL, key_prefix="gongshi")(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            throttle("ip", f"gongshi:{client_ip(request) or '-'}")
        except AppError as exc:
            return _error(request, "访问过于频繁，请稍后再试", exc.code, exc.status)
        response = cached(request, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=TTL)
        else:
            response["Cache-Control"] = "no-store"
        return response

    return require_GET(wrapper)


@public_page
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    latest = {p: rules.period_value(p, rules.previous_period_start(today, p))
              for p in rules.PERIODS}
    return render(request, "disclosure/index.html", {"latest": latest})


@public_page
def rankings(request: HttpRequest) -> HttpResponse:
    try:
        period, start = rules.parse_period(request.GET.get("period"), request.GET.get("at"),
                                           timezone.localdate())
    except rules.BadQuery as exc:
        return _error(request, exc.message, f"gongshi.{exc.field}", 400)
    rows = selectors.department_ranking(period, start)
    weights = selectors.ranking.current_weights()
    return render(request, "disclosure/rankings.html", {
        "period": period, "period_label": rules.PERIOD_LABELS[period],
        "label": rules.period_label(period, start), "value": rules.period_value(period, start),
        "rows": [_row(r) for r in rows], "weights": weights,
        "prev": rules.period_value(period, stats_rules.shift(start, stats_rules.Period(period),
                                                             -1)),
        "periods": rules.PERIOD_LABELS})


def _percent(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def _row(r: rr.Ranked) -> dict[str, Any]:
    figures = stats_rules.compute(r.counts)
    return {"rank": r.rank, "name": r.name, "status": r.status,
            "composite": "—" if r.composite is None else f"{float(r.composite):.2f}",
            "ratings": r.counts.real_ratings,
            "satisfaction": _percent(figures[stats_rules.Figure.SATISFACTION]),
            "participation": _percent(figures[stats_rules.Figure.PARTICIPATION]),
            "on_time": _percent(figures[stats_rules.Figure.ON_TIME_RECTIFICATION]),
            "bad_review": _percent(figures[stats_rules.Figure.BAD_REVIEW])}


@public_page
def cases(request: HttpRequest) -> HttpResponse:
    return render(request, "disclosure/cases.html", {"cases": selectors.typical_cases()})


@public_page
def definitions(request: HttpRequest) -> HttpResponse:
    return render(request, "disclosure/definitions.html",
                  {"sections": selectors.definitions()})
