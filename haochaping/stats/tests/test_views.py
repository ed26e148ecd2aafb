"""The statistics dashboard and its drill-downs: scoped numbers equal the selectors,
refusals, drill-down totals equal the figures, and bad filters write nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.evaluations.models import Evaluation
from haochaping.stats import selectors
from haochaping.stats.models import EvaluationRollup
from haochaping.stats.rules import Period, local_day
from haochaping.stats.tests.test_rollup_equals_raw import Simulation, simulate, town  # noqa: F401
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.selectors import visible_orders

URL = "/work/stats/"
DRILL = "/work/stats/drill/"


@pytest.fixture
def sim(town: SimpleNamespace,  # noqa: F811
        django_capture_on_commit_callbacks: Any) -> Simulation:
    return simulate(town, django_capture_on_commit_callbacks, seed=11, steps=80)


def _span() -> tuple[date, date]:
    days = [local_day(e.created_at) for e in Evaluation.objects.all()]
    return min(days), max(days)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _params(**extra: Any) -> dict[str, Any]:
    first, last = _span()
    return {"period": "day", "start": first.isoformat(), "end": last.isoformat(), **extra}


def _total(user: Any, **filters: Any) -> Any:
    first, last = _span()
    rows = selectors.figures(actor_for_user(user), group_by=(), period=Period.DAY,
                             start=first, end=last, compare_previous=False, filters=filters)
    return rows[0].counts


def _kpi(html: str, key: str) -> int:
    found = re.search(rf'data-testid="kpi-{key}">(\d+)<', html)
    assert found, key
    return int(found.group(1))


@pytest.mark.parametrize("who", ["supervisor", "handler", "auditor"])
def test_dashboard_shows_the_scoped_figures_of_the_selectors(sim: Simulation, who: str) -> None:
    user = getattr(sim.town.people, who)
    response = _client(user).get(URL, _params())
    assert response.status_code == 200
    html = response.content.decode()
    counts = _total(user)
    assert counts.real_ratings > 0
    for key in ("real_ratings", "satisfied", "bad_reviews", "default_ratings"):
        assert _kpi(html, key) == getattr(counts, key)
    charts = json.loads(re.search(r'id="st-data"[^>]*>(.*?)</script>', html, re.S)[1])
    assert sum(t["ratings"] for t in charts["trend"]) == counts.real_ratings
    orgs = {p["name"] for p in charts["participation"]}
    if who == "handler":  # the market department sees only its own subtree
        assert orgs == {sim.town.loc.market.name}
    else:
        assert {sim.town.loc.market.name, sim.town.loc.district_hr.name} <= orgs


def test_org_filter_narrows_to_a_subtree_and_htmx_gets_the_panel(sim: Simulation) -> None:
    loc, people = sim.town.loc, sim.town.people
    response = _client(people.supervisor).get(URL, _params(scope=loc.district_hr.pk),
                                              HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<form" not in html
    assert 'id="st-data"' in html
    assert _kpi(html, "real_ratings") == _total(people.outsider).real_ratings


def test_window_staff_are_refused(sim: Simulation) -> None:
    for url in (URL, DRILL):
        response = _client(sim.town.people.window_staff).get(url, _params(figure="bad_reviews"))
        assert response.status_code == 403
        assert "当前角色无权查看统计" in response.content.decode()


def _drill_rows(client: Client, params: dict[str, Any]) -> tuple[int, list[str]]:
    """The total and every row id, following the 下一页 links to the last page."""
    first = client.get(DRILL, params)
    assert first.status_code == 200
    html = first.content.decode()
    total = int(re.search(r'data-testid="drill-total">(\d+)<', html)[1])
    rows: list[str] = []
    while True:
        rows += re.findall(r'data-evaluation="([0-9a-f-]+)"', html)
        found = re.search(r'href="\?([^"]+)" rel="next"', html)
        if found is None:
            return total, rows
        html = client.get(f"{DRILL}?{found[1].replace('&amp;', '&')}").content.decode()


@pytest.mark.parametrize("figure", ["real_ratings", "bad_reviews", "satisfied",
                                    "default_ratings", "invalidated"])
def test_drilldown_lists_as_many_rows_as_the_figure(sim: Simulation, figure: str) -> None:
    people = sim.town.people
    total, rows = _drill_rows(_client(people.supervisor), _params(figure=figure))
    assert total == getattr(_total(people.supervisor), figure)
    assert len(rows) == len(set(rows)) == total


def test_drilldown_by_matter_shows_masked_raters_only(sim: Simulation) -> None:
    loc, people = sim.town.loc, sim.town.people
    client = _client(people.handler)
    total, rows = _drill_rows(client, _params(figure="real_ratings", matter=loc.matter.pk))
    assert total == _total(people.handler, matter=loc.matter.pk).real_ratings > 0
    assert len(rows) == total
    html = client.get(DRILL, _params(figure="real_ratings")).content.decode()
    assert "张*" in html or "*三" in html
    for identity in ("张三", "李四", "110105"):
        assert identity not in html


def test_bad_reviews_link_to_the_work_orders_the_viewer_may_open(sim: Simulation) -> None:
    people = sim.town.people
    html = _client(people.supervisor).get(DRILL, _params(figure="bad_reviews")).content.decode()
    linked = re.findall(r'<tr data-evaluation="([0-9a-f-]+)">(?:(?!</tr>).)*?data-order="(\d+)"',
                        html, re.S)
    assert linked, "the simulation's bad reviews opened work orders"
    page = re.findall(r'data-evaluation="([0-9a-f-]+)"', html)
    with_orders = visible_orders(actor_for_user(people.supervisor)).filter(
        evaluation__public_id__in=page).values_list("evaluation__public_id", flat=True)
    assert {p for p, _ in linked} == {str(p) for p in with_orders}
    for public_id, order_pk in linked:
        order = WorkOrder.objects.get(pk=int(order_pk))
        assert str(order.evaluation.public_id) == public_id
    assert _client(people.supervisor).get(f"/work/orders/{linked[0][1]}/").status_code == 200
    # a viewer who may read statistics but not the order gets the row without the link
    seen = set(visible_orders(actor_for_user(people.handler)).values_list("pk", flat=True))
    html = _client(people.handler).get(DRILL, _params(figure="bad_reviews")).content.decode()
    assert {int(pk) for pk in re.findall(r'data-order="(\d+)"', html)} <= seen


def _written() -> tuple[int, int, int]:
    return (AuditEvent.objects.count(), EvaluationRollup.objects.count(),
            Evaluation.objects.count())


@pytest.mark.parametrize(("url", "params", "code", "message"), [
    (URL, {"start": "2026-13-01"}, "stats.invalid_date", "日期格式无效"),
    (URL, {"start": "2026-05-02", "end": "2026-05-01"}, "stats.range", "开始日期不能晚于结束日期"),
    (URL, {"period": "decade"}, "stats.period", "不支持的统计周期"),
    (URL, {"period": "day", "start": "2020-01-01", "end": "2026-01-01"},
     "stats.range_too_long", "时间跨度过长"),
    (URL, {"scope": "abc"}, "stats.scope", "所选机构无效"),
    (DRILL, {"figure": "everything"}, "stats.figure", "不支持下钻的指标"),
    (DRILL, {"figure": "bad_reviews", "matter": "x"}, "stats.filter", "筛选条件“事项”无效"),
])
def test_bad_filters_give_a_chinese_error_and_write_nothing(
        sim: Simulation, url: str, params: dict[str, str], code: str, message: str) -> None:
    refused_page(_client(sim.town.people.supervisor), url, params, code, message, _written)


def refused_page(client: Client, url: str, params: dict[str, str], code: str, message: str,
                 written: Callable[[], object]) -> None:
    """A 422 page naming ``code`` with its Chinese ``message``; ``written()`` unchanged."""
    before = written()
    response = client.get(url, params)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'data-code="{code}"' in html
    assert message in html
    assert written() == before


def test_an_org_outside_the_subtree_is_refused(sim: Simulation) -> None:
    loc, people = sim.town.loc, sim.town.people
    client = _client(people.handler)
    before = _written()
    response = client.get(URL, {"scope": loc.district_hr.pk})
    assert response.status_code == 422
    assert 'data-code="stats.scope"' in response.content.decode()
    assert "所选机构不在本机构管辖范围内" in response.content.decode()
    assert _written() == before


def test_home_links_the_dashboard_by_role(sim: Simulation) -> None:
    people = sim.town.people
    assert 'href="/work/stats/"' in _client(people.supervisor).get("/").content.decode()
    assert 'href="/work/stats/"' not in _client(people.window_staff).get("/").content.decode()
