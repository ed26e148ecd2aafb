"""Published ranking snapshots (公示排名快照). Pure Python, no ORM.

Seed 002 §二(四): the results published for a period may not be altered afterwards. A
snapshot freezes, once a month or quarter has ended, what the public page shows for it:
the department ranking with the weights in force, each department's rectification
figures, the period and the publication time. Its content is one canonical JSON document
(sorted keys, no insignificant spaces, UTF-8) and its SHA-256 is taken over exactly those
bytes, which the public page serves unchanged, so anyone can recompute the hash.

Values are stored as shown: composite scores rounded to 2 decimals, rates to 6 (a
fraction of 1, ``null`` when there is nothing to divide by, docs/metrics.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

from haochaping.stats import ranking_rules as rr
from haochaping.stats import rules

FORMAT_VERSION = 1
PERIODS = (rules.Period.MONTH, rules.Period.QUARTER)
# Ranked figures shown beside the composite (stats.ranking_rules.COMPONENTS, as values).
RANKING_FIGURES: dict[str, rules.Figure] = {
    "satisfaction": rules.Figure.SATISFACTION,
    "participation": rules.Figure.PARTICIPATION,
    "on_time_rectification": rules.Figure.ON_TIME_RECTIFICATION,
    "bad_review": rules.Figure.BAD_REVIEW,
}
# The rectification table (整改情况): counts and figures of rules.py, by department.
RECTIFICATION_COUNTS = ("bad_reviews", "orders", "voided", "closed", "closed_on_time",
                        "called_back")
RECTIFICATION_FIGURES: dict[str, rules.Figure] = {
    "rectification": rules.Figure.RECTIFICATION,
    "on_time_rectification": rules.Figure.ON_TIME_RECTIFICATION,
    "callback": rules.Figure.CALLBACK,
}
WEIGHT_NAMES = ("satisfaction", "participation", "on_time_rectification", "bad_review",
                "min_sample", "bottom_count", "bottom_periods")


def period_value(period: str, start: date) -> str:
    """A published period as the public pages name it in their links: ``2026-10`` (month)
    or ``2026-Q3`` (quarter); parsed back by ``disclosure.rules.parse_period``."""
    if period == "month":
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def rate(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 6)


def ranking_rows(ranked: Iterable[rr.Ranked]) -> list[dict[str, Any]]:
    rows = []
    for r in ranked:
        figures = rules.compute(r.counts)
        rows.append({
            "rank": r.rank, "code": r.code, "name": r.name,
            "composite": None if r.composite is None else round(float(r.composite), 2),
            "ratings": r.counts.real_ratings, "status": r.status,
            **{name: rate(figures[f]) for name, f in RANKING_FIGURES.items()}})
    return rows


def rectification_rows(ranked: Iterable[rr.Ranked]) -> list[dict[str, Any]]:
    """Departments with bad reviews or bad-review orders in the period, by code."""
    rows = []
    for r in sorted(ranked, key=lambda r: r.code):
        c = r.counts
        if not (c.bad_reviews or c.orders):
            continue
        figures = rules.compute(c)
        rows.append({"code": r.code, "name": r.name,
                     **{name: getattr(c, name) for name in RECTIFICATION_COUNTS},
                     **{name: rate(figures[f]) for name, f in RECTIFICATION_FIGURES.items()}})
    return rows


def payload(*, period: rules.Period, start: date, level: rr.Level, weights: rr.Weights,
            ranked: list[rr.Ranked], generated_at: datetime) -> dict[str, Any]:
    """The document a snapshot stores; ``generated_at`` is an aware datetime."""
    return {
        "version": FORMAT_VERSION, "period": period.value, "start": start.isoformat(),
        "end": (rules.shift(start, period, 1) - timedelta(days=1)).isoformat(),
        "level": level.value,
        "generated_at": generated_at.astimezone(rules.SHANGHAI).isoformat(),
        "weights": {name: getattr(weights, name) for name in WEIGHT_NAMES},
        "ranking": ranking_rows(ranked), "rectification": rectification_rows(ranked),
    }


def canonical(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), allow_nan=False).encode("utf-8")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def due_starts(today: date, period: rules.Period, count: int) -> list[date]:
    """The first days of the ``count`` latest periods that ended before ``today``,
    newest first."""
    current = rules.bucket_start(today, period)
    return [rules.shift(current, period, -n) for n in range(1, count + 1)]
