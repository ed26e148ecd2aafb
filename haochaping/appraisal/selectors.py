"""Reads of the performance review, for the supervising office (``appraisal`` read, its
org subtree): a department sees no sheet, run or bottom list here — neither its own
review before publication nor the bottom list and its follow-up (seed 000 §15); once a
review is published it reads its own subtree's rows of it (``own_results``).

Also the computation of a run's document from the rows (``review_document``, through
the input registry) and the bottom list (``bottom_list``) from the published rows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import NOWHERE, Actor
from haochaping.appraisal import inputs, rules
from haochaping.appraisal.models import (
    ImprovementPlan,
    PrivacyViolation,
    PublishedReview,
    PublishedRow,
    ReviewRun,
    ReviewSheet,
)
from haochaping.appraisal.rules import Indicator, Mode, PeriodKind, SubjectKind, Unit
from haochaping.catalog.models import Org, Staff
from haochaping.catalog.rules.codes import OrgKind
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.core.errors import NotFound
from haochaping.core.localtime import SHANGHAI
from haochaping.stats import snapshot_rules as sr


def is_office(actor: Actor) -> bool:
    return (not actor.is_client and actor.scope_path is not None
            and actor.allows(access.APPRAISAL, access.READ))


def visible_sheets(actor: Actor) -> QuerySet[ReviewSheet]:
    sheets = ReviewSheet.objects.select_related("scope").order_by("-pk")
    if not is_office(actor):
        return sheets.none()
    return sheets.filter(scope_path__startswith=actor.scope_path or NOWHERE)


def sheet_get(actor: Actor, pk: int) -> ReviewSheet:
    sheet = visible_sheets(actor).filter(pk=pk).first()
    if sheet is None:
        raise NotFound("appraisal.sheet_not_found", "考核方案不存在或无权查看")
    return sheet


def run_get(actor: Actor, pk: int) -> ReviewRun:
    run = (ReviewRun.objects.select_related("sheet", "sheet__scope")
           .filter(pk=pk, sheet__in=visible_sheets(actor)).first())
    if run is None:
        raise NotFound("appraisal.run_not_found", "考核结果不存在或无权查看")
    return run


def published_of(run: ReviewRun) -> PublishedReview | None:
    return PublishedReview.objects.filter(run=run).first()


def indicators_of(sheet: ReviewSheet) -> list[Indicator]:
    found = []
    for row in sheet.indicators.order_by("position"):
        source = inputs.INPUTS.get(row.input_key)
        label, unit = (source.label, source.unit) if source else (row.input_key, Unit.COUNT)
        found.append(Indicator(row.input_key, label, unit, Mode(row.mode), row.weight,
                               float(row.deduction)))
    return found


# --- periods --------------------------------------------------------------------------------

def period_start_valid(kind: PeriodKind, start: date) -> bool:
    if start.day != 1:
        return False
    return start.month == 1 if kind is PeriodKind.YEAR else start.month in (1, 4, 7, 10)


def period_end(kind: PeriodKind, start: date) -> date:
    quarter = (start.month - 1) // 3 + 1
    return rules.period_bounds(kind, start.year, quarter)[1]


# --- the run's document -----------------------------------------------------------------------

def _subjects(sheet: ReviewSheet) -> list[tuple[int, int, str, str, str]]:
    """(key, org id, code, name, org name) of the sheet's subjects: the handling
    departments of its subtree, or their staff in post."""
    if sheet.subject_kind == SubjectKind.ORG.value:
        orgs = (Org.objects.filter(path__startswith=sheet.scope_path)
                .exclude(kind=OrgKind.SUPERVISING.value).order_by("code"))
        return [(o.pk, o.pk, o.code, o.name, o.name) for o in orgs]
    staff = (Staff.objects.filter(org__path__startswith=sheet.scope_path, is_active=True)
             .select_related("org").order_by("staff_no"))
    return [(s.pk, s.org_id, s.staff_no, s.name, s.org.name) for s in staff]


def review_document(sheet: ReviewSheet, start: date, end: date,
                    now: datetime) -> tuple[str, str, int]:
    """The run's canonical JSON, its SHA-256 and its number of rows."""
    kind = SubjectKind(sheet.subject_kind)
    indicators = indicators_of(sheet)
    found: dict[str, dict[int, float]] = {}
    for i in indicators:
        source = inputs.INPUTS.get(i.key)
        found[i.key] = source.by[kind](start, end) if source and kind in source.kinds else {}
    ranked = {i.key: len(found[i.key]) for i in indicators if i.unit is Unit.RANK}
    privacy = inputs.privacy_violations(kind)(start, end)
    subjects = _subjects(sheet)
    org_of = {key: (org, org_name) for key, org, _, _, org_name in subjects}
    listed = [rules.Subject(key, code, name,
                            {i.key: found[i.key].get(key, 0.0 if i.unit is Unit.COUNT else None)
                             for i in indicators},
                            int(privacy.get(key, 0)))
              for key, _, code, name, _ in subjects]
    policy = effective_policy(sheet.scope)
    rows = rules.rank(listed, indicators, int(policy.appraisal_bottom_count), ranked)
    document = {
        "version": rules.FORMAT_VERSION,
        "sheet": {"id": sheet.pk, "title": sheet.title, "subject_kind": kind.value,
                  "period_kind": sheet.period_kind, "scope": sheet.scope.code,
                  "scope_name": sheet.scope.name},
        "period": {"start": start.isoformat(), "end": end.isoformat(),
                   "label": rules.period_label(PeriodKind(sheet.period_kind), start)},
        "indicators": [{"key": i.key, "label": i.label, "unit": i.unit.value,
                        "mode": i.mode.value, "weight": i.weight,
                        "deduction": rules.rounded(i.deduction)} for i in indicators],
        "bottom_count": int(policy.appraisal_bottom_count),
        "computed_at": now.astimezone(SHANGHAI).isoformat(),
        "rows": [{**rules.row_document(r), "org": org_of[r.subject.key][0],
                  "org_name": org_of[r.subject.key][1]} for r in rows],
    }
    content = sr.canonical(document)
    return content.decode("utf-8"), sr.sha256(content), len(rows)


def parse(content: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(content)
    return parsed


def verified(review: PublishedReview) -> bool:
    """The stored hash is the SHA-256 of the stored canonical JSON."""
    return sr.sha256(review.content.encode("utf-8")) == review.sha256


# --- the bottom list ----------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    review: PublishedReview
    org_id: int
    staff_id: int | None
    name: str
    org_name: str
    ranks: list[int | None]
    privacy: int
    plan: ImprovementPlan | None
    status: str


def _key(row: PublishedRow, staff: bool) -> int:
    return int(row.staff_id if staff else row.org_id)  # type: ignore[arg-type]


def bottom_list(actor: Actor, sheet: ReviewSheet) -> list[Entry]:
    """Subjects at the bottom of ``appraisal_bottom_periods`` consecutive published
    reviews of the sheet, per review that completed the streak, newest first, with their
    improvement plan and its state (rules.plan_status). The office only."""
    if not is_office(actor) or not visible_sheets(actor).filter(pk=sheet.pk).exists():
        return []
    staff = sheet.subject_kind == SubjectKind.STAFF.value
    needed = int(effective_policy(sheet.scope).appraisal_bottom_periods)
    reviews = list(PublishedReview.objects.filter(sheet=sheet).order_by("start"))
    rows: dict[int, dict[int, PublishedRow]] = defaultdict(dict)
    for row in PublishedRow.objects.filter(review__sheet=sheet).select_related("org", "staff"):
        rows[row.review_id][_key(row, staff)] = row
    plans = {(p.review_id, p.org_id, p.staff_id): p
             for p in ImprovementPlan.objects.filter(sheet=sheet)}
    series: list[tuple[date, date, set[int]]] = []
    entries: list[Entry] = []
    for n, review in enumerate(reviews):
        series.append((review.start, review.end,
                       {k for k, r in rows[review.pk].items() if r.at_bottom}))
        for key in sorted(rules.streak_flags(series, needed)):
            row = rows[review.pk][key]
            plan = plans.get((review.pk, row.org_id, row.staff_id))
            later = [rows[r.pk][key].at_bottom if key in rows[r.pk] else False
                     for r in reviews[n + 1:]]
            status = (rules.plan_status(transferred=plan.transferred_at is not None,
                                        later_at_bottom=later).label
                      if plan else "待制定整改计划")
            ranks = [rows[r.pk][key].rank if key in rows[r.pk] else None
                     for r in reviews[n + 1 - needed:n + 1]]
            entries.append(Entry(review, row.org_id, row.staff_id,
                                 row.staff.name if row.staff else row.org.name,
                                 row.org.name, ranks, row.privacy, plan, status))
    return entries[::-1]


def transfer_due(plan: ImprovementPlan) -> bool:
    """A review published after the plan's has the subject at the bottom again."""
    later = PublishedRow.objects.filter(review__sheet=plan.sheet,
                                        review__start__gt=plan.review.start,
                                        org_id=plan.org_id)
    later = (later.filter(staff_id=plan.staff_id) if plan.staff_id is not None
             else later.filter(staff__isnull=True))
    first = later.order_by("review__start").first()
    return first is not None and first.at_bottom


def violations(actor: Actor) -> QuerySet[PrivacyViolation]:
    found = PrivacyViolation.objects.select_related("org", "staff").order_by("-occurred_on",
                                                                              "-pk")
    if not is_office(actor):
        return found.none()
    return found.filter(org__path__startswith=actor.scope_path or NOWHERE)


def office_counts(actor: Actor) -> list[tuple[str, int, str]]:
    """The home page's queue counts (label, count, URL): reviews computed and not yet
    published, and bottom-list subjects without an improvement plan or due for 调换."""
    if not is_office(actor):
        return []
    sheets = list(visible_sheets(actor))
    drafts = ReviewRun.objects.filter(sheet__in=sheets, published__isnull=True).count()
    listed = [e for s in sheets for e in bottom_list(actor, s)]
    no_plan = sum(1 for e in listed if e.plan is None)
    due = sum(1 for e in listed if e.status == rules.PlanStatus.TRANSFER_DUE.label)
    return [("待发布的考核结果", drafts, reverse("appraisal:index")),
            ("末位待制定整改计划", no_plan, reverse("appraisal:bottom")),
            ("末位应予调换", due, reverse("appraisal:bottom"))]


# --- a department's own published results ---------------------------------------------------

def own_results(actor: Actor) -> list[tuple[PublishedReview, dict[str, Any], list[Any]]]:
    """A department (``stats`` read, not the office): each published review of a sheet
    covering its org, with the rows of its own subtree only — rank, scores and values,
    never whether at the bottom nor anyone else's row. Nothing before publication."""
    path = actor.scope_path
    if actor.is_client or path is None or is_office(actor) or not actor.allows(
            access.STATS, access.READ):
        return []
    covering = [path[:i + 1] for i, ch in enumerate(path) if ch == "/"]
    found = []
    orgs = set(Org.objects.filter(path__startswith=path).values_list("pk", flat=True))
    reviews = (PublishedReview.objects.filter(sheet__scope_path__in=covering)
               .select_related("sheet").order_by("-start", "-pk")[:20])
    for review in reviews:
        document = parse(review.content)
        rows = [{k: v for k, v in r.items() if k not in ("at_bottom", "status")}
                for r in document["rows"] if r["org"] in orgs]
        if rows:
            found.append((review, document, rows))
    return found
