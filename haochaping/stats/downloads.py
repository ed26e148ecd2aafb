"""Audit rows of statistics downloads: every figures or drill-down export and every
monthly-report download is recorded (who, what, which filters, how many rows).

Only the query is recorded, never a cell of the file: a drill-down file holds masked
rater names, which have no place in the audit log.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from haochaping.accounts.scoping import Actor
from haochaping.audit.models import AuditEvent
from haochaping.audit.services import audit_record
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


def provenance_of(event: AuditEvent, title: str) -> Provenance:
    """What an exported file says of itself: the audit record of its export (who, when,
    the query) and that record's number."""
    query = {k: v for k, v in (event.after or {}).items()
             if k not in ("format", "rows", "approval")}
    scope = "；".join(f"{k}={v}" for k, v in query.items())
    return Provenance(by=event.actor_label, at=event.at, title=title, scope=scope,
                      reference=str(event.pk))


def report_download_recorded(actor: Actor, report: MonthlyReport, *, fmt: str,
                             ip: str | None = None) -> AuditEvent:
    sha256 = report.xlsx_sha256 if fmt == "xlsx" else report.html_sha256
    return audit_record(
        action=REPORT_DOWNLOAD, actor=actor.user, actor_label=actor.label, obj=report,
        after={"format": fmt, "period": f"{report.period:%Y-%m}",
               "scope_org": report.scope_org_id, "sha256": sha256}, ip=ip)
