"""Public reads of the disclosure pages. Department rankings come from the rollups
through stats.ranking; typical cases from closed orders marked 典型案例, with nothing
that names a person (docs/disclosure.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor
from haochaping.audit.services import audit_record
from haochaping.catalog.models import BadReason
from haochaping.catalog.rules.calendar import local_day
from haochaping.disclosure import rules
from haochaping.handlings.vault import VaultError, decrypt_field
from haochaping.stats import ranking
from haochaping.stats import ranking_rules as rr
from haochaping.stats import rules as stats_rules
from haochaping.workorders.models import Rectification, Reply, WorkOrder
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
    org: str
    matter: str
    problems: list[str]
    measures: list[str]
    reply: str


def typical_cases(limit: int = CASES_LIMIT) -> list[Case]:
    orders = list(WorkOrder.objects.filter(
        typical_case=True, status=State.CLOSED.value, kind=Kind.BAD_REVIEW.value,
        evaluation__isnull=False).select_related(
        "org", "evaluation__matter", "evaluation__staff", "evaluation__rater",
    ).order_by("-closed_at", "-pk")[:limit])
    ids = [o.pk for o in orders]
    measures: dict[int, list[Rectification]] = {}
    for r in Rectification.objects.filter(order_id__in=ids).order_by("at", "pk"):
        measures.setdefault(r.order_id, []).append(r)
    replies: dict[int, Reply] = {}
    for reply in Reply.objects.filter(order_id__in=ids).order_by("at", "pk"):
        replies[reply.order_id] = reply  # the latest reply wins
    reasons = {(b.version_id, b.code): b.text for b in BadReason.objects.filter(
        version_id__in={o.evaluation.standard_version_id for o in orders if o.evaluation})}
    cases = []
    for order in orders:
        evaluation = order.evaluation
        assert evaluation is not None  # filtered above
        # Neither the rater's nor the staff's name appears in a typical case, not even
        # inside the department's free texts (the decrypted name never leaves this call).
        names = [_rater_name(evaluation.rater)]
        if evaluation.staff:
            names.append(evaluation.staff.name)
        latest = replies.get(order.pk)
        cases.append(Case(
            closed_on=local_day(order.closed_at) if order.closed_at else local_day(
                order.updated_at),
            org=order.org.name, matter=evaluation.matter.name,
            # Listed reasons only: the rater's own words may name people (seed 003 §7).
            problems=[reasons[(evaluation.standard_version_id, code)]
                      for code in evaluation.reason_codes
                      if (evaluation.standard_version_id, code) in reasons],
            measures=[rules.scrub(f"{r.measures}（{r.result}）" if r.result else r.measures,
                                  names) for r in measures.get(order.pk, [])],
            reply=rules.scrub(latest.text, names) if latest else ""))
    return cases


def _rater_name(rater: Any) -> str:
    """The rater's name, read only to strike it from published text. It is an unmasked
    read like any other, so it is audited (once per page build; pages are cached)."""
    try:
        name = decrypt_field("name", rater.name_cipher)
    except VaultError:
        return ""
    audit_record(action="rater.redact", actor_label="system:disclosure", obj=rater,
                 after={"purpose": "典型案例公示前去除评价人姓名", "fields": ["name"]})
    return name


@lru_cache(maxsize=1)
def definitions() -> list[rules.Section]:
    return rules.sections(METRICS_MD.read_text(encoding="utf-8"), DEFINITION_SECTIONS)
