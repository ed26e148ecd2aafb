"""Shared fixtures of the headless-Chromium tests: Debian's /usr/bin/chromium driven by
Playwright (never a downloaded browser), one browser per session, pages in Chinese."""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NoReturn

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PHONE_VIEWPORT = {"width": 390, "height": 844}
PAD_VIEWPORT = {"width": 1280, "height": 800}
# speechSynthesis, recorded instead of spoken (headless Chromium has no audio).
SPEECH_STUB = """
window.__spoken = [];
Object.defineProperty(window, "speechSynthesis", {value: {
  speak: function (u) { window.__spoken.push(u.text); }, cancel: function () {}}});
"""


def _missing(reason: str) -> NoReturn:
    """No browser: a failure where the browser tests are required (``.ci/run`` sets
    HCP_REQUIRE_BROWSER=1), a skip with a notice on a developer's machine."""
    if os.environ.get("HCP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; browser tests are required here (HCP_REQUIRE_BROWSER=1)",
                    pytrace=False)
    pytest.skip(f"{reason} (set HCP_REQUIRE_BROWSER=1 to make this a failure)")


def _playwright_or_skip() -> Any:
    if not CHROMIUM.exists():
        _missing(f"no {CHROMIUM}: install Debian's chromium (`make browser`)")
    try:
        return importlib.import_module("playwright.sync_api")
    except ImportError:
        _missing("Playwright is not installed (requirements/dev.txt)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_api = _playwright_or_skip()
    # Playwright's sync API keeps an event loop in this thread; the ORM calls of the
    # fixtures and of live_server's teardown are still synchronous and safe here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                  headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


_open_contexts: list[Any] = []


@pytest.fixture(autouse=True)
def _close_contexts() -> Iterator[None]:
    """Close every context a test opened, even when it failed, so that no page keeps
    polling or holds a keep-alive connection to the live server after its test: the
    server's request thread would otherwise close the shared SQLite connection later,
    from the wrong thread, in whatever test runs then."""
    yield
    while _open_contexts:
        context = _open_contexts.pop()
        with contextlib.suppress(Exception):  # already closed by the test
            context.close()


def new_tab(browser: Any, live_server: Any, **options: Any) -> Any:
    """A page in a fresh context, as a Chinese browser (Accept-Language zh-CN) sends."""
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, **options)
    _open_contexts.append(context)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return tab


VIEWPORT = {"width": 1280, "height": 900}


def login(browser: Any, live_server: Any, username: str, next_url: str,
          viewport: dict[str, int] | None = None) -> Any:
    """A desktop tab logged in as ``username`` (password: testing.STRONG_PASSWORD), on
    ``next_url``."""
    from tests import factories as testing

    tab = new_tab(browser, live_server, viewport=viewport or VIEWPORT)
    tab.goto(f"/accounts/login/?next={next_url}")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", testing.STRONG_PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(f"**{next_url}")
    return tab


@pytest.fixture
def scene(locality: SimpleNamespace, transactional_db: Any) -> SimpleNamespace:
    """A rater and a factory of their handlings at the locality's window."""
    from django.core.cache import cache

    from haochaping.evaluations.tests import factories as ef

    cache.clear()
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    rater = ef.make_rater()

    def handling(**kw: Any) -> Any:
        return ef.make_handling(locality, client=source, rater=rater, **kw)

    return SimpleNamespace(loc=locality, rater=rater, handling=handling)


def publish_september(loc: SimpleNamespace) -> None:
    """A September of ratings at the locality's window, rolled up and its ranking published
    on 1 October: the public ranking and dashboard pages have a period to show."""
    from datetime import date, datetime

    from haochaping.catalog.rules.calendar import SHANGHAI
    from haochaping.stats import rollup, tasks
    from haochaping.stats.models import EvaluationRollup

    EvaluationRollup.objects.create(day=date(2026, 9, 10), org=loc.market, matter=loc.matter,
                                    hall=loc.hall, window=loc.window, channel="web",
                                    level_5=11, level_1=1)
    rollup.derive_all()
    tasks.ranking_snapshots.call(datetime(2026, 10, 1, 2, 0, tzinfo=SHANGHAI).isoformat())
