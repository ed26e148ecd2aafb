"""The monthly report: built once after the month ends, archived with hashes that verify,
tampering detected, downloads scoped (issue 5)."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from haochaping.audit.models import AuditEvent
from haochaping.core.engine.worker import run_due
from haochaping.core.jobs import JOBS
from haochaping.stats import exports, reports, rules, selectors
from haochaping.stats.models import MonthlyReport
from haochaping.stats.tests.test_rollup_equals_raw import Simulation, town  # noqa: F401
from haochaping.stats.tests.test_selectors_api import _span

URL = "/api/v1/stats/exports/reports"
JOB = next(j for j in JOBS if j.name == "stats.monthly_reports")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=rules.SHANGHAI)


def _run_job(moment: datetime) -> dict[str, str]:
    with time_machine.travel(moment, tick=False):
        return run_due(moment, (JOB,))


def test_the_job_builds_a_month_once_and_only_after_it_ended(
        simulated: Simulation) -> None:  # noqa: F811
    march = date(2030, 3, 1)
    assert "2030-02" in _run_job(_at("2030-03-31T23:00:00"))[JOB.name]
    assert not MonthlyReport.objects.filter(period=march).exists()
    _run_job(_at("2030-04-01T00:30:00"))  # within the grace hour: rollups may lag
    assert not MonthlyReport.objects.filter(period=march).exists()
    assert _run_job(_at("2030-04-01T02:00:00"))[JOB.name] == "2030-03: 3 generated, 0 existing"
    # the deployment and each supervising office (city, district): one report each
    scopes = list(MonthlyReport.objects.filter(period=march).values_list("scope_org",
                                                                         flat=True))
    loc = simulated.town.loc
    assert sorted(scopes, key=str) == sorted([None, loc.city_office.pk,
                                              loc.district_office.pk], key=str)
    generated = AuditEvent.objects.filter(action="stats.report_generate").count()
    hashes = list(MonthlyReport.objects.values_list("xlsx_sha256", "html_sha256"))
    assert _run_job(_at("2030-04-01T02:30:00")) == {}  # not due again for an hour
    assert _run_job(_at("2030-04-02T05:00:00"))[JOB.name] == "2030-03: 0 generated, 3 existing"
    assert MonthlyReport.objects.filter(period=march).count() == 3
    assert AuditEvent.objects.filter(action="stats.report_generate").count() == generated
    assert list(MonthlyReport.objects.values_list("xlsx_sha256", "html_sha256")) == hashes


def test_report_content_equals_the_selectors(simulated: Simulation) -> None:  # noqa: F811
    first, _ = _span()
    period = first.replace(day=1)
    report, created = reports.monthly_report_generate(
        period=period, scope_org=None, now=_at(f"{rules.shift(period, rules.Period.MONTH, 1)}"
                                               "T03:00:00"))
    assert created
    with report.xlsx.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()), read_only=True)
    assert workbook.sheetnames == ["总体情况", "分部门", "分事项类型", "分评价渠道", "差评与整改",
                                   "社情民意"]
    admin = reports.scope_actor(None)
    total = selectors.figures(admin, group_by=(), period=rules.Period.MONTH, start=period,
                              end=reports.month_end(period))[0]
    overview = {r[0]: r[1:] for r in workbook["总体情况"].iter_rows(min_row=2,
                                                                  values_only=True)}
    assert overview["非常满意"] == (total.counts.level_5,
                                   (total.previous or rules.Counts()).level_5,
                                   total.counts.level_5 - (total.previous
                                                           or rules.Counts()).level_5)
    assert overview["满意率"][0] == exports.number(total.figures[rules.Figure.SATISFACTION])
    by_org = selectors.figures(admin, group_by=("org",), period=rules.Period.MONTH,
                               start=period, end=reports.month_end(period))
    header, *org_rows = list(workbook["分部门"].iter_rows(values_only=True))
    assert [r[0] for r in org_rows] == [r.key["org"] for r in by_org]
    for name, label in exports.COUNT_LABELS.items():
        assert [r[header.index(label)] for r in org_rows] == [getattr(r.counts, name)
                                                              for r in by_org]
    html = report.html.open("rb").read().decode("utf-8")
    report.html.close()
    assert "@media print" in html
    assert f"{period.year}年{period.month}月" in html
    again, created_again = reports.monthly_report_generate(period=period, scope_org=None,
                                                           now=_at("2031-01-01T00:00:00"))
    assert (again.pk, created_again) == (report.pk, False)


def _tamper(file: Any) -> None:
    path = Path(file.path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["xlsx", "html"])
def test_hashes_verify_and_tampering_is_detected(simulated: Simulation,  # noqa: F811
                                                 kind: str) -> None:
    report, _ = reports.monthly_report_generate(period=date(2030, 3, 1), scope_org=None,
                                                now=_at("2030-04-01T02:00:00"))
    assert reports.monthly_report_verify(report).ok
    out = io.StringIO()
    call_command("stats_report_verify", stdout=out)
    assert "全部一致" in out.getvalue()
    _tamper(getattr(report, kind))
    check = reports.monthly_report_verify(report)
    assert not check.ok
    assert getattr(check, f"{kind}_sha256") != getattr(report, f"{kind}_sha256")
    with pytest.raises(CommandError, match="1 份报告"):
        call_command("stats_report_verify", "--period", "2030-03", stdout=io.StringIO())


def test_download_shows_the_hash_and_is_scoped(simulated: Simulation,  # noqa: F811
                                               client: Client) -> None:
    _run_job(_at("2030-04-01T02:00:00"))
    people, loc = simulated.town.people, simulated.town.loc
    city = MonthlyReport.objects.get(scope_org=loc.city_office)
    district = MonthlyReport.objects.get(scope_org=loc.district_office)
    client.force_login(people.district_supervisor)
    listed = client.get(URL).json()["reports"]
    assert [r["id"] for r in listed] == [district.pk]
    assert listed[0]["html"]["sha256"] == district.html_sha256
    response = client.get(f"{URL}/{district.pk}/report.html")
    body = b"".join(response.streaming_content)
    assert response["X-Content-SHA256"] == hashlib.sha256(body).hexdigest() \
        == district.html_sha256
    assert client.get(f"{URL}/{district.pk}").json()["verified"] is True
    hidden = client.get(f"{URL}/{city.pk}/report.xlsx")
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "stats.report_not_found"
    client.force_login(people.supervisor)
    assert {r["id"] for r in client.get(URL).json()["reports"]} == {city.pk, district.pk}


def test_due_month_waits_for_the_grace_hour() -> None:
    assert reports.due_month(_at("2030-04-01T00:59:00")) == date(2030, 2, 1)
    assert reports.due_month(_at("2030-04-01T01:00:00")) == date(2030, 3, 1)
    assert reports.due_month(_at("2030-01-15T12:00:00")) == date(2029, 12, 1)


def test_the_console_command_builds_an_ended_month_once(simulated: Simulation,  # noqa: F811
                                                         ) -> None:
    out = io.StringIO()
    call_command("stats_report_generate", "--period", "2026-01", "--org", "DISTOFFICE",
                 stdout=out)
    call_command("stats_report_generate", "--period", "2026-01", "--org", "DISTOFFICE",
                 stdout=out)
    assert "已生成" in out.getvalue()
    assert "已存在" in out.getvalue()
    assert MonthlyReport.objects.get().scope_org == simulated.town.loc.district_office
    with pytest.raises(CommandError, match="已结束"):
        call_command("stats_report_generate", "--period", "2999-01", stdout=io.StringIO())
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("stats_report_generate", "--period", "soon", stdout=io.StringIO())
    assert MonthlyReport.objects.count() == 1
