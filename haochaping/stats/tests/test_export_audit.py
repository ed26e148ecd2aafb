"""Every statistics download is audited: figures and drill-down exports (XLSX, CSV) and
monthly-report downloads write one audit row with the query, format and row count, and
never a rater's identity (issue 5)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.audit.selectors import verify_audit_chain
from haochaping.evaluations.models import Evaluation
from haochaping.stats import downloads, reports, rules
from haochaping.stats.tests.test_exports import _body
from haochaping.stats.tests.test_rollup_equals_raw import Simulation, town  # noqa: F401
from haochaping.stats.tests.test_selectors_api import _span

URL = "/api/v1/stats/exports"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _one_new(action: str, before: int) -> AuditEvent:
    events = list(AuditEvent.objects.filter(seq__gt=before, action=action))
    assert len(events) == 1
    return events[0]


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_figures_export_is_audited(simulated: Simulation, client: Client,  # noqa: F811
                                     fmt: str) -> None:
    first, last = _span()
    supervisor = simulated.town.people.supervisor
    client.force_login(supervisor)
    before = _last_seq()
    response = client.get(f"{URL}/figures.{fmt}", {"group_by": "org", "period": "month",
                                                   "start": first, "end": last,
                                                   "channel": "web"})
    assert response.status_code == 200
    _body(response)
    event = _one_new(downloads.EXPORT, before)
    assert event.actor_id == supervisor.pk
    assert event.object_type == "stats.figures"
    after: dict[str, Any] = event.after or {}
    assert after["format"] == fmt
    assert after["kind"] == "figures"
    assert after["group_by"] == "org"
    assert after["channel"] == "web"
    assert after["start"] == first.isoformat()
    assert after["rows"] >= 1
    assert verify_audit_chain().ok


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_drilldown_export_is_audited_with_its_row_count_and_no_identity(
        simulated: Simulation, client: Client, fmt: str) -> None:  # noqa: F811
    first, last = _span()
    client.force_login(simulated.town.people.admin)
    before = _last_seq()
    response = client.get(f"{URL}/drilldown.{fmt}", {"figure": "real_ratings",
                                                     "start": first, "end": last})
    assert response.status_code == 200
    _body(response)
    event = _one_new(downloads.EXPORT, before)
    expected = Evaluation.objects.filter(is_current=True, invalidated_at=None,
                                         is_default=False).count()
    assert event.after == {"kind": "drilldown", "format": fmt, "rows": expected,
                           "figure": "real_ratings", "start": first.isoformat(),
                           "end": last.isoformat()}
    assert event.object_type == "stats.drilldown"
    recorded = str(event.after) + str(event.before)
    assert "张三" not in recorded
    assert "*" not in recorded  # not even masked names


@pytest.mark.parametrize("kind", ["xlsx", "html"])
def test_a_monthly_report_download_is_audited(simulated: Simulation, client: Client,  # noqa: F811
                                              kind: str) -> None:
    first, _ = _span()
    period = first.replace(day=1)
    report, _ = reports.monthly_report_generate(
        period=period, scope_org=None,
        now=datetime.combine(rules.shift(period, rules.Period.MONTH, 1), datetime.min.time(),
                             tzinfo=rules.SHANGHAI).replace(hour=3))
    auditor = simulated.town.people.admin
    client.force_login(auditor)
    before = _last_seq()
    response = client.get(f"{URL}/reports/{report.pk}/report.{kind}")
    assert response.status_code == 200
    event = _one_new(downloads.REPORT_DOWNLOAD, before)
    assert (event.object_type, event.object_id) == ("stats.monthlyreport", str(report.pk))
    digest = report.xlsx_sha256 if kind == "xlsx" else report.html_sha256
    assert event.after == {"format": kind, "period": f"{period:%Y-%m}", "scope_org": None,
                           "sha256": digest}
    assert event.actor_id == auditor.pk


def test_a_refused_download_writes_no_audit_row(simulated: Simulation,  # noqa: F811
                                                client: Client) -> None:
    report, _ = reports.monthly_report_generate(
        period=date(2030, 3, 1), scope_org=None,
        now=datetime(2030, 4, 1, 3, tzinfo=rules.SHANGHAI))
    client.force_login(simulated.town.people.window_staff)
    before = _last_seq()
    for path in (f"reports/{report.pk}/report.xlsx", "figures.csv?start=2030-03-01&end=2030-03-31",
                 "drilldown.csv?figure=bad_reviews&start=2030-03-01&end=2030-03-31"):
        assert client.get(f"{URL}/{path}").status_code == 403
    assert _last_seq() == before
