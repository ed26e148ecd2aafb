"""The reconciliation report under 数据上报: days, one day's checks (differences first),
the XLSX of differences, the re-send action; the office only, inside its subtree."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from haochaping.audit.models import AuditEvent
from haochaping.core.localtime import SHANGHAI
from haochaping.core.sheets import without_banner
from haochaping.exchange.models import OutboxRecord, ReconcileRun, Remote
from haochaping.exchange.reconcile_selectors import EXPORT_HEADERS
from haochaping.exchange.tests.count_remote import check_today, counting_remote, rate
from haochaping.exchange.tests.support import deliver, statuses
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 10, 12, 0, tzinfo=SHANGHAI)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _noon() -> Iterator[None]:
    with time_machine.travel(NOON, tick=True):
        yield


@pytest.fixture
def planted(world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch,
            ) -> Iterator[tuple[Remote, ReconcileRun, list[int]]]:
    """Two ratings of the market and one of the district's department delivered; the
    remote loses one of the market's: one difference."""
    with counting_remote(monkeypatch, kinds=["rating"]) as (fake, remote):
        ratings = [rate(world), rate(world), rate(world, org=world.loc.district_hr)]
        deliver()
        fake.forget(f"rating:{ratings[0].pk}:saved:1")
        yield remote, check_today(remote), [r.pk for r in ratings]


def rows_of(html: str) -> list[tuple[str, str, str, str, str]]:
    """(org code, verdict, sent, acked, remote) of each check row, in page order."""
    found = []
    for row in re.findall(r"<tr data-check=.*?</tr>", html, re.S):
        org, verdict = re.search(r'data-org="([^"]*)"', row), re.search(
            r'data-verdict="([^"]*)"', row)
        cells = [re.search(rf'data-testid="{n}">(.*?)</td>', row, re.S) for n in
                 ("sent", "acked", "remote")]
        assert org
        assert verdict
        assert all(cells)
        found.append((org.group(1), verdict.group(1),
                      *(c.group(1).strip() for c in cells if c)))
    return found  # type: ignore[return-value]


def test_the_day_lists_differences_first_with_counts_side_by_side(
        world: SimpleNamespace, planted: tuple[Remote, ReconcileRun, list[int]]) -> None:
    remote, run, _ = planted
    client = logged_in(world.people.supervisor)
    days = client.get(reverse("exchange:reconcile", args=[remote.pk])).content.decode()
    assert 'data-day="2026-11-10"' in days
    assert "1 项差异" in days
    html = client.get(reverse("exchange:reconcile_day", args=[remote.pk, "2026-11-10"])
                      ).content.decode()
    assert rows_of(html) == [("MARKET", "fewer", "2", "2", "1"),
                             ("DISTHR", "match", "1", "1", "1")]
    assert "平台少于本地" in html
    assert 'data-testid="resend-day"' in html
    office = client.get(reverse("exchange:office")).content.decode()
    assert reverse("exchange:reconcile", args=[remote.pk]) in office


def test_the_district_sees_only_its_subtree_and_a_department_nothing(
        world: SimpleNamespace, planted: tuple[Remote, ReconcileRun, list[int]]) -> None:
    remote, _, _ = planted
    day = reverse("exchange:reconcile_day", args=[remote.pk, "2026-11-10"])
    district = logged_in(world.people.district_supervisor).get(day).content.decode()
    assert rows_of(district) == [("DISTHR", "match", "1", "1", "1")]
    assert 'data-testid="resend-day"' not in district
    handler = logged_in(world.people.handler)
    for url in (reverse("exchange:reconcile", args=[remote.pk]), day,
                reverse("exchange:reconcile_export", args=[remote.pk])):
        answer = handler.get(url)
        assert answer.status_code == 403
        assert "forbidden.role" in answer.content.decode()
    before = statuses(remote)
    answer = handler.post(reverse("exchange:reconcile_resend", args=[remote.pk, "2026-11-10"]))
    assert answer.status_code == 403
    assert statuses(remote) == before


def test_the_xlsx_holds_the_differences_with_numbers_as_numbers(
        world: SimpleNamespace, planted: tuple[Remote, ReconcileRun, list[int]]) -> None:
    remote, _, _ = planted
    answer = logged_in(world.people.supervisor).get(
        reverse("exchange:reconcile_export", args=[remote.pk]),
        {"from": "2026-11-10", "to": "2026-11-10"})
    assert answer.status_code == 200
    assert answer["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    rows = without_banner([list(r) for r in sheet.iter_rows(values_only=True)])
    assert rows[0] == EXPORT_HEADERS
    assert len(rows) == 2  # the one difference; the matching org is not listed
    line = dict(zip(EXPORT_HEADERS, rows[1], strict=True))
    assert (line["业务日期"], line["机构代码"], line["类型"], line["结果"]) == (
        "2026-11-10", "MARKET", "评价", "平台少于本地")
    assert [line[h] for h in ("应报", "已确认", "待上报", "拒收或死信", "平台条数")] == [
        2, 2, 0, 0, 1]
    assert all(isinstance(line[h], int) for h in ("应报", "已确认", "平台条数"))
    event = AuditEvent.objects.get(action="exchange.reconcile_export")
    assert event.after["rows"] == 1


def test_a_bad_export_range_is_refused_without_a_file(
        world: SimpleNamespace, planted: tuple[Remote, ReconcileRun, list[int]]) -> None:
    remote, _, _ = planted
    answer = logged_in(world.people.supervisor).get(
        reverse("exchange:reconcile_export", args=[remote.pk]),
        {"from": "2026-11-10", "to": "2026-11-01"})
    assert answer.status_code == 422
    assert "exchange.bad_range" in answer.content.decode()
    assert not AuditEvent.objects.filter(action="exchange.reconcile_export").exists()


def test_one_action_resends_the_difference_and_answers_the_htmx_partial(
        world: SimpleNamespace, planted: tuple[Remote, ReconcileRun, list[int]]) -> None:
    remote, run, (lost, kept, other) = planted
    check = run.checks.get(org_code="MARKET")
    answer = logged_in(world.people.supervisor).post(
        reverse("exchange:reconcile_resend", args=[remote.pk, "2026-11-10"]),
        {"check": check.pk}, **HTMX)
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "<html" not in html
    assert "已重新排队 2 条记录" in html
    assert dict(OutboxRecord.objects.filter(remote=remote).values_list(
        "object_id", "status")) == {lost: "pending", kept: "pending", other: "acked"}


def test_an_unknown_day_is_not_found(world: SimpleNamespace,
                                     planted: tuple[Remote, ReconcileRun, list[int]]) -> None:
    remote, _, _ = planted
    client = logged_in(world.people.supervisor)
    missing = client.get(reverse("exchange:reconcile_day", args=[remote.pk, "2026-10-01"]))
    assert missing.status_code == 404
    assert "exchange.recon_not_found" in missing.content.decode()
    bad = client.get(reverse("exchange:reconcile_day", args=[remote.pk, "yesterday"]))
    assert bad.status_code == 422
    assert "exchange.bad_date" in bad.content.decode()
