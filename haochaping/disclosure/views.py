"""公示专栏: public pages, no login. Rate-limited per IP like the other public endpoints
(evaluations.throttle) and cached: a page is rendered once per ``TTL`` and sent with
``Cache-Control: public, max-age=TTL``. Rankings and rectification figures are the
snapshots published once a period ended (stats.snapshots), shown with their publication
time and SHA-256; a period without one, or still running, is not shown."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET

from haochaping.assessment.selectors import published_results as assessment_results
from haochaping.assessment.selectors import published_rounds
from haochaping.core.errors import AppError
from haochaping.disclosure import rules, selectors
from haochaping.evaluations.throttle import throttle
from haochaping.evaluations.views.common import client_ip
from haochaping.stats import exports, ranking_exports, snapshots
from haochaping.stats import rules as stats_rules
from haochaping.stats import snapshot_rules as sr
from haochaping.stats.exports import Sheet

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


def _front(period: str = "month") -> dict[str, Any]:
    """The latest published ranking (months, else quarters): its headline figures and
    first departments, for the 公示专栏's front page and the public home."""
    found = selectors.latest(period) or selectors.latest("quarter")
    if found is None:
        return {"latest": None}
    start, snapshot = found
    kind = snapshot.document["period"]
    rows = [_ranking_row(r) for r in snapshot.document["ranking"] if r.get("rank")]
    return {"latest": {"label": rules.period_label(kind, start),
                       "query": urlencode({"period": kind,
                                          "at": rules.period_value(kind, start)}),
                       "generated_at": snapshot.row.generated_at,
                       "headline": rules.headline(snapshot.document),
                       "top": rows[:rules.TOP]}}


@public_page
def index(request: HttpRequest) -> HttpResponse:
    published = {p: [{"value": rules.period_value(p, start),
                      "label": rules.period_label(p, start)}
                     for start in selectors.published_starts(p)] for p in rules.PERIODS}
    return render(request, "disclosure/index.html", {"published": published, **_front()})


@public_page
def _home_page(request: HttpRequest) -> HttpResponse:
    return render(request, "disclosure/home.html", _front())


def home(request: HttpRequest) -> HttpResponse:
    """The public home an anonymous visit to ``/`` reaches (workbench.views.home): how to
    rate a service, follow a case, see the results; staff find the login link there.
    Rendered from the server's cache like every public page, but never kept by a browser
    or proxy: after logging in, the same ``/`` is the staff member's workbench."""
    response = _home_page(request)
    response["Cache-Control"] = "no-cache, private"
    if response.has_header("Expires"):
        del response["Expires"]
    patch_vary_headers(response, ["Cookie"])
    return response


Found = tuple[dict[str, Any], snapshots.Published]


def _snapshot(request: HttpRequest) -> Found | HttpResponse:
    """The published snapshot the query names, with the page context naming it; or the
    Chinese refusal (400 bad query, 404 not published)."""
    try:
        period, start = rules.parse_period(
            request.GET.get("period"), request.GET.get("at"), timezone.localdate(),
            default=lambda p: selectors.default_start(p, timezone.localdate()))
    except rules.BadQuery as exc:
        return _error(request, exc.message, f"gongshi.{exc.field}", 400)
    label = rules.period_label(period, start)
    found = selectors.published(period, start)
    if found is None:
        return _error(request, f"{label}的评价结果尚未公示", "gongshi.not_published", 404)
    value = rules.period_value(period, start)
    query = urlencode({"period": period, "at": value})
    previous = stats_rules.shift(start, stats_rules.Period(period), -1)
    return {"period": period, "period_label": rules.PERIOD_LABELS[period], "label": label,
            "value": value, "query": query, "periods": rules.PERIOD_LABELS,
            "prev": rules.period_value(period, previous),
            "generated_at": found.row.generated_at, "sha256": found.row.sha256,
            "weights": found.document["weights"]}, found


@public_page
def rankings(request: HttpRequest) -> HttpResponse:
    found = _snapshot(request)
    if isinstance(found, HttpResponse):
        return found
    context, snapshot = found
    text = rules.search_text(request.GET.get("q"))
    rows = [_ranking_row(r) for r in snapshot.document["ranking"]
            if not text or text in r["name"]]
    page = rules.page_of(len(rows), request.GET.get("page"))
    return render(request, "disclosure/rankings.html", {
        **context, "rows": rows[page.offset:page.offset + rules.PAGE_SIZE], "page": page,
        "q": text, "all": len(snapshot.document["ranking"])})


def _ranking_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "composite": "—" if row["composite"] is None else f"{row['composite']:.2f}",
            **{name: rules.percent(row[name]) for name in sr.RANKING_FIGURES}}


@public_page
def rectification(request: HttpRequest) -> HttpResponse:
    found = _snapshot(request)
    if isinstance(found, HttpResponse):
        return found
    context, snapshot = found
    rows = [{**r, "due": r["orders"] - r["voided"],
             **{name: rules.percent(r[name]) for name in sr.RECTIFICATION_FIGURES}}
            for r in snapshot.document["rectification"]]
    return render(request, "disclosure/rectification.html", {**context, "rows": rows})


DOWNLOADS: dict[str, Callable[[dict[str, Any]], Sheet]] = {
    "paiming": ranking_exports.published_ranking_sheet,
    "zhenggai": ranking_exports.published_rectification_sheet,
}


@public_page
def download(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """A published table as CSV or XLSX, or the snapshot itself (``kuaizhao.json``: the
    exact bytes its SHA-256 was taken over). Public data, no personal data: not audited
    (nobody is logged in), cached like the pages."""
    found = _snapshot(request)
    if isinstance(found, HttpResponse):
        return found
    context, snapshot = found
    stem = f"{table}-{context['value']}"
    if table == "kuaizhao":
        response = HttpResponse(snapshot.content, content_type="application/json")
    else:
        sheet = DOWNLOADS[table](snapshot.document)
        # Published data: the file names its source (the snapshot and its SHA-256).
        origin = exports.Provenance(by="公示专栏", at=snapshot.row.generated_at, title=sheet.title,
                                    scope=f"{context['value']}", reference=snapshot.row.sha256)
        body = (b"".join(exports.csv_chunks(sheet)) if fmt == "csv"
                else exports.xlsx_bytes([sheet], origin))
        response = HttpResponse(body, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@public_page
def cases(request: HttpRequest) -> HttpResponse:
    text = rules.search_text(request.GET.get("q"))
    found, page = selectors.typical_cases(text, request.GET.get("page"))
    return render(request, "disclosure/cases.html", {"cases": found, "page": page, "q": text})


@public_page
def definitions(request: HttpRequest) -> HttpResponse:
    """The figures explained in plain Chinese (the precise definitions, with their
    fields, are docs/metrics.md's, for staff and auditors)."""
    return render(request, "disclosure/definitions.html", _front())


@public_page
def assessments(request: HttpRequest) -> HttpResponse:
    """第三方评估结果: published rounds only, apart from the ratings (issue 15)."""
    rounds = [(row, assessment_results(row)) for row in published_rounds()[:20]]
    return render(request, "disclosure/assessments.html", {"rounds": rounds})
