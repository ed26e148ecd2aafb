"""Reads of the reconciliation report (对账, under 数据上报), scoped to the actor's org
subtree: a remote's runs by day with their differences, one day's checks (differences
first, counts side by side), and the sheet of differences for the XLSX export (written by
``stats.exports``: header row, formula cells neutralised, numbers as numbers).

A check without an org (what the remote holds for orgs we sent nothing for) is the
whole deployment's: only an actor without a subtree sees it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet

from haochaping.accounts.scoping import Actor
from haochaping.catalog.models import Org
from haochaping.core.errors import NotFound, ValidationError
from haochaping.core.localtime import SHANGHAI
from haochaping.exchange.models import ReconcileCheck, ReconcileRun, Remote
from haochaping.exchange.models.reconcile import BASIS_CHOICES
from haochaping.exchange.rules import reconcile as rules
from haochaping.exchange.rules.canonical import KIND_LABELS, Kind
from haochaping.exchange.selectors import reader
from haochaping.stats.exports import Cell, Sheet

REPORT_DAYS = 30  # the report lists this many recent days
MAX_EXPORT_DAYS = 366
MATCHES_SHOWN = 200  # a day's matching checks listed below its differences
BASIS_LABELS = dict(BASIS_CHOICES)
DIFFERENT = [v.value for v in rules.DIFFERENCES]


def checks_in_scope(actor: Actor, run: ReconcileRun) -> QuerySet[ReconcileCheck]:
    checks = ReconcileCheck.objects.filter(run=run)
    if actor.scope_path is None:
        return checks
    return checks.filter(org_id__in=Org.objects.filter(
        path__startswith=actor.scope_path).values("pk"))


@dataclass(frozen=True)
class DayRow:
    run: ReconcileRun
    checks: int
    differences: int
    unchecked: int

    @property
    def state(self) -> str:
        if self.run.checked_at is None:
            return "待核对"
        if self.run.unchecked:
            return "未能核对"
        return f"{self.differences} 项差异" if self.differences else "一致"


def recent_days(actor: Actor, remote: Remote, *, today: date,
                days: int = REPORT_DAYS) -> list[DayRow]:
    """The remote's runs of the last ``days`` days, newest first, with the counts of the
    actor's checks."""
    reader(actor)
    runs = list(ReconcileRun.objects.filter(
        remote=remote, day__gte=today - timedelta(days=days)).order_by("-day"))
    counts: dict[int, tuple[int, int, int]] = {}
    scoped = ReconcileCheck.objects.filter(run__in=[r.pk for r in runs])
    if actor.scope_path is not None:
        scoped = scoped.filter(org__path__startswith=actor.scope_path)
    for run_id, total, different, unchecked in scoped.values("run_id").annotate(
            total=Count("pk"), different=Count("pk", filter=Q(verdict__in=DIFFERENT)),
            unchecked=Count("pk", filter=Q(verdict=rules.Verdict.UNCHECKED.value)),
    ).values_list("run_id", "total", "different", "unchecked").order_by():
        counts[run_id] = (total, different, unchecked)
    return [DayRow(run, *counts.get(run.pk, (0, 0, 0))) for run in runs]


def run_get(actor: Actor, remote: Remote, day: date) -> ReconcileRun:
    reader(actor)
    run = ReconcileRun.objects.filter(remote=remote, day=day).select_related("remote").first()
    if run is None:
        raise NotFound("exchange.recon_not_found", "该日尚未对账")
    return run


def check_get(actor: Actor, run: ReconcileRun, pk: int) -> ReconcileCheck:
    check = checks_in_scope(reader(actor), run).filter(pk=pk).first()
    if check is None:
        raise NotFound("exchange.recon_check_not_found", "对账明细不存在或不在本机构管辖范围内")
    return check


def _order(check: ReconcileCheck) -> tuple[int, str, int]:
    kinds = list(KIND_LABELS)
    path = check.org.path if check.org is not None else "~"
    return (rules.VERDICT_ORDER[rules.Verdict(check.verdict)], path,
            kinds.index(Kind(check.kind)))


@dataclass(frozen=True)
class DayReport:
    run: ReconcileRun
    differences: list[ReconcileCheck]  # and the unchecked ones
    matches: list[ReconcileCheck]  # the first MATCHES_SHOWN
    more_matches: int  # matching checks not listed

    @property
    def resendable(self) -> bool:
        return any(c.is_difference and c.org_id is not None for c in self.differences)


def day_report(actor: Actor, run: ReconcileRun) -> DayReport:
    """One day's checks in the actor's subtree: differences (and 未能核对) first, the
    worst first, then by org; the matching ones after them."""
    checks = checks_in_scope(reader(actor), run).select_related("org")
    differing = sorted(checks.exclude(verdict=rules.Verdict.MATCH.value), key=_order)
    matching = checks.filter(verdict=rules.Verdict.MATCH.value)
    shown = sorted(matching.order_by("org__path", "kind")[:MATCHES_SHOWN], key=_order)
    return DayReport(run=run, differences=differing, matches=shown,
                     more_matches=max(0, matching.count() - len(shown)))


# --- the XLSX of differences ------------------------------------------------------------

EXPORT_HEADERS = ["业务日期", "机构代码", "机构", "类型", "应报", "已确认", "待上报",
                  "拒收或死信", "平台条数", "结果", "核对方式", "本地摘要", "平台摘要",
                  "核对时间"]
EMPTY = "—"


def _when(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _line(check: ReconcileCheck, day: date) -> list[Cell]:
    return [
        day.isoformat(), check.org_code or EMPTY,
        check.org.name if check.org is not None else "其他机构（本地无上报记录）",
        KIND_LABELS[Kind(check.kind)], check.sent, check.acked, check.waiting, check.failed,
        check.remote_count if check.remote_count is not None else EMPTY, check.verdict_label,
        BASIS_LABELS.get(check.basis, check.basis), check.our_digest,
        check.remote_digest or EMPTY, _when(check.checked_at),
    ]


def differences_sheet(actor: Actor, remote: Remote, *, day_from: date,
                      day_to: date) -> tuple[Sheet, int]:
    """Every check of the remote's days in [day_from, day_to] that is not a match (未能
    核对 included), in the actor's subtree, by day then as the report orders them."""
    reader(actor)
    if day_to < day_from:
        raise ValidationError("exchange.bad_range", "结束日期不能早于开始日期", "to")
    if (day_to - day_from).days >= MAX_EXPORT_DAYS:
        raise ValidationError("exchange.range_too_long",
                              f"一次最多导出 {MAX_EXPORT_DAYS} 天", "to")
    checks = ReconcileCheck.objects.filter(
        run__remote=remote, run__day__gte=day_from, run__day__lte=day_to).exclude(
        verdict=rules.Verdict.MATCH.value).select_related("org", "run")
    if actor.scope_path is not None:
        checks = checks.filter(org__path__startswith=actor.scope_path)
    found = sorted(checks, key=lambda c: (-c.run.day.toordinal(), *_order(c)))

    def lines() -> Iterator[list[Cell]]:
        for check in found:
            yield _line(check, check.run.day)

    return Sheet(f"对账差异 {remote.name}", EXPORT_HEADERS, lines()), len(found)
