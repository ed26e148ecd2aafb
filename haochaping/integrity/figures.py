"""Confirmed fraud for the performance review (issue 15; seed 003 §24: 刷"好评" is
penalised): the office's deductions of confirmed frauds by org and by staff member. Read
by ``appraisal``; no scoping here (the review sheet scopes its own rows)."""

from __future__ import annotations

from datetime import date

from django.db.models import Sum

from haochaping.core.localtime import day_bounds
from haochaping.integrity.models import Review
from haochaping.integrity.review_rules import Decision


def _confirmed(start: date, end: date, key: str) -> dict[int, float]:
    since, _ = day_bounds(start)
    _, until = day_bounds(end)
    rows = (Review.objects.filter(decision=Decision.CONFIRMED.value, rated_at__gte=since,
                                  rated_at__lt=until, **{f"{key}__isnull": False})
            .values(key).annotate(points=Sum("deduction")))
    return {row[key]: float(row["points"]) for row in rows}


def confirmed_fraud_by_org(start: date, end: date) -> dict[int, float]:
    """Org id → total deduction points of confirmed frauds whose rating falls in the local
    days ``start``..``end`` inclusive."""
    return _confirmed(start, end, "org_id")


def confirmed_fraud_by_staff(start: date, end: date) -> dict[int, float]:
    """Staff id → the same, for ratings that name the staff member."""
    return _confirmed(start, end, "staff_id")
