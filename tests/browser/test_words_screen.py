"""Headless Chromium at phone width on the office's word-list screen (过滤词表): switch
category, add a word (htmx swap), disable it, try a text; the page never scrolls
sideways."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.audit.models import AuditEvent
from haochaping.complaints.models import FilterWord
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_the_office_keeps_the_lists_on_a_phone(browser: Any, live_server: Any,
                                               transactional_db: Any,
                                               personas: SimpleNamespace) -> None:
    tab = login(browser, live_server, "supervisor", "/work/complaints/words/", viewport=PHONE)
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    tab.locator("[data-tab=out_of_scope]").click()
    tab.wait_for_url("**/work/complaints/words/?category=out_of_scope")

    form = tab.get_by_test_id("add")
    form.locator("select[name=reason]").select_option("litigation")
    form.locator("input[name=word]").fill("判决太不公平")
    form.locator("select[name=strength]").select_option("hit")
    form.locator("button[type=submit]").click()
    tab.get_by_test_id("done").wait_for()
    assert "判决太不公平" in tab.get_by_test_id("words").inner_text()
    row = FilterWord.objects.get(word="判决太不公平")
    assert (row.reason, row.strength, row.is_active) == ("litigation", "hit", True)

    tab.locator(f"tr[data-word='{row.pk}'] button[data-action=disable]").click()
    tab.locator(f"tr[data-word='{row.pk}'] button[data-action=enable]").wait_for()
    row.refresh_from_db()
    assert not row.is_active
    assert AuditEvent.objects.filter(action="complaint.filter_word_disable").count() == 1

    tab.locator(f"tr[data-word='{row.pk}'] button[data-action=enable]").click()
    tab.locator(f"tr[data-word='{row.pk}'] button[data-action=disable]").wait_for()
    tab.get_by_test_id("try").locator("textarea[name=text]").fill(
        "法院这个判决太不公平，请你们出面。")
    tab.get_by_test_id("try").locator("button[type=submit]").click()
    verdict = tab.get_by_test_id("verdict")
    verdict.wait_for()
    assert verdict.get_attribute("data-decision") == "refuse"
    assert "不予受理" in verdict.inner_text()
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
