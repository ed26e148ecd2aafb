"""Drill-downs to handlings and work orders (issue 5: every number clicks through to the
rows behind it, department view scoped to its subtree) and the screen exports of every
dashboard table and drill-down list (XLSX and CSV, audited, scoped)."""

from __future__ import annotations

import csv
import dataclasses
import html as htmllib
import io
import re
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.core.sheets import without_banner
from haochaping.evaluations.models import Evaluation
from haochaping.handlings.models import Handling
from haochaping.stats import drill_rows, selectors
from haochaping.stats.models import HandlingRollup
from haochaping.stats.rules import Period, local_day
from haochaping.stats.tests.test_rollup_equals_raw import Simulation, simulate, town  # noqa: F401
from haochaping.stats.tests.test_views import _client, refused_page
from haochaping.workorders.models import OPEN_VALUES, WorkOrder
from haochaping.workorders.selectors import QueueFilters, queue_for, visible_orders

URL = "/work/stats/"
HANDLINGS = "/work/stats/drill/handlings/"
ORDERS = "/work/stats/drill/orders/"


@pytest.fixture
def sim(town: SimpleNamespace,  # noqa: F811
        django_capture_on_commit_callbacks: Any) -> Simulation:
    """The simulated town, with every other open order of each org past its rectification
    deadline now (the simulation's clock ends before the real one), so that the overdue
    list holds some but not all of the open orders."""
    sim = simulate(town, django_capture_on_commit_callbacks, seed=11, steps=80)
    for place in (0, 1):  # fresh bad reviews in each department: open orders
        for _ in range(3):
            sim.tick()
            sim.rate(sim.complete(place), level=1)
    sim.tick()
    sim.roll()
    late = timezone.now() - timedelta(hours=1)
    for org in (town.loc.market, town.loc.district_hr):
        open_orders = list(WorkOrder.objects.filter(org=org, status__in=OPEN_VALUES)
                           .order_by("pk").values_list("pk", flat=True))
        assert len(open_orders) > 1, "each department has open orders"
        WorkOrder.objects.filter(pk__in=open_orders[::2]).update(rectify_due_at=late)
    return sim


def _span() -> tuple[date, date]:
    days = [local_day(e.created_at) for e in Evaluation.objects.all()]
    days += [local_day(h.completed_at) for h in Handling.objects.exclude(completed_at=None)]
    return min(days), max(days)


def _params(**extra: Any) -> dict[str, Any]:
    first, last = _span()
    return {"period": "day", "start": first.isoformat(), "end": last.isoformat(), **extra}


def _counts(user: Any, scope: Any = None, **filters: Any) -> Any:
    first, last = _span()
    actor = actor_for_user(user)
    if scope is not None:
        actor = dataclasses.replace(actor, scope_path=scope.path)
    rows = selectors.figures(actor, group_by=(), period=Period.DAY, start=first, end=last,
                             compare_previous=False, filters=filters)
    return rows[0].counts


ROW_MARK = {HANDLINGS: r'data-handling="(\d+)"', ORDERS: r'data-order-row="([0-9a-f-]+)"'}


def _follow(client: Client, url: str, params: dict[str, Any] | None = None
            ) -> tuple[int, list[str], str]:
    """The total, every row id (following 下一页 to the last page) and the first page."""
    path = url.split("?")[0]
    first = client.get(url, params)
    assert first.status_code == 200, first.content.decode()[:500]
    html = page = first.content.decode()
    total = int(re.search(r'data-testid="drill-total">(\d+)<', html)[1])
    rows: list[str] = []
    while True:
        rows += re.findall(ROW_MARK[path], html)
        found = re.search(r'href="\?([^"]+)" rel="next"', html)
        if found is None:
            return total, rows, page
        html = client.get(f"{path}?{htmllib.unescape(found[1])}").content.decode()


def _href(html: str, testid: str) -> str:
    found = re.search(rf'href="([^"]+)"[^>]*data-testid="{testid}"', html)
    assert found, testid
    return htmllib.unescape(found[1])


def _kpi(html: str, key: str) -> str:
    found = re.search(rf'data-testid="kpi-{key}">([^<]*)<', html)
    assert found, key
    return found[1]


def _written() -> tuple[int, int, int, int]:
    return (AuditEvent.objects.count(), HandlingRollup.objects.count(),
            Handling.objects.count(), WorkOrder.objects.count())


# --- the overdue number -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "handler", "auditor", "district_supervisor"])
def test_the_overdue_number_opens_exactly_the_orders_it_counts(sim: Simulation,
                                                              who: str) -> None:
    user = getattr(sim.town.people, who)
    client = _client(user)
    html = client.get(URL, _params()).content.decode()
    shown = int(_kpi(html, "overdue"))
    url = _href(html, "kpi-overdue")
    assert url.startswith(ORDERS)
    assert "figure=overdue" in url
    total, rows, page = _follow(client, url)
    counted = queue_for(actor_for_user(user), QueueFilters(overdue=True))
    assert shown == total == len(rows) == len(set(rows)) == counted.count()
    assert set(rows) == {str(p) for p in counted.values_list("public_id", flat=True)}
    if who == "supervisor":
        assert shown > 0, "the simulation leaves orders past their deadline"
    if who == "handler":  # the department sees its own subtree only
        assert set(WorkOrder.objects.filter(public_id__in=rows).values_list(
            "org_id", flat=True)) <= {sim.town.loc.market.pk}
    # every row links to its order, which the viewer may open
    linked = re.findall(r'data-order="(\d+)"', page)
    assert len(linked) == min(total, drill_rows.drill.PAGE_SIZE)
    if linked:
        assert client.get(f"/work/orders/{linked[0]}/").status_code == 200


def test_the_overdue_number_keeps_the_org_filter(sim: Simulation) -> None:
    loc, people = sim.town.loc, sim.town.people
    client = _client(people.supervisor)
    html = client.get(URL, _params(scope=loc.district_hr.pk)).content.decode()
    shown = int(_kpi(html, "overdue"))
    url = _href(html, "kpi-overdue")
    assert f"scope={loc.district_hr.pk}" in url
    total, rows, _ = _follow(client, url)
    assert shown == total == len(rows)
    assert set(WorkOrder.objects.filter(public_id__in=rows).values_list(
        "org_id", flat=True)) <= {loc.district_hr.pk}
    everywhere = queue_for(actor_for_user(people.supervisor), QueueFilters(overdue=True))
    assert total == everywhere.filter(org=loc.district_hr).count()


# --- handlings behind the participation table ----------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "handler"])
def test_participation_counts_open_the_handlings_behind_them(sim: Simulation,
                                                             who: str) -> None:
    user = getattr(sim.town.people, who)
    client = _client(user)
    html = client.get(URL, _params()).content.decode()
    table = html.split('data-testid="participation"', 1)[1].split("</table>", 1)[0]
    lines = re.findall(r'<tr><td>([^<]+)</td><td><a href="([^"]+)" data-testid='
                       r'"participation-completed">(\d+)</a></td><td><a href="([^"]+)" '
                       r'data-testid="participation-rated">(\d+)</a>', table)
    assert lines
    for _name, completed_url, completed, rated_url, rated in lines:
        total, rows, _ = _follow(client, htmllib.unescape(completed_url))
        assert total == int(completed) == len(rows) == len(set(rows))
        real_total, real_rows, _ = _follow(client, htmllib.unescape(rated_url))
        assert real_total == int(rated) == len(real_rows)
        assert set(real_rows) <= set(rows)
        org = int(re.search(r"org=(\d+)", completed_url)[1])
        assert set(Handling.objects.filter(pk__in=rows).values_list("org_id", flat=True)) \
            == {org}
        if who == "handler":
            assert org == sim.town.loc.market.pk


def test_rated_and_unrated_handlings_partition_the_completed(sim: Simulation) -> None:
    people = sim.town.people
    client = _client(people.supervisor)
    found = {f: _follow(client, HANDLINGS, _params(figure=f))
             for f in drill_rows.HANDLING_FIGURES}
    counts = _counts(people.supervisor)
    assert found["completed"][0] == counts.completed == len(found["completed"][1])
    assert found["rated_real"][0] == counts.rated_real == len(found["rated_real"][1])
    assert found["rated_default"][0] == counts.rated_default == len(found["rated_default"][1])
    assert counts.rated_default > 0
    assert counts.completed > counts.rated_real
    parts = [set(found[f][1]) for f in ("rated_real", "rated_default", "unrated")]
    assert sum(len(p) for p in parts) == len(set().union(*parts))  # disjoint
    assert set().union(*parts) == set(found["completed"][1])
    assert found["unrated"][0] == len(found["unrated"][1])
    # related links on the page lead to every handling figure
    page = found["completed"][2]
    assert all(f'data-figure="{f}"' in page for f in ("rated_real", "rated_default",
                                                       "unrated"))


def test_handling_rows_carry_no_rater_identity(sim: Simulation) -> None:
    client = _client(sim.town.people.handler)
    html = client.get(HANDLINGS, _params(figure="completed")).content.decode()
    assert "data-handling=" in html
    for identity in ("张三", "李四", "张*", "*三", "110105", "1390000"):
        assert identity not in html


def test_a_department_sees_only_its_subtree(sim: Simulation) -> None:
    loc, people = sim.town.loc, sim.town.people
    client = _client(people.handler)
    # another department's org as a key: nothing of it is inside the handler's subtree
    total, rows, _ = _follow(client, HANDLINGS, _params(figure="completed",
                                                        org=loc.district_hr.pk))
    assert total == len(rows) == 0
    total, rows, _ = _follow(client, ORDERS, _params(figure="orders",
                                                     org=loc.district_hr.pk))
    assert total == len(rows) == 0
    total, rows, _ = _follow(client, ORDERS, _params(figure="orders"))
    assert total == _counts(people.handler).orders == len(rows) > 0
    assert set(WorkOrder.objects.filter(public_id__in=rows).values_list(
        "org_id", flat=True)) == {loc.market.pk}
    # and the chosen org must be inside the subtree
    before = _written()
    response = client.get(ORDERS, _params(figure="overdue", scope=loc.district_hr.pk))
    assert response.status_code == 422
    assert "所选机构不在本机构管辖范围内" in response.content.decode()
    assert _written() == before


# --- work orders behind the rate tiles -------------------------------------------------------


@pytest.mark.parametrize("figure", [f for f in drill_rows.ORDER_FIGURES
                                    if f != drill_rows.LIVE])
def test_each_work_order_figure_lists_as_many_rows_as_its_count(sim: Simulation,
                                                                figure: str) -> None:
    people = sim.town.people
    total, rows, _ = _follow(_client(people.supervisor), ORDERS, _params(figure=figure))
    assert total == len(rows) == len(set(rows))
    expected = drill_rows.total_from(_counts(people.supervisor), drill_rows.ORDERS, figure)
    if expected is not None:
        assert total == expected


def test_called_back_and_not_called_back_partition_the_due_orders(sim: Simulation) -> None:
    client = _client(sim.town.people.supervisor)
    due = set(_follow(client, ORDERS, _params(figure="due"))[1])
    called = set(_follow(client, ORDERS, _params(figure="called_back"))[1])
    missing = set(_follow(client, ORDERS, _params(figure="not_called_back"))[1])
    assert called
    assert missing
    assert not called & missing
    assert missing | (called & due) == due


TILES = {"satisfaction_rate": ("/work/stats/drill/", "satisfied"),
         "bad_review_rate": ("/work/stats/drill/", "bad_reviews"),
         "participation_rate": (HANDLINGS, "rated_real"),
         "average_score": ("/work/stats/drill/", "real_ratings"),
         "rectification_rate": (ORDERS, "closed"),
         "callback_rate": (ORDERS, "called_back")}


def test_every_rate_tile_clicks_through_to_its_numerator(sim: Simulation) -> None:
    people = sim.town.people
    client = _client(people.supervisor)
    html = client.get(URL, _params()).content.decode()
    counts = _counts(people.supervisor)
    for key, (path, figure) in TILES.items():
        url = _href(html, f"kpi-{key}")
        assert url.startswith(path), (key, url)
        assert f"figure={figure}" in url, (key, url)
        page = client.get(url).content.decode()
        total = int(re.search(r'data-testid="drill-total">(\d+)<', page)[1])
        assert total == getattr(counts, figure), key


# --- bad parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "params", "code", "message"), [
    (HANDLINGS, {"figure": "everything"}, "stats.figure", "不支持下钻的指标"),
    (ORDERS, {"figure": "bad_reviews"}, "stats.figure", "不支持下钻的指标"),
    (HANDLINGS, {"figure": "completed", "channel": "web"}, "stats.filter", "不支持的筛选条件"),
    (ORDERS, {"figure": "orders", "org": "x"}, "stats.filter", "筛选条件“部门”无效"),
    (ORDERS, {"figure": "overdue", "after": "forged"}, "stats.cursor", "分页位置无效"),
    (HANDLINGS, {"figure": "completed", "start": "2026-05-02", "end": "2026-05-01"},
     "stats.range", "开始日期不能晚于结束日期"),
    ("/work/stats/drill/handlings/export.pdf", {"figure": "completed"}, "stats.format",
     "不支持的导出格式"),
    ("/work/stats/export/everything.csv", {}, "stats.table", "不支持导出的统计表"),
    ("/work/stats/drill/export.csv", {"figure": "everything"}, "stats.figure",
     "不支持下钻的指标"),
    ("/work/stats/drill/orders/export.xlsx", {"figure": "orders", "hall": "-1"},
     "stats.filter", "筛选条件“大厅”无效"),
])
def test_bad_parameters_are_a_chinese_4xx_and_change_nothing(
        sim: Simulation, url: str, params: dict[str, str], code: str, message: str) -> None:
    refused_page(_client(sim.town.people.supervisor), url, params, code, message, _written)


def test_window_staff_get_no_list_and_no_file(sim: Simulation) -> None:
    client = _client(sim.town.people.window_staff)
    before = _written()
    for url in (ORDERS, HANDLINGS, "/work/stats/drill/orders/export.csv",
                "/work/stats/export/participation.xlsx"):
        response = client.get(url, _params(figure="overdue" if "orders" in url
                                           else "completed"))
        assert response.status_code == 403
    assert _written() == before


# --- exports -------------------------------------------------------------------------------


def _body(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _xlsx(response: Any) -> list[list[Any]]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(_body(response)), read_only=True)
    return without_banner([list(r) for r in book.worksheets[0].iter_rows(values_only=True)])


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    raw = _body(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _exports(html: str, name: str) -> dict[str, str]:
    block = html.split(f'data-testid="export-{name}"', 1)[1].split("</span>", 1)[0]
    return {fmt: htmllib.unescape(url) for url, fmt in
            re.findall(r'href="([^"]+)" data-format="(\w+)"', block)}


def test_every_dashboard_table_exports_as_xlsx_and_csv(sim: Simulation) -> None:
    people = sim.town.people
    client = _client(people.supervisor)
    html = client.get(URL, _params()).content.decode()
    actor = actor_for_user(people.supervisor)
    first, last = _span()
    for table, group_by in (("totals", ()), ("trend", ("period",)), ("levels", ()),
                            ("channels", ("channel",)), ("matters", ("matter",)),
                            ("windows", ("window",)), ("participation", ("org",))):
        links = _exports(html, table)
        assert set(links) == {"xlsx", "csv"}, table
        expected = selectors.figures(actor, group_by=group_by, period=Period.DAY,
                                     start=first, end=last, compare_previous=False)
        audits = AuditEvent.objects.filter(action="stats.export").count()
        sheet = _xlsx(client.get(links["xlsx"]))
        text = _csv(client.get(links["csv"]))
        assert len(sheet) - 1 == len(text) - 1 == len(expected), table
        assert [str(c) for c in sheet[0]] == text[0]
        column = sheet[0].index("非常满意")
        assert [r[column] for r in sheet[1:]] == [r.counts.level_5 for r in expected]
        assert [int(r[column]) for r in text[1:]] == [r.counts.level_5 for r in expected]
        assert AuditEvent.objects.filter(action="stats.export").count() == audits + 2


def test_table_exports_keep_the_org_filter(sim: Simulation) -> None:
    loc, people = sim.town.loc, sim.town.people
    client = _client(people.supervisor)
    html = client.get(URL, _params(scope=loc.district_hr.pk)).content.decode()
    rows = _csv(client.get(_exports(html, "participation")["csv"]))
    assert [r[1] for r in rows[1:]] == [loc.district_hr.name]
    event = AuditEvent.objects.filter(action="stats.export").latest("pk")
    assert event.after["scope"] == loc.district_hr.pk
    assert event.after["format"] == "csv"
    assert event.after["rows"] == 1


@pytest.mark.parametrize(("path", "figure"), [("/work/stats/drill/", "bad_reviews"),
                                              (HANDLINGS, "completed"),
                                              (HANDLINGS, "unrated"),
                                              (ORDERS, "orders"), (ORDERS, "overdue")])
def test_each_drill_list_exports_every_row(sim: Simulation, path: str, figure: str) -> None:
    people = sim.town.people
    # Ratings (masked raters, free text) need the office's approval when a department
    # exports them (tests/test_export_approvals.py); the office exports them itself.
    viewer = people.supervisor if figure in ("overdue", "bad_reviews") else people.handler
    client = _client(viewer)
    page = client.get(path, _params(figure=figure)).content.decode()
    total = int(re.search(r'data-testid="drill-total">(\d+)<', page)[1])
    assert total > 0
    links = _exports(page, "drill")
    sheet = _xlsx(client.get(links["xlsx"]))
    text = _csv(client.get(links["csv"]))
    assert len(sheet) - 1 == len(text) - 1 == total
    assert [[("" if c is None else str(c)) for c in r] for r in sheet] == text
    if path != "/work/stats/drill/":
        assert not any(word in cell for r in text for cell in r
                       for word in ("张三", "李四", "张*", "110105"))
    if path == ORDERS:
        ids = {r[0] for r in text[1:]}
        listed = visible_orders(actor_for_user(viewer)) if figure == "overdue" \
            else WorkOrder.objects.filter(org=sim.town.loc.market)
        assert ids <= {o.number for o in listed}  # the one readable order number
    event = AuditEvent.objects.filter(action="stats.export").latest("pk")
    assert event.after["rows"] == total
    assert event.after["figure"] == figure


def test_handling_export_cells_are_neutralised(sim: Simulation) -> None:
    h = Handling.objects.filter(status="completed", org=sim.town.loc.market).first()
    assert h is not None
    Handling.objects.filter(pk=h.pk).update(proj_no="=1+1")
    client = _client(sim.town.people.handler)
    text = _csv(client.get("/work/stats/drill/handlings/export.csv",
                           _params(figure="completed")))
    assert [r[0] for r in text[1:] if r[0].endswith("=1+1")] == ["'=1+1"]
