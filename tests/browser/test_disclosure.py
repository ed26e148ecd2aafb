"""Headless-Chromium accessibility walk of the public 公示专栏 pages: Chinese language
tag, tables with captions and header cells, everything reachable with the Tab key."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.stats import rollup, tasks
from haochaping.stats.models import EvaluationRollup
from tests.browser.conftest import new_tab

pytestmark = pytest.mark.browser
PAGES = ["/gongshi/", "/gongshi/paiming/?period=month&at=2026-09",
         "/gongshi/zhenggai/?period=month&at=2026-09", "/gongshi/anli/", "/gongshi/koujing/"]
TABLES = """() => Array.from(document.querySelectorAll('table')).map(t => ({
  caption: (t.caption && t.caption.textContent.trim()) || '',
  headers: t.querySelectorAll('th[scope]').length}))"""
FOCUSED = "() => { const e = document.activeElement; return [e.tagName, e.textContent.trim()]; }"


@pytest.fixture
def rolled_up(scene: SimpleNamespace) -> SimpleNamespace:
    loc = scene.loc
    EvaluationRollup.objects.create(day=date(2026, 9, 10), org=loc.market, matter=loc.matter,
                                    hall=loc.hall, window=loc.window, channel="web",
                                    level_5=11, level_1=1)
    rollup.derive_all()  # the coarse roll-ups the rankings read
    published = datetime(2026, 10, 1, 2, 0, tzinfo=SHANGHAI)
    tasks.ranking_snapshots.call(published.isoformat())
    return scene


@pytest.mark.parametrize("url", PAGES)
def test_disclosure_page_is_accessible(browser: Any, live_server: Any,
                                       rolled_up: SimpleNamespace, url: str) -> None:
    tab = new_tab(browser, live_server, viewport={"width": 1280, "height": 900})
    response = tab.goto(url)
    assert response is not None
    assert response.status == 200
    assert tab.evaluate("() => document.documentElement.lang") == "zh-Hans"
    assert tab.locator("main h1").count() == 1
    assert tab.locator("header nav").count() == 1
    for table in tab.evaluate(TABLES):
        assert table["caption"]
        assert table["headers"] > 0
    reached = []
    for _ in range(10):  # skip link, site name, the section's seven links, …
        tab.keyboard.press("Tab")
        reached.append(tab.evaluate(FOCUSED))
    assert ["A", "跳到正文"] in reached
    assert ["A", "综合排名"] in reached
    assert ["A", "指标口径"] in reached
    tab.context.close()


def test_ranking_table_lists_the_department(browser: Any, live_server: Any,
                                           rolled_up: SimpleNamespace) -> None:
    tab = new_tab(browser, live_server)
    tab.goto("/gongshi/paiming/?period=month&at=2026-09")
    row = tab.locator("table.data tbody tr").first
    assert row.locator("th[scope=row]").inner_text() == rolled_up.loc.market.name
    assert row.locator("td").first.inner_text() == "1"
    tab.context.close()
