"""Public reads of the disclosure pages. Rankings and rectification figures come from the
snapshots published once a period has ended (stats.snapshots: never recomputed, so a
later weight change or upheld appeal does not rewrite them); typical cases (searched and
paged) from the redacted text stored on closed orders when the office marked them 典型案例.
A public read decrypts nothing (docs/disclosure.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from haochaping.catalog.rules.calendar import local_day
from haochaping.disclosure import rules
from haochaping.stats import rules as stats_rules
from haochaping.stats import snapshots
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.rules import Kind, State

PUBLISHED_LIMIT = 12  # periods of each kind listed on the index page


def published(period: str, start: date) -> snapshots.Published | None:
    """The snapshot published for the period, or None (not published)."""
    return snapshots.published(stats_rules.Period(period), start)


def published_starts(period: str, limit: int = PUBLISHED_LIMIT) -> list[date]:
    return snapshots.latest_starts(stats_rules.Period(period), limit)


def default_start(period: str, today: date) -> date:
    """The period a query without ``at`` names: the latest published one, else the last
    ended one (which then answers 未发布)."""
    latest = published_starts(period, 1)
    return latest[0] if latest else rules.previous_period_start(today, period)


@dataclass(frozen=True)
class Case:
    closed_on: date
    published_on: date
    org: str
    matter: str
    text: str


def typical_cases(text: str = "", page: str | None = None) -> tuple[list[Case], rules.Page]:
    """Published typical cases, newest first, one page of them; ``text`` matches the
    matter, the department or the case's text. The text was stored, already redacted,
    when the office marked the order (workorders.services.publication): nothing is
    decrypted here."""
    orders = WorkOrder.objects.filter(
        typical_case=True, published_at__isnull=False, status=State.CLOSED.value,
        kind=Kind.BAD_REVIEW.value, evaluation__isnull=False,
    ).exclude(public_summary="")
    if text:
        orders = orders.filter(Q(evaluation__matter__name__icontains=text)
                               | Q(org__name__icontains=text)
                               | Q(public_summary__icontains=text))
    found = rules.page_of(orders.count(), page)
    rows = orders.select_related("org", "evaluation__matter").only(
        "closed_at", "updated_at", "published_at", "public_summary", "org__name",
        "evaluation__matter__name",
    ).order_by("-closed_at", "-pk")[found.offset:found.offset + rules.PAGE_SIZE]
    cases = []
    for order in rows:
        assert order.evaluation is not None  # filtered above
        assert order.published_at is not None
        closed = order.closed_at or order.updated_at
        cases.append(Case(closed_on=local_day(closed),
                          published_on=local_day(order.published_at), org=order.org.name,
                          matter=order.evaluation.matter.name, text=order.public_summary))
    return cases, found


def latest(period: str) -> tuple[date, snapshots.Published] | None:
    """The latest published snapshot of the period kind, with its first day."""
    starts = published_starts(period, 1)
    found = published(period, starts[0]) if starts else None
    return None if found is None else (starts[0], found)
