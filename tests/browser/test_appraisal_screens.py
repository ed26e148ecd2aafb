"""Headless-Chromium walk of 绩效考核 (issue 15): the office creates a quarterly sheet of
its departments, runs it for an ended quarter, reviews the table and publishes it (the
hash shown is the stored one and verifies); a department head cannot open it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.appraisal.models import PublishedReview, ReviewRun
from haochaping.appraisal.tests.conftest import world  # noqa: F401  (the fixture)
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_office_runs_and_publishes_a_review(browser: Any, live_server: Any,
                                            transactional_db: Any,
                                            world: SimpleNamespace) -> None:  # noqa: F811
    office = login(browser, live_server, "supervisor", "/work/appraisal/")
    office.fill("input[name=title]", "部门季度考核")
    office.select_option("select[name=subject_kind]", "org")
    office.select_option("select[name=period_kind]", "quarter")
    office.check("input[name=use_satisfaction]")
    office.fill("input[name=weight_satisfaction]", "100")
    office.check("input[name=use_overdue_orders]")
    office.fill("input[name=deduction_overdue_orders]", "2")
    office.click("[data-testid=sheet-form] button[type=submit]")
    office.wait_for_selector("[data-testid=run-form]")
    office.select_option("select[name=year]", "2026")
    office.select_option("select[name=quarter]", "3")
    office.click("[data-testid=run-form] button[type=submit]")
    office.wait_for_selector("[data-testid=publish-form]")
    table = office.locator("[data-testid=rows]").inner_text()
    assert table.index("郑州市市场监督管理局") < table.index("金水区人力资源和社会保障局")
    assert office.locator("tr[data-bottom]").count() == 1
    office.click("[data-testid=publish-form] button[type=submit]")
    office.wait_for_selector("[data-testid=hash]")
    review = PublishedReview.objects.get()
    assert office.locator("[data-testid=hash]").inner_text() == review.sha256
    assert "校验通过" in office.locator("[data-testid=verified]").inner_text()
    assert office.locator("[data-testid=publish-form]").count() == 0
    office.screenshot(path="/tmp/appraisal_run.png", full_page=True)

    run = ReviewRun.objects.get()
    head = login(browser, live_server, "head", f"/work/appraisal/runs/{run.pk}/")
    assert "仅限政务服务管理机构" in head.content()
    assert "金水区人力资源和社会保障局" not in head.content()
