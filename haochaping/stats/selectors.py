"""Statistics reads: figures from the rollups only, drill-downs to the raw rows.

Both are scoped to the actor's org subtree (accounts.scoping). A figure's rows are its
counts (rules.Counts) and every rate is computed by rules, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek, TruncYear

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, scope, scope_q
from haochaping.core.errors import PermissionDenied, ValidationError
from haochaping.evaluations.models import Evaluation
from haochaping.stats import rules
from haochaping.stats.models import EvaluationRollup, HandlingRollup, WorkOrderRollup

STATS = access.STATS

# group-by dimension → rollup column (the same name on every rollup that has it)
DIMENSIONS: dict[str, str] = {
    "org": "org_id", "region": "org__region_id", "hall": "hall_id", "window": "window_id",
    "staff": "staff_id", "matter": "matter_id", "matter_category": "matter__category",
    "channel": "channel", "period": "bucket",
}
FILTERS: dict[str, str] = {k: v for k, v in DIMENSIONS.items() if k != "period"}
TRUNC = {rules.Period.WEEK: TruncWeek, rules.Period.MONTH: TruncMonth,
         rules.Period.QUARTER: TruncQuarter, rules.Period.YEAR: TruncYear}
ROLLUPS: tuple[type[models.Model], ...] = (EvaluationRollup, HandlingRollup, WorkOrderRollup)

Key = tuple[Any, ...]


@dataclass
class FigureRow:
    key: dict[str, Any]
    counts: rules.Counts
    figures: dict[rules.Figure, Fraction | None]
    previous: rules.Counts | None = None
    previous_figures: dict[rules.Figure, Fraction | None] = field(default_factory=dict)


def _check(actor: Actor) -> None:
    if not actor.allows(STATS, access.READ):
        raise PermissionDenied("forbidden.role", "当前角色无权查看统计")


def _counts_of(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.name in rules.COUNT_FIELDS]


def _has(model: type[models.Model], column: str) -> bool:
    name = column.split("__")[0].removesuffix("_id")
    return any(f.name == name for f in model._meta.concrete_fields)


def _grouped(model: type[models.Model], actor: Actor, group_by: tuple[str, ...],
             win: rules.Window, filters: Mapping[str, Any]) -> dict[Key, rules.Counts]:
    columns = [DIMENSIONS[g] for g in group_by]
    needed = [c for c in columns if c != "bucket"] + [FILTERS[k] for k in filters]
    if not all(_has(model, c) for c in needed):
        return {}  # e.g. channel: handlings and work orders have no rating channel
    qs = model._default_manager.filter(scope_q(actor), day__gte=win.start, day__lt=win.end,
                                       **{FILTERS[k]: v for k, v in filters.items()})
    if "bucket" in columns:
        trunc = TRUNC.get(win.period)
        qs = qs.annotate(bucket=trunc("day") if trunc else models.F("day"))
    names = _counts_of(model)
    sums = {f"s_{n}": Sum(n) for n in names}
    if not columns:  # one total row (values() without fields would group by every field)
        row = qs.aggregate(**sums)
        found = any(v is not None for v in row.values())
        return {(): rules.Counts(**{n: row[f"s_{n}"] or 0 for n in names})} if found else {}
    result: dict[Key, rules.Counts] = {}
    for row in qs.values(*columns).annotate(**sums).order_by():
        key = tuple(_plain(row[c]) for c in columns)
        result[key] = rules.Counts(**{n: row[f"s_{n}"] or 0 for n in names})
    return result


def _plain(value: Any) -> Any:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _collect(actor: Actor, group_by: tuple[str, ...], win: rules.Window,
             filters: Mapping[str, Any]) -> dict[Key, rules.Counts]:
    merged: dict[Key, rules.Counts] = {}
    for model in ROLLUPS:
        for key, counts in _grouped(model, actor, group_by, win, filters).items():
            merged[key] = merged.get(key, rules.Counts()) + counts
    return merged


def figures(actor: Actor, *, group_by: tuple[str, ...], period: rules.Period, start: date,
            end: date, compare_previous: bool = True,
            filters: Mapping[str, Any] | None = None) -> list[FigureRow]:
    """Counts and figures per group over the buckets covering ``start`` … ``end``, with
    the previous period of the same length beside each row."""
    _check(actor)
    unknown = [g for g in group_by if g not in DIMENSIONS]
    if unknown or len(set(group_by)) != len(group_by):
        raise ValidationError("stats.group_by", "不支持的分组维度", "group_by")
    filters = dict(filters or {})
    if any(k not in FILTERS for k in filters):
        raise ValidationError("stats.filter", "不支持的筛选条件", "filters")
    if start > end:
        raise ValidationError("stats.range", "开始日期不能晚于结束日期", "start")
    win = rules.window(period, start, end)
    current = _collect(actor, group_by, win, filters)
    previous: dict[Key, rules.Counts] = {}
    offset = win.buckets
    if compare_previous:
        prev = win.previous()
        position = group_by.index("period") if "period" in group_by else None
        for key, counts in _collect(actor, group_by, prev, filters).items():
            if position is not None:
                key = (*key[:position], rules.shift(key[position], period, offset),
                       *key[position + 1:])
            previous[key] = counts
    rows = []
    for key in sorted(current, key=lambda k: tuple(str(v) for v in k)):
        before = previous.get(key) if compare_previous else None
        rows.append(FigureRow(
            key=dict(zip(group_by, key, strict=True)), counts=current[key],
            figures=rules.compute(current[key]), previous=before,
            previous_figures=rules.compute(before) if before is not None else {}))
    return rows


# --- drill-down -------------------------------------------------------------------------

DRILL: dict[str, Q] = {
    # which raw evaluation rows stand behind each rating count
    "real_ratings": Q(is_current=True, invalidated_at__isnull=True, is_default=False),
    "satisfied": Q(is_current=True, invalidated_at__isnull=True, is_default=False,
                   level__gte=3),
    # served by the partial index evaluation_bad_org (org, created_at)
    "bad_reviews": Q(level__lte=2, is_current=True, invalidated_at__isnull=True,
                     is_default=False),
    "default_ratings": Q(is_current=True, invalidated_at__isnull=True, is_default=True),
    "invalidated": Q(invalidated_at__isnull=False),
    "superseded": Q(is_current=False, invalidated_at__isnull=True),
}
DRILL_KEYS = {"org": "org_id", "hall": "hall_id", "window": "window_id",
              "staff": "staff_id", "matter": "matter_id", "channel": "channel",
              "matter_category": "matter__category", "region": "org__region_id"}
DRILL_LIMIT = 1000


def drilldown(actor: Actor, *, figure: str, start: date, end: date,
              key: Mapping[str, Any] | None = None, limit: int = DRILL_LIMIT) -> list[int]:
    """The evaluation ids behind a rating count over the days ``start`` … ``end``
    (Shanghai), newest first; the same exclusions as the rollups."""
    _check(actor)
    if figure not in DRILL:
        raise ValidationError("stats.figure", "不支持下钻的指标", "figure")
    key = dict(key or {})
    if any(k not in DRILL_KEYS for k in key):
        raise ValidationError("stats.filter", "不支持的筛选条件", "key")
    first, _ = rules.day_bounds(start)
    _, stop = rules.day_bounds(end)
    qs = scope(Evaluation.objects.all(), actor).filter(
        DRILL[figure], created_at__gte=first, created_at__lt=stop,
        **{DRILL_KEYS[k]: v for k, v in key.items()})
    return list(qs.order_by("-created_at", "-pk").values_list("pk", flat=True)[:limit])
