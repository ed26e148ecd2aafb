"""Headless-Chromium check of the reconciliation report (对账, under 数据上报): the office
goes from 数据上报 to a remote's days, opens the day with a planted difference, finds it
listed first with the counts side by side, and re-sends the missing records in one click."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.exchange.models import OutboxRecord
from haochaping.exchange.tests.count_remote import check_today, counting_remote, rate
from haochaping.exchange.tests.support import deliver
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_the_office_finds_the_difference_and_resends_it(
        browser: Any, live_server: Any, scene: SimpleNamespace, personas: SimpleNamespace,
        monkeypatch: pytest.MonkeyPatch) -> None:
    world = SimpleNamespace(handling=scene.handling)
    with counting_remote(monkeypatch, kinds=["rating"]) as (fake, remote):
        lost, kept = rate(world), rate(world)
        other = rate(world, org=scene.loc.district_hr)
        deliver()
        fake.forget(f"rating:{lost.pk}:saved:1")
        run = check_today(remote)
        day = run.day.isoformat()

        tab = login(browser, live_server, "supervisor", "/work/exchange/")
        tab.click(f"tr[data-remote='{remote.name}'] [data-testid=reconcile]")
        tab.wait_for_url(f"**/work/exchange/{remote.pk}/reconcile/")
        assert tab.inner_text(f"tr[data-day='{day}'] [data-testid=differences]") == "1"
        tab.click(f"tr[data-day='{day}'] a")
        tab.wait_for_url(f"**/reconcile/{day}/")
        first = tab.locator("tr[data-check]").first
        assert first.get_attribute("data-org") == "MARKET"
        assert [first.locator(f"[data-testid={n}]").inner_text() for n in
                ("sent", "acked", "remote")] == ["2", "2", "1"]
        assert "平台少于本地" in first.locator("[data-testid=verdict]").inner_text()
        assert tab.locator("tr[data-check]").nth(1).get_attribute("data-verdict") == "match"

        first.locator("[data-testid=resend]").click()
        assert "已重新排队 2 条记录" in tab.inner_text("[data-testid=resent]")
        statuses = dict(OutboxRecord.objects.filter(remote=remote).values_list(
            "object_id", "status"))
    assert statuses == {lost.pk: "pending", kept.pk: "pending", other.pk: "acked"}
