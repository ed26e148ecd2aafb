"""Headless-Chromium checks of the staff screens (Debian's /usr/bin/chromium, never a
downloaded browser). Run in the SQLite pass; scripts/test.sh skips them on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests import factories as f

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/hcp_home_supervisor.png")  # for a person to look at; not committed


@pytest.fixture
def page(browser: Any, live_server: Any, transactional_db: Any) -> Iterator[Any]:
    # A Chinese browser: Accept-Language zh-CN, as the offices' computers send.
    context = browser.new_context(locale="zh-CN", base_url=live_server.url,
                                  viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


@pytest.fixture
def catalog(personas: SimpleNamespace, locality: SimpleNamespace) -> SimpleNamespace:
    """The conftest locality plus a district matter, so scopes differ in matter counts."""
    f.make_matter(locality.district_hr, name="城乡居民养老保险待遇申领", category="payment")
    f.make_matter(locality.market, name="营业执照设立登记", category="licensing")
    return personas


def _login(page: Any, username: str, password: str = f.STRONG_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _count(page: Any, name: str) -> str:
    return str(page.inner_text(f"[data-testid=count-{name}]")).strip()


def test_supervisor_sees_counts_searches_and_logs_out(page: Any,
                                                      catalog: SimpleNamespace) -> None:
    _login(page, "supervisor")
    assert page.url.endswith("/")
    page.click("[data-testid=nav-more] summary")  # 更多: the office's less daily screens
    page.click("[data-testid=topnav] >> text=服务目录")
    page.wait_for_url("**/work/catalog/")
    assert "服务目录" in page.inner_text("h1")
    assert page.inner_text("[data-testid=role]") == "政务服务管理机构"
    assert page.inner_text("[data-testid=org]") == "郑州市政务服务局"
    assert [_count(page, n) for n in ("orgs", "halls", "windows", "staff", "matters")] == [
        "4", "1", "1", "1", "3"]
    assert page.inner_text("[data-testid=matter-total]").startswith("共 3 项")

    page.fill("input[name=q]", "养老")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=matter-total]')"
        ".innerText.startsWith('共 1 项')")
    table = page.inner_text("#matter-table")
    assert "城乡居民养老保险待遇申领" in table
    assert "营业执照设立登记" not in table
    assert page.url.endswith("/work/catalog/")  # htmx swapped the table; no reload

    page.select_option("select[name=category]", "licensing")
    page.fill("input[name=q]", "")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=matter-total]')"
        ".innerText.startsWith('共 2 项')")
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.click("text=退出")
    page.wait_for_load_state("networkidle")
    page.goto("/")  # logged out: the public home, which links the staff login
    assert page.locator("a[href^='/accounts/login/']").count() >= 1
    assert "退出" not in page.inner_text("header")


def test_handler_sees_only_its_subtree(page: Any, catalog: SimpleNamespace) -> None:
    _login(page, "handler")
    page.goto("/work/catalog/")
    assert page.inner_text("[data-testid=org]") == "郑州市市场监督管理局"
    assert [_count(page, n) for n in ("orgs", "halls", "windows", "staff", "matters")] == [
        "1", "0", "1", "1", "2"]
    page.fill("input[name=q]", "养老")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=matter-total]')"
        ".innerText.startsWith('共 0 项')")
    assert "没有符合条件的事项" in page.inner_text("#matter-table")


def test_admin_index_is_in_chinese(page: Any, catalog: SimpleNamespace) -> None:
    _login(page, "admin")
    page.goto("/admin/")
    text = page.inner_text("body")
    assert "政务服务“好差评”" in text
    assert "系统管理" in text
    assert "最近动作" in text
    assert page.get_attribute("html", "lang") == "zh-hans"


def test_wrong_password_shows_the_chinese_error(page: Any, catalog: SimpleNamespace) -> None:
    _login(page, "supervisor", "Wrong-Password-1!")
    assert "/accounts/login/" in page.url
    assert re.search("用户名或密码错误", page.inner_text("[role=alert]"))
