"""Headless-Chromium walk of 共性问题 (issue 15): three complaints of one cause on a
matter open a task; the department's handler submits evidence of a systemic fix with the
new guide attached; the office returns it once with a reason, then accepts it (销号);
another department's handler cannot open the task."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.problems.models import ProblemTask
from haochaping.problems.services import detect_run
from haochaping.problems.tests.conftest import file_items
from tests.browser.conftest import login

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FIX = "已修订食品经营许可办事指南，删除指南外的场地证明要求，新版指南本月起施行。"


def test_department_fixes_office_checks(browser: Any, live_server: Any,
                                        scene: SimpleNamespace,
                                        personas: SimpleNamespace) -> None:
    file_items(scene.loc, 3)
    [task] = detect_run(timezone.now())

    handler = login(browser, live_server, "handler", "/work/problems/")
    violations: list[str] = []
    handler.on("console", lambda m: violations.append(m.text)
               if "Content Security Policy" in m.text else None)
    assert "待整改共性问题" in handler.locator("[data-testid=counts]").inner_text()
    handler.click(f"tr[data-task='{task.pk}'] a")
    handler.wait_for_selector("[data-testid=evidence-form]")
    assert "诉求件 3 件" in handler.locator("[data-testid=signals]").inner_text()
    handler.select_option("[data-testid=evidence-form] select[name=kind]", "guide")
    handler.fill("[data-testid=evidence-form] textarea[name=text]", "已整改")
    handler.click("[data-testid=evidence-form] button[type=submit]")
    handler.wait_for_selector("[role=alert]")
    assert "不少于" in handler.locator("[role=alert]").inner_text()
    handler.fill("[data-testid=evidence-form] textarea[name=text]", FIX)
    handler.set_input_files("[data-testid=evidence-form] input[name=file]", files=[
        {"name": "新版办事指南.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    handler.click("[data-testid=evidence-form] button[type=submit]")
    handler.wait_for_selector("[data-testid=task][data-status=submitted]")
    assert "新版办事指南" in handler.locator("[data-testid=evidence]").inner_text()
    assert handler.locator("[data-testid=check-form]").count() == 0
    assert violations == []
    handler.context.close()

    office = login(browser, live_server, "supervisor", f"/work/problems/{task.pk}/")
    office.fill("[data-testid=check-form] textarea[name=note]", "请附新版指南的发布文号")
    office.click("[data-testid=check-form] button[value=return]")
    office.wait_for_selector("[data-testid=task][data-status=returned]")
    assert "请附新版指南的发布文号" in office.locator("[data-testid=evidence]").inner_text()
    assert ProblemTask.objects.get().status == "returned"
    office.context.close()

    again = login(browser, live_server, "handler", f"/work/problems/{task.pk}/")
    again.select_option("[data-testid=evidence-form] select[name=kind]", "guide")
    again.fill("[data-testid=evidence-form] textarea[name=text]",
               FIX + "发布文号：郑市监〔2026〕12号。")
    again.click("[data-testid=evidence-form] button[type=submit]")
    again.wait_for_selector("[data-testid=task][data-status=submitted]")
    again.context.close()

    office = login(browser, live_server, "supervisor", f"/work/problems/{task.pk}/")
    office.click("[data-testid=check-form] button[value=accept]")
    office.wait_for_selector("[data-testid=task][data-status=closed]")
    office.screenshot(path="/tmp/problem_task.png", full_page=True)
    office.goto("/work/problems/?status=closed")
    assert office.locator(f"tr[data-task='{task.pk}']").count() == 1
    office.context.close()

    other = login(browser, live_server, "outsider", "/work/problems/")
    assert other.locator(f"tr[data-task='{task.pk}']").count() == 0
    response = other.goto(f"/work/problems/{task.pk}/")
    assert response is not None
    assert response.status == 404
    other.context.close()
