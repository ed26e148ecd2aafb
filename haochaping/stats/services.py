"""Writes of the stats app: the roll-ups' upkeep (docs/metrics.md "Grain and upkeep").

Every function here is safe to call from several processes at once (the task engine's
workers): ``rollup_tick`` claims dirty buckets rather than a job, ``rebuild_month`` holds
its month only, and the locks of ``stats.rollup.locks`` order them. Ranking weights,
snapshots and monthly reports keep their writes in ``ranking``, ``snapshots`` and
``reports``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q

from haochaping.stats import bulk, rules
from haochaping.stats.models import RollupState
from haochaping.stats.rollup import STATE, coarse, dirty, locks
from haochaping.stats.rollup.replace import replace_rows
from haochaping.stats.rollup.sources import (
    SOURCES,
    Bucket,
    insert_select,
    range_q,
    raw_day_span,
    recompute,
    source_select,
)

RECENT_DAYS = 40  # stats.rebuild_recent: covers a month plus late changes
CLAIM_BATCH = 2_000  # dirty rows per tick transaction
TICK_ROUNDS = 20  # transactions per tick at most: a tick under a flood still ends


def _small_statements() -> None:
    """An incremental run sends dozens of statements over a few thousand rows each:
    PostgreSQL's JIT compilation (tens of ms per statement) costs more than it saves."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _rebuild_memory() -> None:
    """Room for the hash joins and sorts of a rebuild (PostgreSQL, this transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")


def recompute_buckets(buckets: set[Bucket]) -> None:
    """Recompute the daily roll-ups of these buckets from raw rows, re-derive org × day
    and org × month for them and move the other month tables by what the buckets
    changed (``coarse.DELTA_KEPT``: their contribution read before and after). The
    caller holds the buckets (``locks.hold_buckets``) in its transaction."""
    before = {model: coarse.contributions(model, buckets) for model in coarse.DELTA_KEPT}
    for model in SOURCES:
        recompute(model, buckets)
    coarse.derive_buckets(buckets, skip=coarse.DELTA_KEPT)
    for model in coarse.DELTA_KEPT:
        coarse.apply_delta(model, before[model], coarse.contributions(model, buckets))


def _first_run(now: datetime) -> str | None:
    """Build every roll-up once, if nobody has (the first tick after installing or
    upgrading: migration stats 0008 clears the watermark)."""
    if RollupState.objects.filter(name=STATE, watermark__isnull=False).exists():
        return None
    with transaction.atomic():
        RollupState.objects.get_or_create(name=STATE)
        state = RollupState.objects.select_for_update().get(name=STATE)
        if state.watermark is not None:
            return None  # another worker built them while this one waited
        days = rebuild_all()
        RollupState.objects.filter(pk=state.pk).update(watermark=now, last_run_at=now,
                                                       last_buckets=days)
    return f"first run: rebuilt {days} days"


def rollup_tick(now: datetime, *, batch: int = CLAIM_BATCH) -> str:
    """One incremental run (task ``stats.rollup``): claim dirty buckets, recompute them,
    commit; again while a full batch was claimed (at most TICK_ROUNDS times). Any number
    of processes may run it at once: each claims other rows, and a bucket two of them
    claimed is recomputed by one, then the other (``locks``). A failed transaction rolls
    its claim back for the next tick."""
    first = _first_run(now)
    if first is not None:
        return first
    done = 0
    for _ in range(TICK_ROUNDS):
        with transaction.atomic():
            claimed = dirty.claim(batch)
            buckets = set(claimed)
            if buckets:
                locks.hold_buckets(buckets)
                _small_statements()
                recompute_buckets(buckets)
        done += len(buckets)
        if len(claimed) < batch:
            break
    RollupState.objects.filter(name=STATE).update(last_run_at=now, last_buckets=done)
    return f"recomputed {done} buckets"


def months_of(first: date, last: date) -> list[tuple[int, int]]:
    """The (year, month) of every month holding a day of [first, last]."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append((month.year, month.month))
        month = rules.shift(month, rules.Period.MONTH, 1)
    return months


def rebuild_plan() -> list[tuple[int, int]]:
    """The months a full rebuild by months covers (the coordinator enqueues one
    ``rebuild_month`` per entry), newest first: the months dashboards read most."""
    span = raw_day_span()
    return list(reversed(months_of(*span))) if span else []


def rebuild_month(year: int, month: int) -> int:
    """Rebuild every roll-up of one month from raw rows in one transaction (task
    ``stats.rebuild_month``); returns its days. Rebuilds of different months run at
    once in different processes; ticks touching this month wait for it."""
    first = date(year, month, 1)
    end = rules.shift(first, rules.Period.MONTH, 1)
    with transaction.atomic():
        locks.hold_months([first])
        _rebuild_memory()
        dirty.drop_range(first, end)
        _rebuild_days(first, end, end - first)
        coarse.derive_range(first, end)
    return (end - first).days


def _rebuild_days(first: date, end: date, step: timedelta) -> None:
    """The daily roll-ups of the days [first, end) from raw rows, ``step`` days per
    statement, writing only the rows that differ from those stored."""
    for model, (source, day_field, extra) in SOURCES.items():
        day = first
        while day < end:
            stop = min(day + step, end)
            sql, params, columns, width = source_select(
                model, source(range_q(day_field, day, stop)), extra)
            replace_rows(model, columns, sql, params, day, stop, order=width)
            day = stop


def rebuild(first: date, last: date, *, batch_days: int | None = None) -> int:
    """Rebuild every rollup for the days ``first`` … ``last`` in one transaction: one
    INSERT … SELECT per daily rollup (in batches of ``batch_days`` if given), then the
    coarse tables from them (whole months around the range). Returns the days rebuilt."""
    end = last + timedelta(days=1)
    with transaction.atomic():
        locks.hold_months(date(y, m, 1) for y, m in months_of(first, last))
        _rebuild_memory()
        dirty.drop_range(first, end)
        _rebuild_days(first, end, timedelta(days=batch_days) if batch_days else end - first)
        coarse.derive_range(first, end)
    return (last - first).days + 1


def rebuild_all() -> int:
    """Rebuild every rollup from every raw row; returns the days rebuilt.

    On PostgreSQL the tables are emptied and bulk loaded in one transaction, their
    indexes built once after the load (stats.bulk) and their statistics refreshed, so the
    next reads are planned on the new rows. Readers of the rollup tables wait until it
    commits (TRUNCATE locks them); cached dashboards are still served. Elsewhere it is
    :func:`rebuild` over the raw span."""
    span = raw_day_span()
    tables = [*SOURCES, *coarse.COARSE]
    if connection.vendor != "postgresql":
        with transaction.atomic():
            for model in tables:
                model._default_manager.all().delete()
            return rebuild(*span) if span else 0
    with transaction.atomic():
        locks.hold_whole()
        _rebuild_memory()
        dirty.drop_range(date.min, date.max)  # covered by this rebuild
        with bulk.emptied_without_indexes(tables):
            if span:
                for model, (source, _, extra) in SOURCES.items():
                    insert_select(model, source(Q()), extra, ordered=False)
                for model in coarse.COARSE:
                    coarse.derive(model, date.min, date.max, None)
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return (span[1] - span[0]).days + 1 if span else 0


def rebuild_recent(now: datetime) -> str:
    """Nightly repair (job ``stats.rebuild_recent``): rebuild the last RECENT_DAYS days,
    catching rows written with the triggers off (bulk loads in replica mode)."""
    last = rules.local_day(now)
    days = rebuild(last - timedelta(days=RECENT_DAYS - 1), last)
    return f"rebuilt {days} days"
