"""综合排名与权重: the ranking of a period for the viewer's subtree, the departments,
windows, staff and matter categories (行业) long at the bottom (seed 000 §15), links to
the same as XLSX and CSV, and the office's form to change the ranking weights.

Everyone who may read statistics sees the ranking and the weights in force; only those
``ranking.may_configure`` allows (system admin, supervisor of a top-level office) get the
form, and ``ranking.ranking_weights_set`` validates and audits every change."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from haochaping.accounts.scoping import Actor
from haochaping.core.bounds import is_key, parse_day
from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import AppError, FieldProblem, ValidationError
from haochaping.stats import periods, ranking, rules, snapshot_rules, snapshots
from haochaping.stats import ranking_rules as rr
from haochaping.stats.cache import last_updated
from haochaping.stats.views.common import Filters, refused, viewer
from haochaping.stats.views.panels import percent

PERIODS = {rules.Period.MONTH: "按月", rules.Period.QUARTER: "按季度", rules.Period.YEAR: "按年"}
WEIGHT_LABELS = {"satisfaction": "满意率权重", "participation": "参评率权重",
                 "on_time_rectification": "按期整改率权重", "bad_review": "差评率权重（反向）",
                 "complained": "被投诉率权重（反向）", "item_on_time": "按期办结率权重",
                 "spot_satisfaction": "抽查回访满意率权重",
                 "min_sample": "最低样本量", "bottom_count": "靠后名次数",
                 "bottom_periods": "连续靠后周期数"}
OPTIONAL = ("complained", "item_on_time", "spot_satisfaction")
COMPONENT_LABELS = {f: rules.FIGURE_LABELS[f] for f in rr.COMPONENTS}


def _choice(query: QueryDict) -> tuple[rr.Level, rules.Period, date]:
    try:
        level = rr.Level(query.get("level") or rr.Level.ORG)
    except ValueError:
        raise ValidationError("ranking.level", "不支持的排名对象", "level") from None
    period = next((p for p in PERIODS if p.value == (query.get("period") or "month")), None)
    if period is None:
        raise ValidationError("stats.period", "不支持的统计周期", "period")
    day = parse_day(query.get("day"), "day", code="stats.invalid_date")
    # by default the latest period that has ended (the current one is partial)
    return level, period, day or periods.last_complete(timezone.localdate(), period)


def _row(row: rr.Ranked, level: rr.Level, span: Filters) -> dict[str, Any]:
    """One ranked row; its rating count links to the ratings behind it (drill-down)."""
    figures = rules.compute(row.counts)
    query = span.params(figure="real_ratings", **{level.value: row.key})
    drill = f"{reverse('stats:drill')}?{query}"
    return {"rank": row.rank, "code": row.code, "name": row.name, "drill": drill,
            "composite": None if row.composite is None else round(float(row.composite), 2),
            "ratings": row.counts.real_ratings, "status": row.status,
            "at_bottom": row.at_bottom,
            # the figures themselves: a component is 1 − 差评率 for the bad-review rate
            "components": [percent(figures[f]) for f in COMPONENT_LABELS]}


def _context(actor: Actor, query: QueryDict, form: dict[str, Any] | None = None,
             error: AppError | None = None) -> dict[str, Any]:
    level, period, day = _choice(query)
    weights = ranking.current_weights()
    rows = ranking.ranking(actor, level=level, period=period, day=day, weights=weights)
    flags = ranking.bottom_flags(actor, level=level, period=period, last=day,
                                 weights=weights)
    problems: dict[str, str] = {}
    if error is not None:
        for p in error.problems or [FieldProblem(error.code, error.message, error.field)]:
            problems.setdefault(p.field or "", p.message)
    current = asdict(weights)
    start = rules.bucket_start(day, period)
    span = Filters(period, start, rules.shift(start, period, 1) - timedelta(days=1))
    return {
        "level": level, "period": period, "day": day,
        "start": start, "updated_at": last_updated(),
        "levels": [(lv.value, label) for lv, label in rr.LEVEL_LABELS.items()],
        "periods": [(p.value, label) for p, label in PERIODS.items()],
        "level_label": rr.LEVEL_LABELS[level], "components": list(COMPONENT_LABELS.values()),
        "rows": [_row(r, level, span) for r in rows], "flags": flags,
        "exports": _exports(level, period, day),
        "published": _published(level, period, start),
        "weights": [{"name": n, "label": WEIGHT_LABELS[n], "value": current[n],
                     "entered": (form or current).get(n, ""), "error": problems.get(n)}
                    for n in ranking.WEIGHT_NAMES],
        "error": error, "general_error": problems.get("weights"),
        "can_edit": ranking.may_configure(actor), "history": ranking.weight_history(actor),
    }


def _published(level: rr.Level, period: rules.Period, start: date) -> dict[str, Any] | None:
    """The snapshot the public column shows for this period, when one was published: the
    figures here are live and may have moved since (weights, upheld appeals)."""
    if level is not snapshots.PUBLIC_LEVEL or period not in snapshot_rules.PERIODS:
        return None
    found = snapshots.published(period, start)
    if found is None:
        return None
    query = urlencode({"period": period.value,
                       "at": snapshot_rules.period_value(period.value, start)})
    return {"at": found.row.generated_at, "sha256": found.row.sha256,
            "url": f"{reverse('disclosure:rankings')}?{query}"}


def _exports(level: rr.Level, period: rules.Period, day: date) -> dict[str, str]:
    """Links to the same ranking (and bottom flags) as XLSX and CSV (stats.api_ranking)."""
    query = urlencode({"level": level.value, "period": period.value, "day": day.isoformat()})
    return {fmt: f"{reverse(f'api-v1:rankings_{fmt}')}?{query}" for fmt in ("xlsx", "csv")}


def _whole_numbers(typed: dict[str, str]) -> dict[str, int]:
    """The typed weights as whole numbers, or a 422 naming every one that is not."""
    bad = [FieldProblem("ranking.weights", f"“{WEIGHT_LABELS[n]}”须为整数", n)
           for n, v in typed.items() if not is_key(v.removeprefix("-"))]
    if bad:
        raise ValidationError("ranking.weights", bad[0].message, bad[0].field, problems=bad)
    return {n: int(v) for n, v in typed.items()}


@login_required
@require_http_methods(["GET", "POST"])
def ranking_page(request: HttpRequest) -> HttpResponse:
    """GET: the ranking; POST: change the weights, then back to the same ranking."""
    source = request.POST if request.method == "POST" else request.GET
    try:
        actor = viewer(request)
        level, period, day = _choice(source)
        if request.method == "GET":
            return render(request, "stats/ranking.html", _context(actor, source))
    except AppError as exc:
        return refused(request, exc)
    # the complaint weights may be left out (a form of before them): then 0
    typed = {n: request.POST.get(n, "").strip() for n in ranking.WEIGHT_NAMES
             if n in request.POST or n not in OPTIONAL}
    try:
        values = _whole_numbers(typed)
        ranking.ranking_weights_set(actor=actor, **values, now=timezone.now(),
                                    ip=client_ip_or_none(request))
    except AppError as exc:
        if exc.status == 403:
            return refused(request, exc)
        return render(request, "stats/ranking.html", _context(actor, source, typed, exc),
                      status=exc.status)
    messages.success(request, "排名权重已保存，排名已按新权重重新计算。")
    query = urlencode({"level": level.value, "period": period.value, "day": day.isoformat()})
    return redirect(f"{request.path}?{query}")
