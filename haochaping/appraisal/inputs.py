"""The inputs of the performance review (考核指标来源): one registry entry each.

An input is a key, a Chinese label, a unit (``rules.Unit``) and, per subject kind it
supports, a function ``(start, end) -> {subject id: value}`` over the whole deployment
for the local days ``start`` … ``end`` (a review keeps the subjects of its sheet's
scope). A subject missing from the dict has no value (a weighted indicator is then left
out for it, a count is 0). Adding an input is one function and one entry of ``INPUTS``.

Every figure is read where it is defined: ratings and rankings from the statistics'
selectors and formulas (``stats.selectors.figures``, ``stats.rules``,
``stats.ranking``), work orders, appeals, complaints and spot-check findings from their
own apps' rows, counted on the day the event happened.

Wired later by the lead (modules built in parallel):
``integrity.figures.confirmed_fraud_by_org/by_staff`` (查实刷评, unit COUNT) and
``assessment.figures.self_assessment_scores`` / ``third_party_scores`` (unit SCORE).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor
from haochaping.appraisal.models import PrivacyViolation
from haochaping.appraisal.rules import SubjectKind, Unit
from haochaping.assessment import figures as assessment_figures
from haochaping.complaints.models import Submission
from haochaping.complaints.rules.kinds import ACCEPTED_STATUSES, SubmissionKind
from haochaping.core.localtime import day_bounds
from haochaping.integrity import figures as integrity_figures
from haochaping.stats import ranking, selectors
from haochaping.stats import ranking_rules as rr
from haochaping.stats import rules as stats_rules
from haochaping.supervision.models import CheckFinding
from haochaping.supervision.rules import CONSEQUENCE
from haochaping.workorders.models import Appeal, WorkOrder, WorkOrderEvent
from haochaping.workorders.rules import State

Values = dict[int, float]
Compute = Callable[[date, date], Values]

# The whole deployment, read-only: a review's sheet keeps its own scope's subjects.
WHOLE = Actor(role=Role.AUDITOR, scope_path=None, label="绩效考核")
LEVELS = {SubjectKind.ORG: rr.Level.ORG, SubjectKind.STAFF: rr.Level.STAFF}


@dataclass(frozen=True)
class Input:
    key: str
    label: str
    unit: Unit
    by: dict[SubjectKind, Compute]
    help: str = ""

    @property
    def kinds(self) -> frozenset[SubjectKind]:
        return frozenset(self.by)


def _bounds(start: date, end: date) -> tuple[object, object]:
    return day_bounds(start)[0], day_bounds(end)[1]


def _counted(ids: Iterable[int | None]) -> Values:
    return {k: float(n) for k, n in Counter(i for i in ids if i is not None).items()}


# --- statistics (defined once in stats) ----------------------------------------------------

def _counts(kind: SubjectKind, start: date, end: date) -> dict[int, stats_rules.Counts]:
    level = LEVELS[kind].value
    rows = selectors.figures(WHOLE, group_by=(level,), period=stats_rules.Period.MONTH,
                             start=start, end=end, compare_previous=False)
    return {r.key[level]: r.counts for r in rows if r.key[level] is not None}


def _satisfaction(kind: SubjectKind) -> Compute:
    def compute(start: date, end: date) -> Values:
        found = {k: stats_rules.satisfaction_rate(c) for k, c in _counts(kind, start, end).items()}
        return {k: float(v) for k, v in found.items() if v is not None}
    return compute


def _period(start: date, end: date) -> stats_rules.Period:
    """The statistics' bucket a review period is: a year, a quarter, else months."""
    if start.month == 1 and start.day == 1 and end == date(start.year, 12, 31):
        return stats_rules.Period.YEAR
    return stats_rules.Period.QUARTER


def _ranking(kind: SubjectKind) -> Compute:
    """The subject's place in the statistics' composite ranking of the period (the
    office's ranking weights); 样本不足 rows have none."""
    def compute(start: date, end: date) -> Values:
        ranked = ranking.ranking(WHOLE, level=LEVELS[kind], period=_period(start, end),
                                 day=start)
        return {int(str(r.key)): float(r.rank) for r in ranked if r.rank is not None}
    return compute


def _complaints_org(start: date, end: date) -> Values:
    """受理的投诉 by department: the statistics' ``complaints_accepted`` (seed 004 §8)."""
    return {k: float(c.complaints_accepted) for k, c in _counts(SubjectKind.ORG, start,
                                                                  end).items()
            if c.complaints_accepted}


def _complaints_staff(start: date, end: date) -> Values:
    since, until = _bounds(start, end)
    return _counted(Submission.objects.filter(
        kind=SubmissionKind.COMPLAINT.value, staff__isnull=False,
        status__in=[s.value for s in ACCEPTED_STATUSES], received_at__gte=since,
        received_at__lt=until).values_list("staff_id", flat=True))


# --- work orders ------------------------------------------------------------------------

def _overdue(kind: SubjectKind) -> Compute:
    field = "org_id" if kind is SubjectKind.ORG else "evaluation__staff_id"

    def compute(start: date, end: date) -> Values:
        since, until = _bounds(start, end)
        return _counted(WorkOrder.objects.filter(overdue_at__gte=since, overdue_at__lt=until)
                        .values_list(field, flat=True))
    return compute


def _returned(kind: SubjectKind) -> Compute:
    field = "order__org_id" if kind is SubjectKind.ORG else "order__evaluation__staff_id"

    def compute(start: date, end: date) -> Values:
        since, until = _bounds(start, end)
        return _counted(WorkOrderEvent.objects.filter(
            to_status=State.RETURNED.value, at__gte=since, at__lt=until)
            .values_list(field, flat=True))
    return compute


def _appeals(kind: SubjectKind, ruling: str) -> Compute:
    field = "order__org_id" if kind is SubjectKind.ORG else "order__evaluation__staff_id"

    def compute(start: date, end: date) -> Values:
        since, until = _bounds(start, end)
        return _counted(Appeal.objects.filter(ruling=ruling, ruled_at__gte=since,
                                              ruled_at__lt=until)
                        .values_list(field, flat=True))
    return compute


# --- spot checks and privacy --------------------------------------------------------------

def _spot_findings(kind: SubjectKind) -> Compute:
    """Findings with a consequence (supervision.rules.CONSEQUENCE: a rating the rater
    denies, a fix not made or reported falsely), on the day checked."""
    problems = [f.value for f in CONSEQUENCE]

    def compute(start: date, end: date) -> Values:
        found = CheckFinding.objects.filter(finding__in=problems, checked_on__gte=start,
                                            checked_on__lte=end)
        if kind is SubjectKind.ORG:
            return _counted(found.values_list("item__org_id", flat=True))
        rows = found.values_list("item__evaluation__staff_id",
                                 "item__order__evaluation__staff_id")
        return _counted(a or b for a, b in rows)
    return compute


def privacy_violations(kind: SubjectKind) -> Compute:
    """Violations the office recorded (``PrivacyViolation``), on the day they happened."""
    field = "org_id" if kind is SubjectKind.ORG else "staff_id"

    def compute(start: date, end: date) -> Values:
        return _counted(PrivacyViolation.objects.filter(occurred_on__gte=start,
                                                        occurred_on__lte=end)
                        .values_list(field, flat=True))
    return compute


def _both(make: Callable[[SubjectKind], Compute]) -> dict[SubjectKind, Compute]:
    return {kind: make(kind) for kind in SubjectKind}


def _third_party_orgs(start: date, end: date) -> Values:
    """Third-party scores of whole orgs (a window's score belongs to the window only)."""
    return {key: score for (kind, key), score in
            assessment_figures.third_party_scores(start, end).items() if kind == "org"}


PRIVACY = "privacy_violations"
INPUTS: dict[str, Input] = {i.key: i for i in (
    Input("satisfaction", "满意率", Unit.RATE, _both(_satisfaction),
          "当期有效实名评价中满意及以上的比例（统计口径）"),
    Input("ranking", "综合排名名次", Unit.RANK, _both(_ranking),
          "统计综合排名中的名次，按名次在参评对象中的相对位置计分"),
    Input("overdue_orders", "逾期工单", Unit.COUNT, _both(_overdue),
          "当期首次逾期的工单"),
    Input("returned_orders", "退回重办", Unit.COUNT, _both(_returned),
          "当期被管理机构退回重办的次数"),
    Input("complaints_accepted", "受理的投诉", Unit.COUNT,
          {SubjectKind.ORG: _complaints_org, SubjectKind.STAFF: _complaints_staff},
          "经受理过滤和管理机构分拣后受理的投诉"),
    Input("appeals_upheld", "申诉成立的差评", Unit.COUNT,
          _both(lambda k: _appeals(k, "upheld")),
          "差评申诉经复核成立（差评已认定无效），一般不扣分，供参考"),
    Input("appeals_rejected", "申诉被驳回", Unit.COUNT,
          _both(lambda k: _appeals(k, "rejected")),
          "差评申诉经复核驳回"),
    Input("spot_check_findings", "核查发现问题", Unit.COUNT, _both(_spot_findings),
          "核查抽查中评价未获确认、整改未落实或虚假整改"),
    Input(PRIVACY, "泄露评价人信息", Unit.COUNT, _both(privacy_violations),
          "管理机构认定的评价人信息保护违规，发生即直接排名末位"),
    Input("confirmed_fraud", "查实刷评扣分", Unit.COUNT,
          {SubjectKind.ORG: integrity_figures.confirmed_fraud_by_org,
           SubjectKind.STAFF: integrity_figures.confirmed_fraud_by_staff},
          "防刷评核查中经管理机构查实的刷好评，按认定的扣分累计（每分计一）"),
    Input("self_assessment", "自评得分", Unit.SCORE,
          {SubjectKind.ORG: assessment_figures.self_assessment_scores},
          "自评经管理机构评分，折算为百分制"),
    Input("third_party", "第三方评估得分", Unit.SCORE, {SubjectKind.ORG: _third_party_orgs},
          "第三方评估已发布的得分，折算为百分制"),
)}


def for_kind(kind: SubjectKind) -> list[Input]:
    return [i for i in INPUTS.values() if kind in i.kinds]

