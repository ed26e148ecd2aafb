"""Drill-downs in keyset pages: every row reachable with no cap, forward and back, ties
on created_at broken by pk, tampered cursors refused in Chinese, per-level figures, and
exports read in keyset chunks up to a documented bound (issue 5)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.core.errors import ValidationError
from haochaping.evaluations.guards import EVALUATION_GUARD
from haochaping.evaluations.models import Evaluation
from haochaping.stats import drill, exports
from haochaping.stats.tests.test_rollup_equals_raw import Simulation, town  # noqa: F401
from haochaping.stats.tests.test_views import (
    DRILL,
    _client,
    _drill_rows,
    _params,
    _span,
    _total,
    sim,  # noqa: F401
)
from haochaping.stats.views import drill as drill_view
from tests.records import guard_lifted

API = "/api/v1/stats"
VALID_REAL = {"is_current": True, "invalidated_at": None, "is_default": False}


def _newest_first(**filters: Any) -> list[int]:
    return list(Evaluation.objects.filter(**filters).order_by("-created_at", "-pk")
                .values_list("pk", flat=True))


def _walk(actor: Any, size: int, **kw: Any) -> tuple[list[drill.Page], list[int]]:
    first, last = _span()
    pages = [drill.page(actor, start=first, end=last, size=size, **kw)]
    while pages[-1].next:
        pages.append(drill.page(actor, start=first, end=last, size=size,
                                after=pages[-1].next, **kw))
    return pages, [i for p in pages for i in p.ids]


def test_cursor_round_trips_and_tampering_is_refused() -> None:
    mark = drill.Cursor(datetime(2026, 3, 1, 2, 3, 4, 567_890, tzinfo=UTC), 42)
    assert drill.Cursor.decode(mark.encode()) == mark
    by_level = drill.Cursor(2, 42)  # the ratings' level sort (issue 16)
    assert drill.Cursor.decode(by_level.encode()) == by_level
    assert drill.Cursor.decode(by_level.encode()).value == 2
    position, signature = mark.encode().rsplit(":", 1)
    for bad in (f"{position[:-1]}9:{signature}", "20260301T020304567890_42", "x", ""):
        with pytest.raises(ValidationError) as caught:
            drill.Cursor.decode(bad)
        assert caught.value.code == "stats.cursor"
        assert caught.value.message == "分页位置无效，请从第一页重新查看"


def test_pages_forward_and_back_reach_every_row_once(sim: Simulation) -> None:  # noqa: F811
    admin = actor_for_user(sim.town.people.admin)
    # a burst of ratings in the same microsecond: the pk decides their order
    same = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    tied = _newest_first(**VALID_REAL)[3:11]
    with guard_lifted(EVALUATION_GUARD):  # as if rated at once
        Evaluation.objects.filter(pk__in=tied).update(created_at=same)
    expected = _newest_first(**VALID_REAL)
    assert len(expected) > 9
    pages, ids = _walk(admin, 3, figure="real_ratings")
    assert ids == expected
    assert pages[0].previous is None
    assert pages[-1].next is None
    assert all(p.previous for p in pages[1:])
    # back from the last page, page by page, gives the same pages
    back = [pages[-1]]
    while back[-1].previous:
        first, last = _span()
        back.append(drill.page(admin, figure="real_ratings", start=first, end=last, size=3,
                               before=back[-1].previous))
    assert [p.ids for p in reversed(back)] == [p.ids for p in pages]
    assert back[-1].previous is None


@pytest.mark.parametrize("level", [5, 4, 3, 2, 1])
def test_level_figures_are_the_current_valid_real_ratings_of_that_level(
        sim: Simulation, level: int) -> None:  # noqa: F811
    _, ids = _walk(actor_for_user(sim.town.people.admin), 1000, figure=f"level_{level}")
    assert ids == _newest_first(level=level, **VALID_REAL)
    assert drill.FIGURE_LABELS[f"level_{level}"] == dict(
        [(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")])[level]


def test_level_numbers_on_the_dashboard_open_their_drill_down(sim: Simulation) -> None:  # noqa: F811
    people = sim.town.people
    client = _client(people.supervisor)
    html = client.get("/work/stats/", _params()).content.decode()
    counts = _total(people.supervisor)
    for level in (5, 4, 3, 2, 1):
        link = re.search(rf'<a href="([^"]+)" data-testid="level_{level}">(\d+)</a>', html)
        assert link, level
        assert int(link[2]) == counts.level(level)
        assert f"figure=level_{level}" in link[1]
        total, rows = _drill_rows(client, _params(figure=f"level_{level}"))
        assert total == len(rows) == counts.level(level)
    charts = re.search(r'id="st-data"[^>]*>(.*?)</script>', html, re.S)[1]
    assert "figure=level_1" in charts  # the pie's slices carry the same links


def test_the_drill_page_walks_back_with_previous_links(
        sim: Simulation, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(drill_view, "PAGE_SIZE", 4)
    total, every = _drill_rows(_client(sim.town.people.supervisor), _params(figure="real_ratings"))
    assert total == len(every) == len(set(every)) > 8  # three pages, the last one short
    client = _client(sim.town.people.supervisor)
    first = client.get(DRILL, _params(figure="real_ratings")).content.decode()
    after = re.search(r'href="\?([^"]+)" rel="next"', first)[1].replace("&amp;", "&")
    second = client.get(f"{DRILL}?{after}").content.decode()
    before = re.search(r'href="\?([^"]+)" rel="prev"', second)[1].replace("&amp;", "&")
    again = client.get(f"{DRILL}?{before}").content.decode()
    rows = re.compile(r'data-evaluation="([0-9a-f-]+)"')
    assert rows.findall(again) == rows.findall(first)
    assert not set(rows.findall(second)) & set(rows.findall(first))
    assert 'rel="prev"' not in again


def test_a_bad_cursor_is_a_chinese_error_not_a_500(sim: Simulation) -> None:  # noqa: F811
    client = _client(sim.town.people.supervisor)
    events = AuditEvent.objects.count()
    for name in ("after", "before"):
        response = client.get(DRILL, _params(figure="bad_reviews", **{name: "2026_1:forged"}))
        assert response.status_code == 422
        html = response.content.decode()
        assert 'data-code="stats.cursor"' in html
        assert "分页位置无效，请从第一页重新查看" in html
    assert AuditEvent.objects.count() == events


def test_api_pages_with_the_next_cursor(sim: Simulation, client: Client) -> None:  # noqa: F811
    first, last = _span()
    client.force_login(sim.town.people.admin)
    query = {"figure": "real_ratings", "start": first, "end": last, "limit": 2}
    ids: list[int] = []
    body = client.get(f"{API}/drilldown", query).json()
    while True:
        ids += body["evaluation_ids"]
        if body["next"] is None:
            break
        body = client.get(f"{API}/drilldown", {**query, "after": body["next"]}).json()
    assert ids == _newest_first(**VALID_REAL)
    bad = client.get(f"{API}/drilldown", {**query, "after": "nope"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "stats.cursor"


def test_iterate_reads_every_row_in_keyset_chunks(sim: Simulation) -> None:  # noqa: F811
    first, last = _span()
    qs = drill.rows(actor_for_user(sim.town.people.admin), figure="real_ratings",
                    start=first, end=last)
    lines = list(drill.iterate(qs, ["pk", "level"], chunk=2))
    expected = _newest_first(**VALID_REAL)
    assert [pk for pk, _ in lines] == expected
    assert len(expected) > 2 * 3  # several chunks were read


def test_an_export_above_the_bound_is_refused(sim: Simulation, client: Client,  # noqa: F811
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    first, last = _span()
    monkeypatch.setitem(exports.EXPORT_MAX_ROWS, "csv", 5)
    client.force_login(sim.town.people.supervisor)
    events = AuditEvent.objects.count()
    response = client.get(f"{API}/exports/drilldown.csv",
                          {"figure": "real_ratings", "start": first, "end": last})
    assert response.status_code == 422
    assert "Content-Disposition" not in response
    assert response.json()["code"] == "stats.export_too_large"
    assert "导出记录超过 5 条" in response.json()["message"]
    assert AuditEvent.objects.count() == events
