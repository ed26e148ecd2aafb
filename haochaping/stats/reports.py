"""The monthly report (月度报告): built by the worker once a month has ended, archived
with the SHA-256 of each file so a published report can be shown unaltered later (seed 002
§二(四): figures nobody can alter).

One report for the whole deployment and one per supervising office (its org subtree);
each is an XLSX (overview with the previous month, by department, by matter category, by
channel, bad reviews and rectification, the 社情民意 hot words) and a printable HTML of the
same tables (print to PDF from the browser: no PDF library is a dependency). A report is
a snapshot of the rollups at generation time and is never regenerated (unique per period and scope).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string

from haochaping.accounts import rules as access
from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor, system_actor
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Org
from haochaping.catalog.rules.standards import BAD_LEVELS
from haochaping.core.errors import NotFound, PermissionDenied
from haochaping.stats import exports, opinion, rules, selectors
from haochaping.stats.exports import EMPTY, Cell, Sheet
from haochaping.stats.models import MonthlyReport

# Build a month's report this long after it ended, so the rollups (≤ 1 min behind the
# raw rows, docs/metrics.md) hold its last ratings.
GRACE = timedelta(hours=1)
GENERATOR = "worker:stats.monthly_reports"


def due_month(now: datetime) -> date:
    """The latest month (its first day) that ended at least GRACE before ``now``
    (Asia/Shanghai calendar)."""
    local = (now - GRACE).astimezone(rules.SHANGHAI).date()
    return rules.shift(local, rules.Period.MONTH, -1)


def month_end(period: date) -> date:
    return rules.shift(period, rules.Period.MONTH, 1) - timedelta(days=1)


def scope_actor(org: Org | None) -> Actor:
    """Who the report is read as: the deployment, or a supervising office's subtree."""
    if org is None:
        return system_actor(GENERATOR)
    return Actor(role=Role.SUPERVISOR, scope_path=org.path, label=f"{GENERATOR}:{org.code}")


# --- content ----------------------------------------------------------------------------

BAD_COLUMNS = (*(f"level_{v}" for v in BAD_LEVELS), "orders", "voided", "closed", "closed_on_time",
               "called_back", "appealed", "appeal_upheld")
BAD_FIGURES = (rules.Figure.BAD_REVIEW, rules.Figure.RECTIFICATION,
               rules.Figure.ON_TIME_RECTIFICATION, rules.Figure.CALLBACK,
               rules.Figure.APPEAL, rules.Figure.UPHELD_APPEAL)


def _month(actor: Actor, period: date, group_by: tuple[str, ...]
           ) -> list[selectors.FigureRow]:
    return selectors.figures(actor, group_by=group_by, period=rules.Period.MONTH,
                             start=period, end=month_end(period))


def overview_sheet(row: selectors.FigureRow | None) -> Sheet:
    """Each count and figure of the month beside the previous month's."""
    now = row.counts if row else rules.Counts()
    before = row.previous if row and row.previous else rules.Counts()
    lines: list[list[Cell]] = []
    for name in rules.COUNT_FIELDS:
        a, b = getattr(now, name), getattr(before, name)
        lines.append([exports.COUNT_LABELS[name], a, b, a - b])
    current, previous = rules.compute(now), rules.compute(before)
    for figure in rules.Figure:
        a_f, b_f = current[figure], previous[figure]
        change = EMPTY if a_f is None or b_f is None else exports.number(a_f - b_f)
        lines.append([rules.FIGURE_LABELS[figure], exports.number(a_f),
                      exports.number(b_f), change])
    fmt = exports.PERCENT
    average = len(rules.COUNT_FIELDS) + list(rules.Figure).index(rules.Figure.AVERAGE_SCORE)
    return Sheet("总体情况", ["项目", "本月", "上月", "变化"], lines, {1: fmt, 2: fmt, 3: fmt},
                 row_formats={average: exports.DECIMAL})


def bad_sheet(rows: list[selectors.FigureRow]) -> Sheet:
    names = exports.names_of("org", (r.key["org"] for r in rows))
    headers = ["部门编号", "部门", *(exports.COUNT_LABELS[c] for c in BAD_COLUMNS),
               *(rules.FIGURE_LABELS[f] for f in BAD_FIGURES)]
    first = 2 + len(BAD_COLUMNS)
    lines: list[list[Cell]] = [
        [r.key["org"], names.get(r.key["org"], EMPTY),
         *(getattr(r.counts, c) for c in BAD_COLUMNS),
         *(exports.number(r.figures[f]) for f in BAD_FIGURES)]
        for r in rows if r.counts.bad_reviews or r.counts.orders]
    return Sheet("差评与整改", headers, lines,
                 {first + i: exports.PERCENT for i in range(len(BAD_FIGURES))})


OPINION_WORDS = 30
DIRECTIONS = {"up": "上升", "down": "下降", "same": "持平", "new": "新出现"}


def opinion_sheet(actor: Actor, period: date) -> Sheet:
    """社情民意: the month's hot words beside the previous month (stats.opinion)."""
    found = opinion.opinion(actor, period, month_end(period), limit=OPINION_WORDS)
    lines: list[list[Cell]] = [[w.word, w.texts, w.share, w.previous, DIRECTIONS[w.direction]]
                               for w in found.words]
    lines += [[f"热点话题：{t.words[0]} + {t.words[1]}", t.texts, EMPTY, EMPTY, EMPTY]
              for t in found.topics]
    headers = ["热词（按出现该词的留言条数）", "留言条数", "占比", "上月条数", "变化"]
    return Sheet("社情民意", headers, lines, {2: exports.PERCENT})


def _listed(sheet: Sheet) -> Sheet:
    sheet.rows = [list(r) for r in sheet.rows]  # written twice: XLSX and HTML
    return sheet


def report_sheets(actor: Actor, period: date) -> list[Sheet]:
    total = _month(actor, period, ())
    by_org = _month(actor, period, ("org",))
    return [_listed(s) for s in (
        overview_sheet(total[0] if total else None),
        exports.figures_sheet(by_org, ("org",), title="分部门"),
        exports.figures_sheet(_month(actor, period, ("matter_category",)),
                              ("matter_category",), title="分事项类型"),
        exports.figures_sheet(_month(actor, period, ("channel",)), ("channel",),
                              title="分评价渠道"),
        bad_sheet(by_org),
        opinion_sheet(actor, period),
    )]


def _display(value: Cell, fmt: str | None) -> str:
    if isinstance(value, float) and fmt == exports.PERCENT:
        return f"{value * 100:.2f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def render_html(sheets: list[Sheet], *, period: date, scope_name: str,
                generated_at: datetime) -> bytes:
    tables = [{"title": s.title, "headers": s.headers,
               "rows": [[_display(v, s.format_of(n, i)) for i, v in enumerate(row)]
                        for n, row in enumerate(s.rows)]} for s in sheets]
    html = render_to_string("stats/report/monthly.html", {
        "period": period, "scope_name": scope_name, "tables": tables,
        "generated_at": generated_at.astimezone(rules.SHANGHAI)})
    return html.encode("utf-8")


# --- archive ----------------------------------------------------------------------------


def sha256_of(file: FieldFile) -> str:
    digest = hashlib.sha256()
    if not file.name:
        raise FileNotFoundError("no file")
    with file.storage.open(file.name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _existing(period: date, scope_org: Org | None) -> MonthlyReport | None:
    return MonthlyReport.objects.filter(period=period, scope_org=scope_org).first()


def monthly_report_generate(*, period: date, scope_org: Org | None, now: datetime,
                            generated_by: str = GENERATOR, user: Any = None
                            ) -> tuple[MonthlyReport, bool]:
    """The archived report of ``period`` for ``scope_org`` (None: whole deployment),
    built now unless it exists; (report, created). A published report is never rebuilt."""
    period = rules.bucket_start(period, rules.Period.MONTH)
    found = _existing(period, scope_org)
    if found is not None:
        return found, False
    sheets = report_sheets(scope_actor(scope_org), period)
    scope_name = scope_org.name if scope_org else "全部"
    xlsx = exports.xlsx_bytes(sheets, exports.Provenance(
        by=generated_by, at=now, title=f"月度报告 {period:%Y-%m}", scope=scope_name))
    html = render_html(sheets, period=period, scope_name=scope_name, generated_at=now)
    stem = f"{scope_org.code if scope_org else 'all'}-{period:%Y-%m}"
    report = MonthlyReport(period=period, scope_org=scope_org, generated_at=now,
                           generated_by=generated_by[:100],
                           xlsx_sha256=hashlib.sha256(xlsx).hexdigest(),
                           html_sha256=hashlib.sha256(html).hexdigest())
    report.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
    report.html.save(f"{stem}.html", ContentFile(html), save=False)
    try:
        with transaction.atomic():
            report.save(force_insert=True)
            audit_record(action="stats.report_generate", actor=user,
                         actor_label=None if user else generated_by, obj=report,
                         after={"period": period.isoformat(),
                                "scope_org": scope_org.pk if scope_org else None,
                                "xlsx_sha256": report.xlsx_sha256,
                                "html_sha256": report.html_sha256})
    except IntegrityError:  # another run archived it first: keep theirs, drop our files
        report.xlsx.delete(save=False)
        report.html.delete(save=False)
        winner = _existing(period, scope_org)
        if winner is None:
            raise
        return winner, False
    return report, True


def monthly_reports(now: datetime) -> str:
    """Worker job ``stats.monthly_reports``: the last ended month's reports, for the
    deployment and each active supervising office; existing ones are left as they are."""
    period = due_month(now)
    scopes: list[Org | None] = [None, *Org.objects.filter(kind="supervising",
                                                          is_active=True).order_by("path")]
    created = sum(monthly_report_generate(period=period, scope_org=org, now=now)[1]
                  for org in scopes)
    return f"{period:%Y-%m}: {created} generated, {len(scopes) - created} existing"


@dataclass(frozen=True)
class ReportCheck:
    report: MonthlyReport
    xlsx_sha256: str | None  # recomputed now; None when the file is missing
    html_sha256: str | None

    @property
    def ok(self) -> bool:
        return (self.xlsx_sha256 == self.report.xlsx_sha256
                and self.html_sha256 == self.report.html_sha256)


def _hash_or_none(file: FieldFile) -> str | None:
    try:
        return sha256_of(file)
    except FileNotFoundError:
        return None


def monthly_report_verify(report: MonthlyReport) -> ReportCheck:
    """Recompute both files' hashes: equal to the archived ones means unaltered."""
    return ReportCheck(report, _hash_or_none(report.xlsx), _hash_or_none(report.html))


# --- reads ------------------------------------------------------------------------------


def reports_for(actor: Actor) -> QuerySet[MonthlyReport]:
    """Archived reports the actor may see: the deployment's only deployment-wide, an
    office's inside the actor's subtree."""
    if not actor.allows(access.STATS, access.READ):
        raise PermissionDenied("forbidden.role", "当前角色无权查看统计")
    qs = MonthlyReport.objects.select_related("scope_org").order_by("-period", "pk")
    if actor.scope_path is None:
        return qs
    return qs.filter(Q(scope_org__path__startswith=actor.scope_path))


def report_get(actor: Actor, pk: int) -> MonthlyReport:
    found = reports_for(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("stats.report_not_found", "报告不存在或不在管辖范围内")
    return found

