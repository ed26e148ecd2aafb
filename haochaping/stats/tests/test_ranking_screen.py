"""The ranking screen (/work/stats/ranking/): the ranking of a period with bottom flags for
everyone who may read statistics, the weights form for the supervising office only,
invalid weights refused in Chinese with nothing changed, every change audited."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.stats import ranking, rules
from haochaping.stats import ranking_rules as rr
from haochaping.stats.models import RankingWeights
from haochaping.stats.rules import Period
from haochaping.stats.tests.test_rollup_equals_raw import Simulation, town  # noqa: F401
from haochaping.stats.tests.test_views import _client, _span, sim  # noqa: F401

URL = "/work/stats/ranking/"
DEFAULTS = {"satisfaction": 50, "participation": 20, "on_time_rectification": 20,
            "bad_review": 10, "min_sample": 10, "bottom_count": 3, "bottom_periods": 3,
            "complained": 0, "item_on_time": 0, "spot_satisfaction": 0}


def _written() -> tuple[int, int, rr.Weights]:
    return (AuditEvent.objects.count(), RankingWeights.objects.count(),
            ranking.current_weights())


def _query(**extra: Any) -> dict[str, Any]:
    _, last = _span()
    return {"level": "org", "period": "month", "day": last.isoformat(), **extra}


def test_the_office_sees_the_ranking_and_the_form(sim: Simulation) -> None:  # noqa: F811
    html = _client(sim.town.people.supervisor).get(URL, _query()).content.decode()
    assert 'data-testid="weights-form"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    expected = ranking.ranking(actor_for_user(sim.town.people.supervisor),
                               level=rr.Level.ORG, period=Period.MONTH, day=_span()[1])
    shown = re.findall(r'<tr data-code="([^"]+)"', html)
    assert shown == [r.code for r in expected]
    assert shown  # the simulated orgs are there, ranked or 样本不足
    assert 'href="/work/stats/ranking/"' in html  # in the statistics navigation


@pytest.mark.parametrize("level", ["org", "window", "staff"])
def test_each_ranked_count_opens_the_ratings_behind_it(sim: Simulation, level: str) -> None:  # noqa: F811
    client = _client(sim.town.people.supervisor)
    html = client.get(URL, _query(level=level)).content.decode()
    links = re.findall(r'<a href="([^"]+)" data-testid="ranking-drill">(\d+)</a>', html)
    assert links
    for href, shown in links:
        drill = client.get(href.replace("&amp;", "&")).content.decode()
        assert f'data-testid="drill-total">{shown}<' in drill


def test_the_screen_shows_each_figure_not_its_ranking_component(sim: Simulation) -> None:  # noqa: F811
    """差评率 is ranked as 1 − 差评率; the column shows the rate itself."""
    actor = actor_for_user(sim.town.people.supervisor)
    rows = ranking.ranking(actor, level=rr.Level.ORG, period=Period.MONTH, day=_span()[1])
    html = _client(sim.town.people.supervisor).get(URL, _query()).content.decode()
    checked = 0
    for row in rows:
        cells = re.search(rf'<tr data-code="{re.escape(row.code)}"[^>]*>(.*?)</tr>', html, re.S)
        assert cells is not None
        # the component columns, in rr.COMPONENTS order ("—" without a denominator)
        shown = re.findall(r"<td>(—|[\d.]+%)</td>", cells[1])[-len(rr.COMPONENTS):]
        rate = rules.compute(row.counts)[rules.Figure.BAD_REVIEW]
        if rate is not None:
            column = list(rr.COMPONENTS).index(rules.Figure.BAD_REVIEW)
            assert shown[column] == f"{float(rate) * 100:.1f}%"
            checked += 1
    assert checked


@pytest.mark.parametrize("who", ["handler", "auditor", "district_supervisor"])
def test_others_see_the_weights_read_only_and_cannot_post(sim: Simulation, who: str) -> None:  # noqa: F811
    client = _client(getattr(sim.town.people, who))
    html = client.get(URL, _query(level="window")).content.decode()
    assert 'data-testid="weights-form"' not in html
    assert "权重由系统管理员或最上级政务服务管理机构设置" in html
    assert 'data-testid="bottom-flags"' in html
    before = _written()
    response = client.post(URL, {**_query(), **DEFAULTS, "satisfaction": 60,
                                 "participation": 10})
    assert response.status_code == 403
    assert "只有政务服务管理机构或系统管理员可以调整排名权重" in response.content.decode()
    assert _written() == before


def test_window_staff_are_refused(sim: Simulation) -> None:  # noqa: F811
    response = _client(sim.town.people.window_staff).get(URL)
    assert response.status_code == 403
    assert "当前角色无权查看统计" in response.content.decode()


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"satisfaction": 70}, "weights", "各项权重之和须为 100"),
    ({"satisfaction": "五十"}, "satisfaction", "“满意率权重”须为整数"),
    ({"min_sample": 0}, "min_sample", "最低样本量须在 1 至 100000 之间"),
    ({"bottom_periods": 99}, "bottom_periods", "连续靠后周期数须在 1 至 24 之间"),
])
def test_invalid_weights_show_a_chinese_error_and_change_nothing(
        sim: Simulation, change: dict[str, Any], field: str, message: str) -> None:  # noqa: F811
    client = _client(sim.town.people.supervisor)
    before = _written()
    response = client.post(URL, {**_query(), **DEFAULTS, **change})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-code="ranking.weights"' in html
    assert message in html
    assert "未保存任何修改" in html
    if field != "weights":
        assert f'data-testid="error-{field}"' in html
    assert f'value="{next(iter(change.values()))}"' in html  # what was typed stays
    assert _written() == before


def test_a_valid_change_is_saved_audited_and_ranks_anew(sim: Simulation) -> None:  # noqa: F811
    people = sim.town.people
    client = _client(people.supervisor)
    query = _query(level="window")
    response = client.post(URL, {**query, **DEFAULTS, "satisfaction": 40,
                                 "participation": 30, "min_sample": 1})
    assert response.status_code == 302
    assert response["Location"].startswith(URL + "?level=window&period=month&day=")
    assert ranking.current_weights() == rr.Weights(40, 30, 20, 10, 1, 3, 3)
    event = AuditEvent.objects.get(action="stats.ranking_weights_set")
    assert event.actor_id == people.supervisor.pk
    assert event.before == DEFAULTS
    assert event.after == {**DEFAULTS, "satisfaction": 40, "participation": 30,
                           "min_sample": 1}
    page = client.get(response["Location"]).content.decode()
    assert "排名权重已保存" in page
    assert f'data-seq="{event.seq}"' in page  # the change history shows it
    ranks = re.findall(r'<tr data-code="[^"]+"[^>]*>\s*<td>(\d+)</td>', page)
    assert ranks[:1] == ["1"]  # min_sample 1: every rated window is ranked now


@pytest.mark.parametrize(("params", "code"), [
    ({"level": "planet"}, "ranking.level"),
    ({"period": "day"}, "stats.period"),
    ({"day": "2026-02-30"}, "stats.invalid_date"),
])
def test_bad_choices_are_a_chinese_error(sim: Simulation, params: dict[str, str],  # noqa: F811
                                         code: str) -> None:
    response = _client(sim.town.people.supervisor).get(URL, params)
    assert response.status_code == 422
    assert f'data-code="{code}"' in response.content.decode()


def test_the_dashboard_links_the_ranking_screen(locality: SimpleNamespace,
                                                personas: SimpleNamespace) -> None:
    client = Client()
    client.force_login(personas.auditor)
    html = client.get("/work/stats/").content.decode()
    assert 'href="/work/stats/ranking/"' in html


def test_a_published_period_points_at_its_snapshot(sim: Simulation) -> None:  # noqa: F811
    """The office's screen is live; for a period the public column has published it says
    so and links the published, unchanging result."""
    from django.utils import timezone

    from haochaping.stats import snapshots

    first, _ = _span()
    client = _client(sim.town.people.supervisor)
    query = {"level": "org", "period": "month", "day": first.isoformat()}
    assert 'data-testid="ranking-published"' not in client.get(URL, query).content.decode()
    row, _ = snapshots.ranking_snapshot_publish(period=Period.MONTH, start=first,
                                                now=timezone.now())
    html = client.get(URL, query).content.decode()
    assert 'data-testid="ranking-published"' in html
    assert row.sha256[:16] in html
    assert f'href="/gongshi/paiming/?period=month&amp;at={first:%Y-%m}"' in html
    assert 'data-testid="ranking-published"' not in client.get(
        URL, {**query, "level": "window"}).content.decode()
