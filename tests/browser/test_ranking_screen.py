"""Headless-Chromium walk of the ranking screen: the supervising office opens it from the
dashboard navigation, a wrong sum of weights is refused in Chinese, then a weight changed
through the form is in force, ranks anew and shows in the audit log."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command

from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.stats import ranking
from tests.browser.conftest import login

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1400, "height": 1000}


def test_the_office_changes_a_weight_through_the_form(
        browser: Any, live_server: Any, scene: SimpleNamespace,
        personas: SimpleNamespace) -> None:
    for level in (5, 4, 2):
        evaluation_submit(handling=scene.handling(), channel=Channel.WEB,
                          rating=RatingInput(level, reason_codes=["108"] if level <= 2 else [],
                                             text="等候时间长" if level <= 2 else ""))
    call_command("stats_rebuild", stdout=None)

    tab = login(browser, live_server, "supervisor", "/work/stats/", VIEWPORT)
    tab.click("[data-testid=nav-ranking]")
    tab.wait_for_url("**/work/stats/ranking/")
    assert "最近一个已结束的统计期" in tab.inner_text("[data-testid=updated-at]")
    from django.utils import timezone

    tab.goto(f"/work/stats/ranking/?day={timezone.localdate().isoformat()}")  # this month
    market = tab.locator(f"tr[data-code={scene.loc.market.code}]")
    assert "样本不足" in market.inner_text()  # 3 ratings, minimum sample 10

    form = tab.locator("[data-testid=weights-form]")
    form.locator("input[name=satisfaction]").fill("60")  # sum 110: refused
    form.locator("button[type=submit]").click()
    error = tab.locator("[data-testid=error]")
    assert "各项权重之和须为 100" in error.inner_text()
    assert "未保存任何修改" in error.inner_text()
    assert not AuditEvent.objects.filter(action="stats.ranking_weights_set").exists()

    form = tab.locator("[data-testid=weights-form]")
    form.locator("input[name=satisfaction]").fill("40")
    form.locator("input[name=participation]").fill("30")
    form.locator("input[name=min_sample]").fill("1")
    form.locator("button[type=submit]").click()
    tab.wait_for_selector("text=排名权重已保存")
    assert ranking.current_weights().satisfaction == 40
    event = AuditEvent.objects.get(action="stats.ranking_weights_set")
    assert event.actor_label == (personas.supervisor.get_full_name() or "supervisor")
    assert (event.after or {})["satisfaction"] == 40
    assert (event.before or {})["satisfaction"] == 50
    history = tab.locator(f"[data-testid=weight-history] tr[data-seq='{event.seq}']")
    assert "满意率 40" in history.inner_text()
    market = tab.locator(f"tr[data-code={scene.loc.market.code}]")
    assert market.locator("td").first.inner_text() == "1"  # ranked now (minimum sample 1)
    assert tab.locator("input[name=satisfaction]").input_value() == "40"
    tab.screenshot(path="/tmp/stats_ranking.png", full_page=True)
