"""Figures by region follow the region tree (issue 5: group by region): a region filter
holds its sub-regions, grouping by region counts each org under its region's ancestor
one level below the base region (the orgs of the base itself on its 本级 row), and each
group's drill-down lists exactly the rows it counts. Hand-computed on a small tree:

    郑州市 (city)          — 市政务服务局, 市市场监督管理局: 3 handlings (rated 5, 1; one unrated)
    ├── 金水区 (district)  — 区政务服务局, 区人社局: 2 handlings (rated 4, 2)
    │   └── 经八路街道 (town) — 街道便民服务中心: 2 handlings (rated 5, 3)
    └── 中原区 (district)  — 中原区行政审批局: 1 handling (rated 1)
"""

from __future__ import annotations

import csv
import dataclasses
import html as htmllib
import io
import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.catalog.rules.standards import Channel
from haochaping.core.errors import ValidationError
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.stats import drill, drill_rows, regions, rollup, selectors
from haochaping.stats.rules import Counts, Period
from haochaping.workorders.models import OPEN_VALUES, WorkOrder
from tests import factories as f

DAY = date(2026, 3, 10)
AT = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
URL = "/api/v1/stats"


@pytest.fixture
def tree(locality: SimpleNamespace, personas: SimpleNamespace,
         django_capture_on_commit_callbacks: Any) -> SimpleNamespace:
    loc = locality
    town_region = f.make_region("410105001000", "经八路街道", "township",
                                parent=loc.district_region)
    zhongyuan_region = f.make_region("410102000000", "中原区", "county",
                                     parent=loc.city_region)
    town_centre = f.make_org("经八路街道便民服务中心", parent=loc.district_office,
                             kind="supervising", level="township", region=town_region)
    zhongyuan = f.make_org("中原区行政审批局", parent=loc.city_office, level="county",
                           region=zhongyuan_region)
    client, _ = ef.make_client(loc.city_office, scopes=("handlings:write",), name="审批系统")
    rater = ef.make_rater()
    ratings = {loc.market: [5, 1, None], loc.district_hr: [4, 2],
               town_centre: [5, 3], zhongyuan: [1]}
    moment = AT
    for org, levels in ratings.items():
        for level in levels:
            handling = ef.make_handling(SimpleNamespace(matter=loc.matter, market=org),
                                        client=client, rater=rater, offline=False,
                                        completed_at=moment)
            moment += timedelta(minutes=5)
            if level is None:
                continue
            with time_machine.travel(moment, tick=False), \
                    django_capture_on_commit_callbacks(execute=True):
                evaluation_submit(handling=handling, channel=Channel.WEB, now=moment,
                                  rating=RatingInput(level, reason_codes=["108"] if level <= 2
                                                     else [],
                                                     text="办理时间过长" if level <= 2 else ""))
            moment += timedelta(minutes=5)
    rollup.rollup_tick(AT + timedelta(hours=2))  # first run: rebuilds
    return SimpleNamespace(loc=loc, people=personas, town_region=town_region,
                           zhongyuan_region=zhongyuan_region, town_centre=town_centre,
                           zhongyuan=zhongyuan)


def by_region(actor: Actor, **filters: Any) -> dict[int, Counts]:
    rows = selectors.figures(actor, group_by=("region",), period=Period.DAY, start=DAY,
                             end=DAY, compare_previous=False, filters=filters)
    return {r.key["region"]: r.counts for r in rows}


def total(actor: Actor, **filters: Any) -> Counts:
    [row] = selectors.figures(actor, group_by=(), period=Period.DAY, start=DAY, end=DAY,
                              compare_previous=False, filters=filters)
    return row.counts


def shape(counts: Counts) -> tuple[int, int, int, int]:
    """(completed handlings, current valid real ratings, bad reviews, work orders)"""
    return counts.completed, counts.real_ratings, counts.bad_reviews, counts.orders


def test_the_city_sees_its_districts_and_its_own_departments(tree: SimpleNamespace) -> None:
    loc = tree.loc
    supervisor = actor_for_user(tree.people.supervisor)
    found = {k: shape(c) for k, c in by_region(supervisor).items()}
    assert found == {
        loc.city_region.pk: (3, 2, 1, 1),  # 郑州市本级: the market bureau
        loc.district_region.pk: (4, 4, 1, 1),  # 金水区 with its town
        tree.zhongyuan_region.pk: (1, 1, 1, 1),  # 中原区
    }
    assert sum((c for c in by_region(supervisor).values()), Counts()) == total(supervisor)
    assert regions.level(supervisor, {}).base_id == loc.city_region.pk


def test_a_region_filter_holds_its_sub_regions(tree: SimpleNamespace) -> None:
    loc = tree.loc
    supervisor = actor_for_user(tree.people.supervisor)
    assert shape(total(supervisor, region=loc.district_region.pk)) == (4, 4, 1, 1)
    assert shape(total(supervisor, own_region=loc.district_region.pk)) == (2, 2, 1, 1)
    assert shape(total(supervisor, region=tree.town_region.pk)) == (2, 2, 0, 0)
    assert shape(total(supervisor, region=loc.city_region.pk)) == shape(total(supervisor))
    # grouped inside the district: its own departments and its town
    found = {k: shape(c) for k, c in by_region(supervisor,
                                               region=loc.district_region.pk).items()}
    assert found == {loc.district_region.pk: (2, 2, 1, 1), tree.town_region.pk: (2, 2, 0, 0)}
    assert regions.level(supervisor, {"region": loc.district_region.pk}).base_id \
        == loc.district_region.pk


def test_a_district_sees_its_towns(tree: SimpleNamespace) -> None:
    """The district office's view holds only its district: grouped by region, its own
    departments and its town, without any filter."""
    loc = tree.loc
    district = actor_for_user(tree.people.district_supervisor)
    found = {k: shape(c) for k, c in by_region(district).items()}
    assert found == {loc.district_region.pk: (2, 2, 1, 1), tree.town_region.pk: (2, 2, 0, 0)}


def test_grouped_by_region_and_period_on_every_table(tree: SimpleNamespace) -> None:
    """The month tables (a whole month) and the daily roll-ups (some days) answer alike."""
    supervisor = actor_for_user(tree.people.supervisor)
    for start, end in ((date(2026, 3, 1), date(2026, 3, 31)), (DAY, DAY + timedelta(days=2))):
        rows = selectors.figures(supervisor, group_by=("region", "period"),
                                 period=Period.MONTH if start.day == 1 else Period.DAY,
                                 start=start, end=end, compare_previous=False)
        assert {(r.key["region"], shape(r.counts)) for r in rows} == {
            (tree.loc.city_region.pk, (3, 2, 1, 1)),
            (tree.loc.district_region.pk, (4, 4, 1, 1)),
            (tree.zhongyuan_region.pk, (1, 1, 1, 1))}
    table = selectors.figure_table(supervisor, group_by=("region",), period=Period.DAY,
                                   start=DAY, end=DAY, fields=("completed",))
    assert table.header == ["region", "completed"]


def drilled(actor: Actor, key: dict[str, int]) -> tuple[int, int, int, int]:
    """What the drill-downs list for a group: (completed handlings, real ratings, bad
    reviews, work orders)."""
    def rows(kind: str, figure: str) -> int:
        return drill_rows.rows_of(kind, actor, figure=figure, start=DAY, end=DAY,
                                  key=key).count()

    def ratings(figure: str) -> int:
        return len(drill.drilldown(actor, figure=figure, start=DAY, end=DAY, key=key))

    return (rows(drill_rows.HANDLINGS, "completed"), ratings("real_ratings"),
            ratings("bad_reviews"), rows(drill_rows.ORDERS, "orders"))


@pytest.mark.parametrize("who", ["supervisor", "district_supervisor"])
@pytest.mark.parametrize("within", [None, "district_region"])
def test_each_region_group_drills_down_to_exactly_its_rows(
        tree: SimpleNamespace, who: str, within: str | None) -> None:
    actor = actor_for_user(getattr(tree.people, who))
    filters = {} if within is None else {"region": getattr(tree.loc, within).pk}
    level = regions.level(actor, filters)
    groups = by_region(actor, **filters)
    assert len(groups) >= 2
    for region_id, counts in groups.items():
        key = {**filters, **level.drill_key(region_id)}
        assert drilled(actor, key) == shape(counts), region_id


def test_an_unknown_region_is_refused(tree: SimpleNamespace) -> None:
    supervisor = actor_for_user(tree.people.supervisor)
    with pytest.raises(ValidationError) as exc:
        total(supervisor, region=999_999)
    assert exc.value.code == "stats.region"


def test_view_root_is_the_deepest_region_holding_every_org(tree: SimpleNamespace) -> None:
    loc = tree.loc
    supervisor = actor_for_user(tree.people.supervisor)
    assert regions.view_root(supervisor) == loc.city_region.path
    district = actor_for_user(tree.people.district_supervisor)
    assert regions.view_root(district) == loc.district_region.path
    town = dataclasses.replace(district, scope_path=tree.town_centre.path)
    assert regions.view_root(town) == tree.town_region.path


# --- the HTTP API -------------------------------------------------------------------------


def test_api_groups_by_region_and_drills_each_group(tree: SimpleNamespace,
                                                   client: Client) -> None:
    loc = tree.loc
    client.force_login(tree.people.supervisor)
    span = {"start": DAY.isoformat(), "end": DAY.isoformat()}
    body = client.get(f"{URL}/figures", {"group_by": "region", "period": "day",
                                         "compare_previous": "false", **span}).json()
    assert body["region_base"] == loc.city_region.pk
    rows = {r["key"]["region"]: r["counts"] for r in body["rows"]}
    assert set(rows) == {loc.city_region.pk, loc.district_region.pk, tree.zhongyuan_region.pk}
    assert rows[loc.district_region.pk]["completed"] == 4
    for region_id, counts in rows.items():
        name = "own_region" if region_id == body["region_base"] else "region"
        for figure in ("real_ratings", "bad_reviews"):
            ids = client.get(f"{URL}/drilldown", {"figure": figure, name: region_id,
                                                  **span}).json()["evaluation_ids"]
            expected = sum(counts[f"level_{v}"] for v in (
                (5, 4, 3, 2, 1) if figure == "real_ratings" else (2, 1)))
            assert len(ids) == expected, (region_id, figure)
    # inside a district, the columns layout as well
    table = client.get(f"{URL}/figures", {"group_by": "region", "period": "day",
                                          "compare_previous": "false", "layout": "columns",
                                          "fields": "completed,level_5",
                                          "region": loc.district_region.pk, **span}).json()
    assert table["region_base"] == loc.district_region.pk
    assert sorted(table["rows"]) == sorted([[loc.district_region.pk, 2, 0],
                                            [tree.town_region.pk, 2, 1]])
    refused = client.get(f"{URL}/figures", {"group_by": "org", "region": 999_999, **span})
    assert refused.status_code == 422
    assert refused.json()["code"] == "stats.region"


# --- the dashboard ------------------------------------------------------------------------

DASHBOARD = "/work/stats/"
ROW_MARKS = {"/work/stats/drill/": r'data-evaluation="([0-9a-f-]+)"',
             "/work/stats/drill/handlings/": r'data-handling="(\d+)"',
             "/work/stats/drill/orders/": r'data-order-row="([0-9a-f-]+)"'}


def listed(client: Client, url: str) -> tuple[int, int]:
    """The total a drill-down page shows and the rows it lists (every page)."""
    path, html = url.split("?")[0], client.get(url).content.decode()
    total = int(re.search(r'data-testid="drill-total">(\d+)<', html)[1])
    rows = 0
    while True:
        rows += len(re.findall(ROW_MARKS[path], html))
        following = re.search(r'href="\?([^"]+)" rel="next"', html)
        if following is None:
            return total, rows
        html = client.get(f"{path}?{htmllib.unescape(following[1])}").content.decode()


def region_rows(html: str) -> list[dict[str, Any]]:
    """Each row of the dashboard's 各区划情况: its name, the dashboard it narrows to, and
    each count with the drill-down it opens."""
    section = html.split('data-testid="regions"', 1)[1].split("</section>", 1)[0]
    found = []
    for row in re.findall(r'<tr data-testid="region-row">(.*?)</tr>', section):
        name = re.search(r"<td>(?:<a [^>]*>)?([^<]+)", row)[1]
        narrow = re.search(r'href="([^"]+)" data-testid="region-narrow"', row)
        counts = {key: (int(number), htmllib.unescape(url)) for url, key, number in re.findall(
            r'href="([^"]+)" data-testid="region-(\w+)">(\d+)<', row)}
        found.append({"name": name, "counts": counts,
                      "narrow": htmllib.unescape(narrow[1]) if narrow else None})
    return found


def check_drills(client: Client, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        for key, (number, url) in row["counts"].items():
            assert listed(client, url) == (number, number), (row["name"], key)


def test_the_dashboard_shows_the_districts_and_narrows_to_one(tree: SimpleNamespace) -> None:
    loc = tree.loc
    client = Client()
    client.force_login(tree.people.supervisor)
    params = {"period": "day", "start": DAY.isoformat(), "end": DAY.isoformat()}
    rows = region_rows(client.get(DASHBOARD, params).content.decode())
    assert [(r["name"], {k: n for k, (n, _) in r["counts"].items()}) for r in rows] == [
        ("郑州市本级", {"ratings": 2, "bad": 1, "completed": 3, "orders": 1}),
        ("中原区", {"ratings": 1, "bad": 1, "completed": 1, "orders": 1}),
        ("金水区", {"ratings": 4, "bad": 1, "completed": 4, "orders": 1}),
    ]
    assert rows[0]["narrow"] is None  # the city's own bureaus have no region below
    check_drills(client, rows)
    # into the district: its own departments and its town; the whole page follows
    page = client.get(rows[2]["narrow"]).content.decode()
    assert re.search(r'data-testid="kpi-real_ratings">4<', page)
    inner = region_rows(page)
    assert [(r["name"], {k: n for k, (n, _) in r["counts"].items()}) for r in inner] == [
        ("金水区本级", {"ratings": 2, "bad": 1, "completed": 2, "orders": 1}),
        ("经八路街道", {"ratings": 2, "bad": 0, "completed": 2, "orders": 0}),
    ]
    check_drills(client, inner)
    # the live overdue count keeps to the district too, and opens exactly its orders
    overdue = int(re.search(r'data-testid="kpi-overdue">(\d+)<', page)[1])
    assert overdue == WorkOrder.objects.filter(
        status__in=OPEN_VALUES, rectify_due_at__lt=timezone.now(),
        org__region__path__startswith=loc.district_region.path).count()
    overdue_url = htmllib.unescape(re.search(
        r'href="([^"]+)" data-testid="kpi-overdue"', page)[1])
    assert listed(client, overdue_url) == (overdue, overdue)
    trail = page.split('data-testid="region-trail">', 1)[1].split("</p>", 1)[0]
    assert re.findall(r">([^<>]+)</(?:a|strong)>", trail) == ["郑州市", "金水区"]
    # the district's regions table exports as the dashboard shows it
    block = page.split('data-testid="export-regions"', 1)[1].split("</span>", 1)[0]
    csv_url = htmllib.unescape(re.search(r'href="([^"]+)" data-format="csv"', block)[1])
    response = client.get(csv_url)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert [line[1] for line in lines[1:]] == ["金水区本级（410105000000）",
                                              "经八路街道（410105001000）"]
    assert AuditEvent.objects.filter(action="stats.export").latest("pk").after["region"] \
        == loc.district_region.pk


def test_an_unknown_region_on_the_dashboard_is_a_chinese_422(tree: SimpleNamespace) -> None:
    client = Client()
    client.force_login(tree.people.supervisor)
    response = client.get(DASHBOARD, {"region": "999999"})
    assert response.status_code == 422
    assert "所选区划无效" in response.content.decode()
