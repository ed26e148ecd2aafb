"""Public reads of the disclosure pages. Department rankings come from the rollups
through stats.ranking; typical cases from the redacted text stored on closed orders when
the office marked them 典型案例: a public read decrypts nothing (docs/disclosure.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor
from haochaping.catalog.rules.calendar import local_day
from haochaping.disclosure import rules
from haochaping.stats import ranking
from haochaping.stats import ranking_rules as rr
from haochaping.stats import rules as stats_rules
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.rules import Kind, State

# Reads the whole deployment's statistics, read-only: the public sees every department.
PUBLIC = Actor(role=Role.AUDITOR, scope_path=None, label="公示专栏")
CASES_LIMIT = 50
METRICS_MD = Path(settings.BASE_DIR) / "docs" / "metrics.md"
DEFINITION_SECTIONS = ("Which rows count", "Figures", "Rankings")


def department_ranking(period: str, start: date) -> list[rr.Ranked]:
    return ranking.ranking(PUBLIC, level=rr.Level.ORG, period=stats_rules.Period(period),
                           day=start)


@dataclass(frozen=True)
class Case:
    closed_on: date
    published_on: date
    org: str
    matter: str
    text: str


def typical_cases(limit: int = CASES_LIMIT) -> list[Case]:
    """Published typical cases: the text stored, already redacted, when the office marked
    the order (workorders.services.publication). Nothing is decrypted here."""
    orders = WorkOrder.objects.filter(
        typical_case=True, published_at__isnull=False, status=State.CLOSED.value,
        kind=Kind.BAD_REVIEW.value, evaluation__isnull=False,
    ).exclude(public_summary="").select_related("org", "evaluation__matter").only(
        "closed_at", "updated_at", "published_at", "public_summary", "org__name",
        "evaluation__matter__name",
    ).order_by("-closed_at", "-pk")[:limit]
    cases = []
    for order in orders:
        assert order.evaluation is not None  # filtered above
        assert order.published_at is not None
        closed = order.closed_at or order.updated_at
        cases.append(Case(closed_on=local_day(closed),
                          published_on=local_day(order.published_at), org=order.org.name,
                          matter=order.evaluation.matter.name, text=order.public_summary))
    return cases


@lru_cache(maxsize=1)
def definitions() -> list[rules.Section]:
    return rules.sections(METRICS_MD.read_text(encoding="utf-8"), DEFINITION_SECTIONS)
