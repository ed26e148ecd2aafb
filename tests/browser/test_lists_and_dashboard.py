"""Headless-Chromium checks of a staff list (the phone invitations: search by phone
without the number in the address bar, sort by a column header) and of the dashboard
(the last complete period, the org tree's search box), each at 1280 and 390 px without
sideways scrolling (issue 16). SQLite pass only."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.stats import periods
from tests.browser.conftest import PHONE_VIEWPORT, VIEWPORT, login

pytestmark = pytest.mark.browser
WIDTHS = [VIEWPORT, PHONE_VIEWPORT]
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def invitations(scene: SimpleNamespace, personas: SimpleNamespace) -> list[Any]:
    from haochaping.catalog.models import PolicyOverride
    from haochaping.evaluations.tests import factories as ef

    PolicyOverride.objects.create(org=None, key="phone_invitation", value=True)
    other = ef.make_rater(id_no="110105198001010016", phone="13900001111", name="李四")
    first = scene.handling()
    second = ef.make_handling(scene.loc, client=first.client, rater=other)
    return [first, second, scene.handling()]


@pytest.mark.parametrize("viewport", WIDTHS, ids=["1280", "390"])
def test_phone_list_search_and_sort(browser: Any, live_server: Any, invitations: list[Any],
                                    viewport: dict[str, int]) -> None:
    tab = login(browser, live_server, "supervisor", "/work/phone/", viewport)
    assert tab.locator("[data-testid=phone-list] tbody tr").count() == 3
    assert tab.evaluate(NO_SIDEWAYS)
    tab.fill("input[name=q]", "139 0000 1111")
    tab.click("form[role=search] button[type=submit]")
    tab.wait_for_load_state("networkidle")
    assert "ph=" in tab.url
    assert "1390000" not in tab.url
    rows = tab.locator("[data-testid=phone-list] tbody tr")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-handling") == str(invitations[1].pk)
    assert tab.locator("[data-testid=phone-search]").is_visible()
    tab.goto("/work/phone/")
    tab.click("th >> text=办件编号")
    tab.wait_for_load_state("networkidle")
    tab.click("th >> text=办件编号")  # again: the other way
    tab.wait_for_load_state("networkidle")
    assert "sort=-proj" in tab.url
    shown = [tab.locator("[data-testid=phone-list] tbody tr").nth(i)
             .get_attribute("data-handling") for i in range(3)]
    assert shown == [str(h.pk) for h in sorted(invitations, key=lambda h: h.proj_no,
                                                reverse=True)]
    assert tab.evaluate(NO_SIDEWAYS)


@pytest.mark.parametrize("viewport", WIDTHS, ids=["1280", "390"])
def test_dashboard_fits_and_opens_on_the_last_whole_months(
        browser: Any, live_server: Any, scene: SimpleNamespace, personas: SimpleNamespace,
        viewport: dict[str, int]) -> None:
    tab = login(browser, live_server, "supervisor", "/work/stats/", viewport)
    end = periods.last_complete(timezone.localdate(), periods.Period.MONTH)
    assert tab.input_value("input[name=end]") == end.isoformat()
    assert end < timezone.localdate()
    assert end + timedelta(days=1) == periods.bucket_start(timezone.localdate(),
                                                           periods.Period.MONTH)
    assert "数据更新于" in tab.inner_text("[data-testid=updated-at]")
    tab.wait_for_load_state("networkidle")
    assert tab.evaluate(NO_SIDEWAYS)
    tab.fill("input[data-org-filter]", scene.loc.market.name)
    visible = tab.evaluate("() => Array.from(document.querySelectorAll("
                           "'[data-testid=org-tree] option')).filter(o => !o.hidden)"
                           ".map(o => o.dataset.name || '')")
    assert scene.loc.market.name in visible
    assert all(not name or scene.loc.market.name in name for name in visible)


def test_workbench_department_filter_is_a_searchable_tree(
        browser: Any, live_server: Any, scene: SimpleNamespace,
        personas: SimpleNamespace) -> None:
    tab = login(browser, live_server, "supervisor", "/work/orders/", PHONE_VIEWPORT)
    options = "select[name=org] option[data-name]"
    names = tab.evaluate(f"() => Array.from(document.querySelectorAll('{options}'))"
                         ".map(o => o.textContent)")
    assert len(names) > 1
    assert any(n.startswith("\u3000") for n in names)  # indented under its parent
    tab.fill("input[data-org-filter=org]", scene.loc.market.name)
    visible = tab.evaluate(f"() => Array.from(document.querySelectorAll('{options}'))"
                           ".filter(o => !o.hidden).map(o => o.dataset.name)")
    assert visible == [scene.loc.market.name]
    assert tab.url.endswith("/work/orders/")  # the search box is never submitted
    tab.select_option("select[name=org]", str(scene.loc.market.pk))
    tab.click("form[role=search] button[type=submit]")
    tab.wait_for_load_state("networkidle")
    assert f"org={scene.loc.market.pk}" in tab.url
    assert tab.evaluate(NO_SIDEWAYS)
