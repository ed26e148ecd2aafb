"""The Content-Security-Policy holds on real pages (issue 17): scripts only from this
site's files, and nothing the pages need is blocked — htmx, ECharts and the API docs
run, and Chromium reports no violation."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser
PAGES = ("/", "/work/stats/", "/work/orders/console/", "/work/complaints/",
         "/api/v1/docs", "/admin/", "/tousu/")


def test_pages_run_under_the_policy_without_violations(browser: Any, live_server: Any,
                                                       transactional_db: Any,
                                                       personas: SimpleNamespace) -> None:
    tab = login(browser, live_server, "supervisor", "/")
    violations: list[str] = []
    tab.on("console", lambda m: violations.append(m.text)
           if "Content Security Policy" in m.text else None)
    for url in PAGES:
        response = tab.goto(url)
        assert response is not None
        header = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in header, url
        assert "frame-ancestors 'none'" in header, url
        tab.wait_for_load_state("networkidle")
        if url == "/work/complaints/":  # a staff page: its own htmx ran
            assert tab.evaluate("typeof window.htmx") == "object"
    tab.goto("/api/v1/docs")
    tab.wait_for_selector(".swagger-ui", timeout=15_000)  # served locally, not from a CDN
    assert "cdn." not in tab.content()
    assert violations == []
    # An inline script injected into a page is refused (what the policy is for).
    tab.goto("/")
    tab.evaluate("""() => { const s = document.createElement('script');
                           s.textContent = 'window.__injected = 1';
                           document.body.appendChild(s); }""")
    assert tab.evaluate("window.__injected === undefined")
