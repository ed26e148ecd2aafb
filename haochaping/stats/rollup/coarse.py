"""Coarse roll-ups, derived only from the daily roll-ups in the transaction that wrote
those, so the two never disagree: org × day, and by month org, org × channel,
org × matter, org × window (docs/metrics.md "Grain and upkeep")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import connection, models, transaction

from haochaping.stats import rules
from haochaping.stats.models import (
    ChannelMonthRollup,
    MatterMonthRollup,
    OrgDayRollup,
    OrgMonthRollup,
    WindowMonthRollup,
)
from haochaping.stats.rollup.replace import replace_rows
from haochaping.stats.rollup.sources import SOURCES, Bucket, by_day

# coarse model → (by month?, key columns besides day and org)
COARSE: dict[type[models.Model], tuple[bool, tuple[str, ...]]] = {
    OrgDayRollup: (False, ()),
    OrgMonthRollup: (True, ()),
    ChannelMonthRollup: (True, ("channel",)),
    MatterMonthRollup: (True, ("matter_id",)),
    WindowMonthRollup: (True, ("window_id",)),
}
# A coarse table summed from another coarse one (derived before it: COARSE's order) rather
# than from the daily rollups: org × month from org × day reads a fraction of the rows.
SUMMED_FROM: dict[type[models.Model], type[models.Model]] = {OrgMonthRollup: OrgDayRollup}


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"date({column}, 'start of month')"


def _derived_select(model: type[models.Model], where: str, where_params: list[Any]
                    ) -> tuple[str, list[Any], list[str]]:
    """``SELECT keys, SUM(counts) … GROUP BY keys`` of the coarse ``model`` over the daily
    rollups that carry its keys, restricted by ``where`` (on their ``day`` and
    ``org_id``). Returns the SQL, its parameters and the coarse table's columns in order."""
    monthly, extra = COARSE[model]
    qn = connection.ops.quote_name
    names = [f.name for f in model._meta.concrete_fields if f.name in rules.COUNT_FIELDS]
    branches: list[str] = []
    params: list[Any] = []
    for fine in [SUMMED_FROM[model]] if model in SUMMED_FROM else SOURCES:
        have = {f.attname for f in fine._meta.concrete_fields}
        if not set(extra) <= have:
            continue
        day = _month_sql(qn("day")) if monthly else qn("day")
        picked = ", ".join([f"{day} AS k_day", f"{qn('org_id')} AS k_org",
                            *(f"{qn(e)} AS k_{e}" for e in extra),
                            *(f"{qn(n) if n in have else 0} AS c_{n}" for n in names)])
        branches.append(f"SELECT {picked} FROM {qn(fine._meta.db_table)} "  # noqa: S608
                        f"WHERE {where}")
        params += where_params
    keys = ["k_day", "k_org", *(f"k_{e}" for e in extra)]
    sums = ", ".join(f"SUM(c_{n})" for n in names)
    union = " UNION ALL ".join(branches)
    sql = (f"SELECT {', '.join(keys)}, {sums} FROM ({union}) AS src "  # noqa: S608
           f"GROUP BY {', '.join(keys)} ORDER BY {', '.join(keys)}")
    return sql, params, ["day", "org_id", *extra, *names]


def derive(model: type[models.Model], lo: date, hi: date, orgs: list[int] | None) -> None:
    """INSERT the coarse rows of days [lo, hi) (whole months for a month table), for
    these orgs or all, as one GROUP BY over the daily rollups that carry its keys."""
    qn = connection.ops.quote_name
    where = f"{qn('day')} >= %s AND {qn('day')} < %s"
    params: list[Any] = [lo, hi]
    if orgs is not None:
        where += f" AND {qn('org_id')} IN ({', '.join(['%s'] * len(orgs))})"
        params += orgs
    sql, params, columns = _derived_select(model, where, params)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(model._meta.db_table)} "  # noqa: S608
                       f"({', '.join(qn(c) for c in columns)}) {sql}", params)


# Month tables kept by deltas on each incremental run (the rest are re-derived): the
# month's rows of the touched orgs move by what their touched days changed, so a run costs
# what changed, not the size of the month so far.
DELTA_KEPT = tuple(m for m, (monthly, _) in COARSE.items() if monthly and m not in SUMMED_FROM)

Contribution = dict[tuple[Any, ...], list[int]]


def contributions(model: type[models.Model], buckets: set[Bucket]) -> Contribution:
    """What the daily rollups of these (day, org) buckets add to ``model``'s rows, by
    the row's key (month, org, extra key)."""
    qn = connection.ops.quote_name
    found: Contribution = {}
    width = 2 + len(COARSE[model][1])
    for day, orgs in by_day(buckets):
        where = (f"{qn('day')} = %s AND "
                 f"{qn('org_id')} IN ({', '.join(['%s'] * len(orgs))})")
        sql, params, _ = _derived_select(model, where, [day, *orgs])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                key = (rules.as_date(row[0]), *row[1:width])
                counts = [int(v) for v in row[width:]]
                if key in found:
                    found[key] = [a + b for a, b in zip(found[key], counts, strict=True)]
                else:
                    found[key] = counts
    return found


def apply_delta(model: type[models.Model], before: Contribution, after: Contribution) -> int:
    """Move ``model``'s rows by ``after - before``: rows that change are replaced, rows
    that fall to all zeros are removed (as a re-derivation would leave none). Returns the
    rows written or removed."""
    extra = COARSE[model][1]
    names = [f.name for f in model._meta.concrete_fields if f.name in rules.COUNT_FIELDS]
    zero = [0] * len(names)
    delta: Contribution = {}
    for key in before.keys() | after.keys():
        change = [b - a for a, b in zip(before.get(key, zero), after.get(key, zero),
                                        strict=True)]
        if any(change):
            delta[key] = change
    if not delta:
        return 0
    key_of = ("day", "org_id", *extra)
    manager = model._default_manager
    existing = {tuple(getattr(row, k) for k in key_of): row for row in manager.filter(
        day__in={k[0] for k in delta}, org_id__in={k[1] for k in delta})}
    stale, fresh = [], []
    for key, change in delta.items():
        row = existing.get(key)
        counts = ([getattr(row, n) + c for n, c in zip(names, change, strict=True)]
                  if row is not None else change)
        if row is not None:
            stale.append(row.pk)
        if any(counts):
            fresh.append(model(**dict(zip(key_of, key, strict=True)),
                               **dict(zip(names, counts, strict=True))))
    manager.filter(pk__in=stale).delete()
    manager.bulk_create(fresh)
    return len(stale) + len(fresh)


def month_span(first: date, end: date) -> tuple[date, date]:
    """The whole months covering the days [first, end)."""
    last = end - timedelta(days=1)
    return first.replace(day=1), rules.shift(last.replace(day=1), rules.Period.MONTH, 1)


def derive_buckets(buckets: Iterable[Bucket], skip: Iterable[type[models.Model]] = ()
                   ) -> None:
    """Refresh the coarse rows covering these (day, org) buckets from the daily rollups;
    call it in the transaction that recomputed them. ``skip``: tables kept otherwise."""
    buckets = set(buckets)
    for model, (monthly, _) in COARSE.items():
        if model in skip:
            continue
        wanted = {(day.replace(day=1) if monthly else day, org) for day, org in buckets}
        for day, orgs in by_day(wanted):
            hi = rules.shift(day, rules.Period.MONTH, 1) if monthly else day + timedelta(days=1)
            model._default_manager.filter(day=day, org_id__in=orgs).delete()
            derive(model, day, hi, orgs)


def derive_range(first: date, end: date) -> None:
    """Re-derive every coarse row of the days [first, end) (whole months around them for
    the month tables) from the daily rollups, writing only what differs."""
    qn = connection.ops.quote_name
    for model, (monthly, extra) in COARSE.items():
        lo, hi = month_span(first, end) if monthly else (first, end)
        sql, params, columns = _derived_select(
            model, f"{qn('day')} >= %s AND {qn('day')} < %s", [lo, hi])
        replace_rows(model, columns, sql, params, lo, hi, order=2 + len(extra))


def derive_all() -> None:
    """Re-derive every coarse table from the daily rollups as they stand."""
    with transaction.atomic():
        for model in COARSE:
            model._default_manager.all().delete()
            derive(model, date.min, date.max, None)
