"""Audit rows of statistics downloads: every figures or drill-down export and every
monthly-report download is recorded (who, what, which filters, how many rows).

Only the query is recorded, never a cell of the file: a drill-down file holds masked
rater names, which have no place in the audit log.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from haochaping.accounts.scoping import Actor
from haochaping.audit.models import AuditEvent
from haochaping.audit.services import audit_record
from haochaping.core.bounds import is_key
from haochaping.core.sheets import Provenance
from haochaping.stats import approvals
from haochaping.stats.models import MonthlyReport

EXPORT = "stats.export"
REPORT_DOWNLOAD = "stats.report_download"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def export_recorded(actor: Actor, *, kind: str, fmt: str, rows: int,
                    query: dict[str, Any], ip: str | None = None,
                    approval: int | None = None) -> AuditEvent:
    """``kind``: ``figures``, ``drilldown``, ``handlings``, ``orders`` or ``ranking``;
    ``query`` the validated parameters. An export that needs the office's approval
    (stats.export_rules) spends ``approval`` here, or is refused and nothing is written."""
    with transaction.atomic():
        spent = approvals.export_gate(actor, kind=kind, rows=rows, query=query,
                                      approval_id=approval)
        return audit_record(
            action=EXPORT, actor=actor.user, actor_label=actor.label,
            object_type=f"stats.{kind}", ip=ip,
            after={"kind": kind, "format": fmt, "rows": rows,
                   **{k: _plain(v) for k, v in query.items() if v is not None},
                   **({"approval": spent} if spent else {})})


PERIOD_WORDS = {"day": "按日", "week": "按周", "month": "按月", "quarter": "按季度",
                "year": "按年"}
FILTER_WORDS = {"figure": "指标", "group_by": "分组", "level": "排名对象", "matter": "事项",
                "hall": "大厅", "window": "窗口", "staff": "工作人员", "channel": "评价渠道",
                "matter_category": "事项类型", "org": "部门"}
SKIPPED = ("kind", "format", "rows", "approval", "start", "end", "period", "scope",
           "region", "compare_previous", "flags")


def _period_text(query: dict[str, Any]) -> str:
    """``2026-04-01 至 2026-09-30（按月）`` from the query's dates (a ranking's period from
    its start)."""
    from haochaping.stats import periods

    start, end, unit = query.get("start"), query.get("end"), query.get("period")
    if start and not end and unit in PERIOD_WORDS:
        first = date.fromisoformat(str(start))
        end = (periods.shift(first, periods.Period(unit), 1) - timedelta(days=1)).isoformat()
    if not start:
        return ""
    return f"{start} 至 {end}" + (f"（{PERIOD_WORDS[unit]}）" if unit in PERIOD_WORDS else "")


def _is_key(value: object) -> bool:
    """A database key as an audit record stores it (an int, or its digits: core.bounds)."""
    return isinstance(value, int | str) and not isinstance(value, bool) and is_key(str(value))


def _scope_text(query: dict[str, Any]) -> str:
    """The org (and region) the file covers, by name; the rest of the query's filters."""
    from haochaping.catalog.models import Org, Region

    parts = []
    scope, region_key = query.get("scope"), query.get("region")
    org = None
    if _is_key(scope):
        org = Org.objects.filter(pk=int(scope)).first()  # type: ignore[arg-type]
    elif isinstance(scope, str) and scope.startswith("/"):  # an org path (exchange's exports)
        org = Org.objects.filter(path=scope).first()
    parts.append(f"{org.name}及下级机构" if org else "本人管辖范围内全部机构")
    region = (Region.objects.filter(pk=int(region_key)).first()  # type: ignore[arg-type]
              if _is_key(region_key) else None)
    if region is not None:
        parts.append(f"{region.name}（含下级区划）")
    parts += [f"{FILTER_WORDS.get(k, k)}：{v}" for k, v in query.items()
              if k not in SKIPPED and v not in (None, "")]
    return "，".join(parts)


def provenance_of(event: AuditEvent, title: str) -> Provenance:
    """What an exported file says of itself: the audit record of its export (who, when,
    the period and scope of its query, by name) and that record's number; its XLSX opens
    with them in a title row (``banner``)."""
    query = dict(event.after or {})
    return Provenance(by=event.actor_label, at=event.at, title=title,
                      scope=_scope_text(query), period=_period_text(query),
                      reference=str(event.pk), banner=True)


def report_download_recorded(actor: Actor, report: MonthlyReport, *, fmt: str,
                             ip: str | None = None) -> AuditEvent:
    sha256 = report.xlsx_sha256 if fmt == "xlsx" else report.html_sha256
    return audit_record(
        action=REPORT_DOWNLOAD, actor=actor.user, actor_label=actor.label, obj=report,
        after={"format": fmt, "period": f"{report.period:%Y-%m}",
               "scope_org": report.scope_org_id, "sha256": sha256}, ip=ip)
