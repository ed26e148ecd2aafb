"""The demo's 绩效考核 (issue 15): the city office's quarterly review sheet of its
departments and one of its staff, both run and published for the last two ended
quarters (frozen with their SHA-256), a privacy violation the office recorded (seed
003 §22: straight to the bottom), and the bottom list of staff at the bottom twice in a
row with an improvement plan (限期整改); an annual sheet computed and not yet published."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from haochaping.accounts.scoping import actor_for_user
from haochaping.appraisal import selectors, services
from haochaping.appraisal.models import PublishedRow, ReviewSheet
from haochaping.appraisal.rules import PeriodKind, period_bounds
from haochaping.catalog.models import Staff
from haochaping.core.localtime import local_day

ORG_INDICATORS: list[dict[str, Any]] = [
    {"key": "satisfaction", "mode": "weight", "weight": 60},
    {"key": "ranking", "mode": "weight", "weight": 40},
    {"key": "overdue_orders", "mode": "deduct", "deduction": "2"},
    {"key": "returned_orders", "mode": "deduct", "deduction": "1"},
    {"key": "complaints_accepted", "mode": "deduct", "deduction": "1"},
    {"key": "appeals_rejected", "mode": "deduct", "deduction": "0.5"},
    {"key": "spot_check_findings", "mode": "deduct", "deduction": "5"},
    {"key": "privacy_violations", "mode": "deduct", "deduction": "0"},
]
STAFF_INDICATORS: list[dict[str, Any]] = [
    {"key": "satisfaction", "mode": "weight", "weight": 70},
    {"key": "ranking", "mode": "weight", "weight": 30},
    {"key": "overdue_orders", "mode": "deduct", "deduction": "2"},
    {"key": "complaints_accepted", "mode": "deduct", "deduction": "3"},
    {"key": "spot_check_findings", "mode": "deduct", "deduction": "5"},
]
VIOLATION = "窗口工作人员将差评评价人的手机号告知被评价的同事，评价人反映遭到电话质问"
MEASURES = "调离综合受理岗位跟岗学习一个月；每周抽查其办件录音；下季度满意率须达到大厅平均水平"


def _ended_quarters(today: date, count: int) -> list[date]:
    """The first days of the ``count`` latest ended quarters, oldest first."""
    start = period_bounds(PeriodKind.QUARTER, today.year, (today.month - 1) // 3 + 1)[0]
    found = []
    for _ in range(count):
        start = (start - timedelta(days=1)).replace(day=1)
        start = start.replace(month=(start.month - 1) // 3 * 3 + 1)
        found.append(start)
    return found[::-1]


def _bottom_staff(sheet: ReviewSheet, start: date) -> int | None:
    row = (PublishedRow.objects.filter(review__sheet=sheet, review__start=start,
                                       at_bottom=True, staff__isnull=False)
           .order_by("-rank").first())
    return row.staff_id if row else None


def build_appraisal(*, users: dict[str, Any], now: datetime,
                    step: Callable[[str], None]) -> dict[str, int]:
    step("绩效考核 …")
    office = actor_for_user(users["supervisor"])
    orgs = services.sheet_create(actor=office, title="部门季度绩效考核（好差评）",
                                 subject_kind="org", period_kind="quarter",
                                 indicators=ORG_INDICATORS, now=now)
    staff = services.sheet_create(actor=office, title="窗口工作人员季度考核",
                                  subject_kind="staff", period_kind="quarter",
                                  indicators=STAFF_INDICATORS, now=now)
    first, second = _ended_quarters(local_day(now), 2)
    for sheet in (orgs, staff):
        run = services.review_run(actor=office, sheet=sheet, start=first, now=now)
        services.review_publish(actor=office, run=run, now=now)
    # A staff member at the bottom of the first quarter leaked a rater's phone number in
    # the second: recorded by the office, it keeps them at the bottom (seed 003 §22).
    leaker = _bottom_staff(staff, first) or Staff.objects.filter(
        org__path__startswith=office.scope_path or "").order_by("pk").values_list(
        "pk", flat=True).first()
    violations = 0
    if leaker is not None:
        member = Staff.objects.get(pk=leaker)
        services.violation_record(actor=office, org_id=member.org_id, staff_id=member.pk,
                                  occurred_on=second + timedelta(days=20),
                                  description=VIOLATION, now=now)
        violations = 1
    for sheet in (orgs, staff):
        run = services.review_run(actor=office, sheet=sheet, start=second, now=now)
        services.review_publish(actor=office, run=run, now=now)
    plans = 0
    for entry in selectors.bottom_list(office, staff):
        if entry.review.start == second and entry.plan is None:
            services.plan_create(actor=office, review=entry.review, org_id=entry.org_id,
                                 staff_id=entry.staff_id, measures=MEASURES, deadline=None,
                                 now=now)
            plans += 1
            break
    yearly = services.sheet_create(actor=office, title="部门年度绩效考核",
                                   subject_kind="org", period_kind="year",
                                   indicators=ORG_INDICATORS, now=now)
    services.review_run(actor=office, sheet=yearly, start=date(local_day(now).year - 1, 1, 1),
                        now=now)
    step(f"  2 个季度考核方案各发布 2 期，{violations} 起信息保护违规，{plans} 份限期整改计划")
    return {"appraisal_reviews": 4, "appraisal_plans": plans}
