"""Headless-Chromium checks of issue 16's staff part: each role logs in and lands on its
own home (its own work, its navigation); the notification flow (an order dispatched → the
handler sees the unread count → opens it → read); the order page's stepper and next
steps; the top navigation collapsed at 390 px. SQLite pass only."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.catalog.rules.standards import Channel
from haochaping.core.engine.worker import drain
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.notify.models import InboxItem
from haochaping.workorders.models import WorkOrder
from tests.browser.conftest import PHONE_VIEWPORT, login

pytestmark = pytest.mark.browser


def _bad_review(scene: SimpleNamespace) -> WorkOrder:
    evaluation_submit(handling=scene.handling(), channel=Channel.WEB,
                      rating=RatingInput(1, reason_codes=["108"], text="多次被要求补充材料"))
    drain()  # the worker opens the work order (and tells the department)
    return WorkOrder.objects.get()


HOMES = [
    ("supervisor", "home-cards", "监管控制台"),
    ("handler", "home-orders", "我的工单"),
    ("head", "home-orders", "我的工单"),
    ("window", "home-standing", "首页"),
    ("auditor", "home-readable", "统计看板"),
    ("admin", "home-admin", "数据上报"),
    ("security", "home-admin", "个人信息清单"),
    ("audit_admin", "home-admin", "个人信息清单"),
]


@pytest.mark.parametrize(("username", "section", "nav_label"), HOMES)
def test_each_role_lands_on_its_own_home(browser: Any, live_server: Any,
                                         scene: SimpleNamespace, personas: SimpleNamespace,
                                         username: str, section: str, nav_label: str) -> None:
    order = _bad_review(scene)
    tab = login(browser, live_server, username, "/")
    tab.wait_for_selector(f"[data-testid={section}]")
    assert tab.locator("[data-testid=topnav]").get_by_text(nav_label, exact=True).count() >= 1
    text = tab.inner_text("main")
    assert ef.PHONE not in tab.content()
    if username in ("handler", "head"):
        assert order.number in text
    if username == "window":
        assert "我收到的评价" in text
        assert "非常不满意" in tab.inner_text("[data-testid=my-ratings]")
        assert "工单" not in tab.inner_text("[data-testid=topnav]")
    if username == "supervisor":
        assert tab.locator("[data-testid=card][data-label=派单改派]").inner_text().startswith("1")
    tab.screenshot(path=f"/tmp/hcp_home_{username}.png", full_page=True)


def test_the_handler_is_told_of_a_new_order_and_reads_it(
        browser: Any, live_server: Any, scene: SimpleNamespace,
        personas: SimpleNamespace) -> None:
    tab = login(browser, live_server, "handler", "/")
    assert tab.locator("[data-testid=unread-count]").count() == 0
    order = _bad_review(scene)
    tab.reload()
    assert tab.inner_text("[data-testid=unread-count]") == "1"
    tab.click("[data-testid=inbox-bell]")
    tab.wait_for_url("**/work/inbox/")
    assert tab.locator("[data-testid=unread-mark]").count() == 1
    tab.click(f"[data-testid=inbox-open]:has-text('{order.number}')")
    tab.wait_for_url(f"**/work/orders/{order.pk}/")
    assert tab.locator("[data-testid=unread-count]").count() == 0  # read
    assert InboxItem.objects.get(user=personas.handler).read_at is not None
    # The order page: where it stands and the one next step.
    assert tab.inner_text("[data-testid=stepper] [aria-current=step]") == "待签收"
    assert tab.locator("[data-testid=next-actions] form[data-form=sign]").count() == 1
    tab.click("form[data-form=sign] button[type=submit]")
    tab.wait_for_selector("[data-testid=stepper] [aria-current=step]:has-text('办理中')")
    assert "已签收" in tab.inner_text(".messages")
    assert tab.locator("[data-testid=reply-blocker]").count() == 1
    assert not tab.locator("details.more-actions").get_attribute("open")
    tab.screenshot(path="/tmp/hcp_order_stepper.png", full_page=True)


def test_the_top_navigation_collapses_on_a_phone(browser: Any, live_server: Any,
                                                 scene: SimpleNamespace,
                                                 personas: SimpleNamespace) -> None:
    tab = login(browser, live_server, "supervisor", "/", viewport=PHONE_VIEWPORT)
    assert not tab.locator("[data-testid=topnav]").is_visible()
    tab.click("[data-testid=nav-toggle]")
    assert tab.locator("[data-testid=topnav]").is_visible()
    tab.locator("[data-testid=topnav]").get_by_text("监管控制台").click()
    tab.wait_for_url("**/work/orders/console/")
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
