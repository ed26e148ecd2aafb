"""Search and sort of the drill-downs (issue 16): by 办件编号, 工单编号 or name as text, by
the rater's phone through a POST redirect (the phone never in a URL), newest or oldest
first with keyset paging both ways, a found count, exports hidden while searching, and
a department never finding another's rows."""

from __future__ import annotations

import html as htmllib
import re
import uuid
from typing import Any

import pytest
from django.test import Client

from haochaping.evaluations.models import Evaluation
from haochaping.handlings.models import Handling
from haochaping.stats.tests.test_drill_rows import (  # noqa: F401
    HANDLINGS,
    ORDERS,
    _follow,
    _params,
    _written,
    sim,
)
from haochaping.stats.tests.test_rollup_equals_raw import Simulation, town  # noqa: F401
from haochaping.stats.tests.test_views import _client, _drill_rows, refused_page
from haochaping.stats.views import drill as drill_view
from haochaping.vault import blind_index
from haochaping.workorders.models import WorkOrder

DRILL = "/work/stats/drill/"
ITEMS = "/work/stats/drill/items/"
PHONE = "13900001111"  # the second identity of the simulation (test_rollup_equals_raw)


def _found(html: str) -> int:
    found = re.search(r'data-testid="drill-found">(\d+)<', html)
    assert found, "a search shows the found count"
    return int(found[1])


def _get(client: Client, url: str, params: dict[str, Any]) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


def test_a_case_number_finds_its_handling_and_hides_the_exports(sim: Simulation) -> None:  # noqa: F811
    client = _client(sim.town.people.supervisor)
    handling = Handling.objects.filter(status="completed").order_by("pk").first()
    assert handling is not None
    html = _get(client, HANDLINGS, _params(figure="completed", q=handling.proj_no))
    rows = re.findall(r'data-handling="(\d+)"', html)
    assert str(handling.pk) in rows
    assert _found(html) == len(rows) == Handling.objects.filter(
        status="completed", proj_no__icontains=handling.proj_no).count()
    assert 'data-testid="export-hidden"' in html
    assert 'data-testid="export-drill"' not in html
    plain = _get(client, HANDLINGS, _params(figure="completed"))
    assert 'data-testid="export-drill"' in plain
    assert "drill-found" not in plain


def test_the_ratings_drill_finds_by_case_number(sim: Simulation) -> None:  # noqa: F811
    client = _client(sim.town.people.supervisor)
    rating = Evaluation.objects.filter(is_current=True, invalidated_at__isnull=True,
                                       is_default=False).select_related("handling").first()
    assert rating is not None
    assert rating.handling is not None
    html = _get(client, DRILL, _params(figure="real_ratings", q=rating.handling.proj_no))
    assert f'data-evaluation="{rating.public_id}"' in html
    assert _found(html) >= 1


def test_an_order_number_finds_its_order(sim: Simulation) -> None:  # noqa: F811
    client = _client(sim.town.people.supervisor)
    order = WorkOrder.objects.filter(kind="bad_review").order_by("-pk").first()
    assert order is not None
    html = _get(client, ORDERS, _params(figure="orders", q=order.number))
    assert re.findall(r'data-order-row="([0-9a-f-]+)"', html) == [str(order.public_id)]
    assert _found(html) == 1


def test_a_phone_is_searched_by_its_blind_index_through_a_post(sim: Simulation) -> None:  # noqa: F811
    client = _client(sim.town.people.supervisor)
    params = _params(figure="completed")
    response = client.post(HANDLINGS, {**params, "q": f"+86 {PHONE}"})
    assert response.status_code == 302
    target = response["Location"]
    assert PHONE not in target
    assert "q=" not in target
    assert f"ph={blind_index('phone', PHONE)}" in target
    assert "figure=completed" in target
    html = client.get(target).content.decode()
    mine = Handling.objects.filter(status="completed",
                                   rater__phone_index=blind_index("phone", PHONE))
    assert _found(html) == len(re.findall(r'data-handling="(\d+)"', html)) == mine.count()
    assert mine.exists()
    assert PHONE not in html
    assert 'data-testid="phone-search"' in html
    # a phone typed into the address is moved out of it at once
    typed = client.get(HANDLINGS, {**params, "q": PHONE})
    assert typed.status_code == 302
    assert PHONE not in typed["Location"]


def test_both_sorts_page_through_every_row(sim: Simulation) -> None:  # noqa: F811
    client = _client(sim.town.people.supervisor)
    newest_total, newest, page = _follow(client, HANDLINGS, _params(figure="completed"))
    oldest_total, oldest, _ = _follow(client, HANDLINGS, _params(figure="completed",
                                                                 sort="time"))
    assert newest_total == oldest_total == len(newest) > 20, "more than one page"
    assert oldest == newest[::-1]
    assert 'data-testid="sort-oldest"' in page
    # back from the second page of the oldest-first list is its first page
    first = _get(client, HANDLINGS, _params(figure="completed", sort="time"))
    after = re.search(r'href="\?([^"]+)" rel="next"', first)
    assert after
    second = client.get(f"{HANDLINGS}?{htmllib.unescape(after[1])}").content.decode()
    back = re.search(r'href="\?([^"]+)" rel="prev"', second)
    assert back
    assert "sort=time" in htmllib.unescape(back[1])
    again = client.get(f"{HANDLINGS}?{htmllib.unescape(back[1])}").content.decode()
    assert (re.findall(r'data-handling="(\d+)"', again)
            == re.findall(r'data-handling="(\d+)"', first))
    # orders and ratings sort both ways too
    for url, figure, mark in ((ORDERS, "orders", r'data-order-row="([0-9a-f-]+)"'),
                              (DRILL, "real_ratings", r'data-evaluation="([0-9a-f-]+)"')):
        down = re.findall(mark, _get(client, url, _params(figure=figure)))
        up = re.findall(mark, _get(client, url, _params(figure=figure, sort="time")))
        assert down
        assert up
        assert down[0] != up[0]


def test_another_department_finds_nothing(sim: Simulation) -> None:  # noqa: F811
    theirs = Handling.objects.filter(status="completed").exclude(
        org=sim.town.loc.market).first()
    assert theirs is not None
    client = _client(sim.town.people.handler)  # the market department
    html = _get(client, HANDLINGS, _params(figure="completed", q=theirs.proj_no))
    assert _found(html) == 0
    assert f'data-handling="{theirs.pk}"' not in html
    target = client.post(HANDLINGS, {**_params(figure="completed"), "q": PHONE})["Location"]
    html = client.get(target).content.decode()
    assert set(re.findall(r'data-handling="(\d+)"', html)) <= {
        str(pk) for pk in Handling.objects.filter(org=sim.town.loc.market)
        .values_list("pk", flat=True)}


def test_bad_search_input_is_a_chinese_message_never_a_5xx(sim: Simulation) -> None:  # noqa: F811
    client = _client(sim.town.people.supervisor)
    for url, figure in ((HANDLINGS, "completed"), (ORDERS, "orders"),
                        (DRILL, "real_ratings"), (ITEMS, "items_complaint")):
        for bad in ({"q": "x" * 500}, {"q": "'; drop table --"}, {"sort": "nonsense"},
                    {"ph": "not-a-hash"}, {"q": "差评-2026"}):
            response = client.get(url, _params(figure=figure, **bad))
            assert response.status_code == 200, (url, bad)
    refused_page(client, ITEMS, _params(figure="items_complaint", ph="ab" * 16),
                 "stats.search_phone", "诉求件明细不能按手机号查找", _written)
    refused_page(client, HANDLINGS, _params(figure="completed", after="bogus", sort="time"),
                 "stats.cursor", "分页位置无效", _written)


def test_ratings_sort_by_level_both_ways_through_every_page(
        sim: Simulation, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(drill_view, "PAGE_SIZE", 5)  # several pages of the simulation's
    client = _client(sim.town.people.supervisor)
    _, by_time = _drill_rows(client, _params(figure="real_ratings"))
    _, worst = _drill_rows(client, _params(figure="real_ratings", sort="level"))
    _, best = _drill_rows(client, _params(figure="real_ratings", sort="-level"))
    page = _get(client, DRILL, _params(figure="real_ratings"))
    worst_page = _get(client, DRILL, _params(figure="real_ratings", sort="level"))
    assert len(by_time) > 10, "several pages"
    assert len(worst) == len(best) == len(set(worst)) == len(by_time)
    assert set(worst) == set(best) == set(by_time)
    levels = dict(Evaluation.objects.filter(public_id__in=by_time)
                  .values_list("public_id", "level"))
    ranked = [levels[uuid.UUID(i)] for i in worst]
    assert ranked == sorted(ranked)
    assert ranked[0] < ranked[-1], "the simulation rates at several levels"
    assert [levels[uuid.UUID(i)] for i in best] == sorted(ranked, reverse=True)
    assert worst == best[::-1]  # ties by row, the same both ways
    # the page offers the four sorts and marks the chosen one
    assert 'data-testid="sort-worst"' in page
    assert 'data-testid="sort-best"' in page
    assert '<strong aria-current="true">差评在前</strong>' in worst_page
    # a cursor made for the time sort is refused under the level sort, never misread
    after = re.search(r'href="\?([^"]+)" rel="next"', page)
    assert after
    cursor = re.search(r"after=([^&]+)", htmllib.unescape(after[1]))
    assert cursor
    refused_page(client, DRILL, _params(figure="real_ratings", sort="level",
                                        after=cursor[1].replace("%3A", ":")),
                 "stats.cursor", "分页位置无效", _written)


def test_lists_without_levels_offer_only_the_time_sorts(sim: Simulation) -> None:  # noqa: F811
    client = _client(sim.town.people.supervisor)
    for url, figure in ((HANDLINGS, "completed"), (ORDERS, "orders"),
                        (ITEMS, "items_complaint")):
        html = _get(client, url, _params(figure=figure))
        assert 'data-testid="sort-oldest"' in html
        assert 'data-testid="sort-worst"' not in html
        # asked anyway, the list falls back to newest first
        assert (re.findall(r"data-(?:handling|order-row|item)=\"([^\"]+)\"",
                           _get(client, url, _params(figure=figure, sort="level")))
                == re.findall(r"data-(?:handling|order-row|item)=\"([^\"]+)\"", html))
