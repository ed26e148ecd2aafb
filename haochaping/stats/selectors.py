"""Statistics reads: figures from the rollups only (drill-downs to the raw rows are in
``stats.drill``).

Figures are scoped to the actor's org subtree (accounts.scoping). A figure's rows are its
counts (rules.Counts) and every rate is computed by rules, once.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from functools import cache, reduce
from typing import Any

import orjson
from django.db import connection, models
from django.db.models import F, FloatField, Q, Sum, Value
from django.db.models.functions import Cast, NullIf, TruncMonth, TruncQuarter, TruncWeek, TruncYear

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, scope_q
from haochaping.catalog.rules.standards import BAD_LEVELS
from haochaping.core.errors import PermissionDenied, ValidationError
from haochaping.stats import regions, rules
from haochaping.stats.models import EvaluationRollup, HandlingRollup, WorkOrderRollup
from haochaping.stats.rollup import COARSE

STATS = access.STATS

# group-by dimension → rollup column (the same name on every rollup that has it); a
# region is grouped on a prefix of its org's region path (stats.regions.Level.key)
DIMENSIONS: dict[str, str] = {
    "org": "org_id", "region": "org__region__path", "hall": "hall_id",
    "window": "window_id", "staff": "staff_id", "matter": "matter_id",
    "matter_category": "matter__category", "channel": "channel", "period": "bucket",
}
# filter → rollup column: ``region`` is the region's subtree (a prefix of the org's region
# path, stats.regions.lookups), ``own_region`` the orgs of that region alone (本级)
FILTERS: dict[str, str] = {**{k: v for k, v in DIMENSIONS.items() if k != "period"},
                           regions.OWN: "org__region_id"}
REGION_KEY = "region_key"
TRUNC = {rules.Period.WEEK: TruncWeek, rules.Period.MONTH: TruncMonth,
         rules.Period.QUARTER: TruncQuarter, rules.Period.YEAR: TruncYear}
ROLLUPS: tuple[type[models.Model], ...] = (EvaluationRollup, HandlingRollup, WorkOrderRollup)

Key = tuple[Any, ...]


class Figures(Mapping[rules.Figure, Fraction | None]):
    """The figures of one row's counts, each computed by rules on first access (a
    dashboard reads two or three of ten; a Fraction per figure per row was most of the
    selector's time)."""

    __slots__ = ("_counts", "_done")

    def __init__(self, counts: rules.Counts) -> None:
        self._counts = counts
        self._done: dict[rules.Figure, Fraction | None] = {}

    def __getitem__(self, which: rules.Figure) -> Fraction | None:
        if which not in self._done:
            self._done[which] = rules.figure(self._counts, rules.Figure(which))
        return self._done[which]

    def __iter__(self) -> Iterator[rules.Figure]:
        return iter(rules.TERMS)

    def __len__(self) -> int:
        return len(rules.TERMS)

    def floats(self) -> dict[rules.Figure, float | None]:
        """Every figure as a float, without Fractions (equal to ``float(self[f])``)."""
        return {which: rules.as_float(self._counts, which) for which in rules.TERMS}


@dataclass
class FigureRow:
    key: dict[str, Any]
    counts: rules.Counts
    previous: rules.Counts | None = None

    @property
    def figures(self) -> Figures:
        return Figures(self.counts)

    @property
    def previous_figures(self) -> Figures | dict[rules.Figure, Fraction | None]:
        return Figures(self.previous) if self.previous is not None else {}


def _check(actor: Actor) -> None:
    if not actor.allows(STATS, access.READ):
        raise PermissionDenied("forbidden.role", "当前角色无权查看统计")


def _counts_of(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.name in rules.COUNT_FIELDS]


def _has(model: type[models.Model], column: str) -> bool:
    name = column.split("__")[0].removesuffix("_id")
    return any(f.name == name for f in model._meta.concrete_fields)


MONTHLY_PERIODS = (rules.Period.MONTH, rules.Period.QUARTER, rules.Period.YEAR)


def tables(group_by: tuple[str, ...], filters: Mapping[str, Any], win: rules.Window
           ) -> tuple[type[models.Model], ...]:
    """The rollup tables that answer a request: the coarsest one whose keys hold every
    group-by and filter dimension, standing in for exactly the daily rollups the
    request would otherwise sum (the channel table holds only rating counts, as only the
    evaluation rollup has a channel); a month table only for whole months. Otherwise the
    daily rollups that carry those dimensions."""
    needed = [DIMENSIONS[g] for g in group_by if g != "period"] + [FILTERS[k] for k in filters]
    fine = tuple(m for m in ROLLUPS if all(_has(m, c) for c in needed))
    whole_months = (win.start.day == 1 and win.end.day == 1
                    and ("period" not in group_by or win.period in MONTHLY_PERIODS))
    for model, (monthly, extra) in sorted(COARSE.items(), key=lambda i: not i[1][0]):
        if monthly and not whole_months:
            continue
        sources = tuple(m for m in ROLLUPS if all(_has(m, e) for e in extra))
        if sources == fine and all(_has(model, c) for c in needed):
            return (model,)
    return fine


@dataclass(frozen=True)
class _Ask:
    """A validated request: the group-by, the filters by name (they choose the tables),
    their ORM lookups (resolved once: a region filter is its path) and, when grouping by
    region, the level shown."""

    group_by: tuple[str, ...]
    filters: Mapping[str, Any]
    where: Mapping[str, Any]
    level: regions.Level | None


def _ask(actor: Actor, group_by: tuple[str, ...], filters: Mapping[str, Any]) -> _Ask:
    return _Ask(group_by, filters, regions.lookups(filters, FILTERS),
                regions.level(actor, filters) if "region" in group_by else None)


def _keyed(model: type[models.Model], actor: Actor, ask: _Ask,
           win: rules.Window) -> tuple[models.QuerySet[Any], list[str]]:
    """The rollup rows of the request (scoped, in the window, filtered) with their group
    keys annotated, and the key columns in group-by order."""
    qs = model._default_manager.filter(scope_q(actor), day__gte=win.start, day__lt=win.end,
                                       **ask.where)
    columns = [DIMENSIONS[g] for g in ask.group_by]
    if "bucket" in columns:
        qs = qs.annotate(bucket=_bucket(model, win.period))
    if ask.level is not None:
        qs = qs.annotate(**{REGION_KEY: ask.level.key(DIMENSIONS["region"])})
        columns[ask.group_by.index("region")] = REGION_KEY
    return qs, columns


def _grouped(model: type[models.Model], actor: Actor, ask: _Ask, win: rules.Window,
             top_bad: int | None = None) -> dict[Key, rules.Counts]:
    qs, columns = _keyed(model, actor, ask, win)
    names = _counts_of(model)
    sums = {f"s_{n}": Sum(n) for n in names}
    if not columns:  # one total row (values() without fields would group by every field)
        row = qs.aggregate(**sums)
        found = any(v is not None for v in row.values())
        return {(): rules.Counts(**{n: row[f"s_{n}"] or 0 for n in names})} if found else {}
    width = len(columns)
    bucket = columns.index("bucket") if "bucket" in columns else None
    region = columns.index(REGION_KEY) if REGION_KEY in columns else None
    complete = tuple(names) == rules.COUNT_FIELDS
    result: dict[Key, rules.Counts] = {}
    if top_bad is None and _one_row_per_group(model, columns, win):
        grouped = qs.values_list(*columns, *names).order_by()
    else:
        grouped = qs.values_list(*columns).annotate(**sums).order_by()
    if top_bad is not None:
        # HAVING keeps the groups' other counts whole; the database sorts and cuts.
        bad = reduce(operator.add, [F(f"s_level_{v}") for v in BAD_LEVELS])
        any_bad = reduce(operator.or_, [Q(**{f"s_level_{v}__gt": 0}) for v in BAD_LEVELS])
        grouped = grouped.filter(any_bad).order_by(
            bad.desc(), *columns)[:top_bad]
    for values in _fetch(grouped):
        key = values[:width]
        if bucket is not None:
            key = (*key[:bucket], rules.as_date(key[bucket]), *key[bucket + 1:])
        if region is not None and ask.level is not None:
            key = (*key[:region], ask.level.region_of(key[region]), *key[region + 1:])
        result[key] = (rules.Counts(*values[width:]) if complete
                       else rules.Counts(**dict(zip(names, values[width:], strict=True))))
    return result


@cache
def _grain(model: type[models.Model]) -> frozenset[str]:
    """The columns of the table's one-row-per-bucket key (its ``…_grain`` constraint)."""
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.name.endswith(
                "_grain"):
            fields = {f.name: f.attname for f in model._meta.concrete_fields}
            return frozenset(fields[f] for f in constraint.fields)
    return frozenset()


def _one_row_per_group(model: type[models.Model], columns: list[str],
                       win: rules.Window) -> bool:
    """Does each group hold exactly one row of ``model``? Then its counts are read as
    they are, with no GROUP BY: one month across all orgs from org × month is a plain
    index range read (a fifth of the aggregate's time)."""
    grain = _grain(model)
    if not grain or set(columns) - {"bucket"} != grain - {"day"}:
        return False
    monthly = COARSE.get(model, (False, ()))[0]
    if "bucket" in columns:
        return bool(win.period is rules.Period.DAY
                    or (monthly and win.period is rules.Period.MONTH))
    if monthly:
        return win.start.day == 1 and win.end == rules.shift(win.start, rules.Period.MONTH, 1)
    return win.end == win.start + timedelta(days=1)


def _bucket(model: type[models.Model], period: rules.Period) -> Any:
    """The period bucket of a rollup row: its own day when the table's grain is the
    period (no truncation, a plain date), else the day truncated to the period."""
    monthly = COARSE.get(model, (False, ()))[0]
    if period is rules.Period.DAY or (monthly and period is rules.Period.MONTH):
        return models.F("day")
    return TRUNC[period]("day")


def _fetch(qs: models.QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The query's rows as the database driver returns them: sums of integer columns are
    integers already, and Django's per-value converters cost more than the query on a
    year of org × month (the bucket is normalised by rules.as_date)."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _collect(actor: Actor, ask: _Ask, win: rules.Window, top_bad: int | None = None
             ) -> dict[Key, rules.Counts]:
    chosen = tables(ask.group_by, ask.filters, win)
    if top_bad is not None and (len(chosen) > 1 or not _has(chosen[0], "level_1")):
        whole = _collect(actor, ask, win)  # cut after merging the tables
        ranked = sorted((k for k, c in whole.items() if c.bad_reviews),
                        key=lambda k: (-whole[k].bad_reviews, _order(k)))[:top_bad]
        return {k: whole[k] for k in ranked}
    found = [_grouped(m, actor, ask, win, top_bad) for m in chosen]
    if len(found) == 1:
        return found[0]
    merged: dict[Key, rules.Counts] = {}
    for part in found:
        for key, counts in part.items():
            merged[key] = merged[key] + counts if key in merged else counts
    return merged


def _window(actor: Actor, group_by: tuple[str, ...], period: rules.Period, start: date,
            end: date, filters: Mapping[str, Any]) -> rules.Window:
    """The request's buckets, once the actor, dimensions, filters and dates are valid."""
    _check(actor)
    unknown = [g for g in group_by if g not in DIMENSIONS]
    if unknown or len(set(group_by)) != len(group_by):
        raise ValidationError("stats.group_by", "不支持的分组维度", "group_by")
    if any(k not in FILTERS for k in filters):
        raise ValidationError("stats.filter", "不支持的筛选条件", "filters")
    if start > end:
        raise ValidationError("stats.range", "开始日期不能晚于结束日期", "start")
    return rules.window(period, start, end)


def _order(key: Key) -> tuple[tuple[bool, Any], ...]:
    """Keys in natural order (ids and days as such), None last in each position."""
    return tuple((v is None, 0 if v is None else v) for v in key)


def figures(actor: Actor, *, group_by: tuple[str, ...], period: rules.Period, start: date,
            end: date, compare_previous: bool = True,
            filters: Mapping[str, Any] | None = None,
            top_bad: int | None = None) -> list[FigureRow]:
    """Counts and figures per group over the buckets covering ``start`` … ``end``, with
    the previous period of the same length beside each row. ``top_bad``: only the groups
    with the most bad reviews, at most that many (ranked by the database)."""
    filters = dict(filters or {})
    win = _window(actor, group_by, period, start, end, filters)
    ask = _ask(actor, group_by, filters)
    current = _collect(actor, ask, win, top_bad)
    previous: dict[Key, rules.Counts] = {}
    offset = win.buckets
    if compare_previous:
        prev = win.previous()
        position = group_by.index("period") if "period" in group_by else None
        for key, counts in _collect(actor, ask, prev).items():
            if position is not None:
                key = (*key[:position], rules.shift(key[position], period, offset),
                       *key[position + 1:])
            previous[key] = counts
    return [FigureRow(dict(zip(group_by, key, strict=True)), current[key], previous.get(key))
            for key in _sorted(current)]


def _sorted(keys: Iterable[Key]) -> list[Key]:
    """Keys in natural order, None last in each position (plain tuple order, several
    times faster, when no key holds a None)."""
    found = list(keys)
    if any(None in key for key in found):
        return sorted(found, key=_order)
    return sorted(found)


@dataclass(frozen=True)
class Table:
    """Figures as a table: the header, and the rows as one JSON array of arrays."""

    header: list[str]
    rows_json: bytes


FIGURE_NAMES: tuple[str, ...] = tuple(f.value for f in rules.TERMS)


def figure_table(actor: Actor, *, group_by: tuple[str, ...], period: rules.Period,
                 start: date, end: date, filters: Mapping[str, Any] | None = None,
                 fields: tuple[str, ...] = ()) -> Table:
    """The figures of :func:`figures` as a table: a header (the group-by dimensions, then
    ``fields`` — count and figure names, all of them when empty) and one array per group,
    in key order. When one rollup table holds every count, the database computes the
    figures too, from ``rules.coefficients`` (the quotient of the same integers,
    correctly rounded), and on PostgreSQL writes the JSON itself: a year of org × month
    is one query and no Python object per row."""
    filters = dict(filters or {})
    wanted = list(fields) or [*rules.COUNT_FIELDS, *FIGURE_NAMES]
    unknown = [f for f in wanted if f not in rules.COUNT_FIELDS and f not in FIGURE_NAMES]
    if unknown or len(set(wanted)) != len(wanted):
        raise ValidationError("stats.fields", "不支持的输出字段：" + "、".join(unknown or wanted),
                              "fields")
    win = _window(actor, group_by, period, start, end, filters)
    chosen = tables(group_by, filters, win)
    header = [*group_by, *wanted]
    # A region's key is a region path until mapped to its id (stats.regions): grouped by
    # region, the figures are computed from the counts as in figures().
    if (group_by and "region" not in group_by and len(chosen) == 1
            and tuple(_counts_of(chosen[0])) == rules.COUNT_FIELDS):
        ask = _ask(actor, group_by, filters)
        return Table(header, _sql_table(chosen[0], actor, ask, win, wanted))
    rows = figures(actor, group_by=group_by, period=period, start=start, end=end,
                   compare_previous=False, filters=filters)
    return Table(header, orjson.dumps([
        [*r.key.values(), *(getattr(r.counts, f) if f in rules.COUNT_FIELDS
                            else rules.as_float(r.counts, rules.Figure(f)) for f in wanted)]
        for r in rows]))


def _sql_table(model: type[models.Model], actor: Actor, ask: _Ask, win: rules.Window,
               wanted: list[str]) -> bytes:
    qs, columns = _keyed(model, actor, ask, win)
    each = F if _one_row_per_group(model, columns, win) else Sum
    values: dict[str, Any] = {}
    for name in wanted:
        if name in rules.COUNT_FIELDS:
            values[f"v_{name}"] = each(name)
        else:
            top, bottom = rules.coefficients(rules.Figure(name))
            values[f"v_{name}"] = Cast(_linear(top, each), FloatField()) / NullIf(
                _linear(bottom, each), Value(0))
    grouped = qs.values_list(*columns).annotate(**values).order_by()
    if connection.vendor == "postgresql":
        sql, params = grouped.query.sql_with_params()
        names = [f"c{i}" for i in range(len(columns) + len(wanted))]
        with connection.cursor() as cursor:
            cursor.execute(  # noqa: S608 (the query is the ORM's, the rest is fixed text)
                f"SELECT coalesce(json_agg(json_build_array({', '.join(names)}) "
                f"ORDER BY {', '.join(names[:len(columns)])}), '[]')::text "
                f"FROM ({sql}) AS t({', '.join(names)})", params)
            return str(cursor.fetchone()[0]).encode()
    bucket = columns.index("bucket") if "bucket" in columns else None
    rows = sorted((list(row) for row in _fetch(grouped)),
                  key=lambda row: _order(tuple(row[:len(columns)])))
    if bucket is not None:
        for row in rows:
            row[bucket] = rules.as_date(row[bucket])
    return orjson.dumps(rows)


def _linear(terms: Mapping[str, int], each: Any = Sum) -> Any:
    """Σ factor × SUM(count) over the counts of one side of a figure (``each=F``: of one
    row's counts)."""
    total: Any = None
    for name, factor in terms.items():
        part = each(name) if factor == 1 else each(name) * factor
        total = part if total is None else total + part
    return total
