"""Shared fixtures: a small locality and one persona per role.

Tree:  市政务服务局 (supervising, city)
         ├── 市市场监督管理局 (handling)  ── 金水区政务服务局 is elsewhere
         └── 区政务服务局 (supervising, county) └── 区人社局 (handling)
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from tests import factories as f


def _flushes_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool({"transactional_db", "live_server"} & fixtures) or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """A transactional test ends with a flush that also empties the rows data migrations
    loaded; put them back so the next test sees a migrated database."""
    yield
    # After the last test the test database is already gone (session teardown).
    if nextitem is not None and _flushes_database(item):
        from pytest_django.plugin import blocking_manager_key

        from haochaping.core.reference_data import ensure_reference_data
        from tests.records import install_record_triggers

        with item.config.stash[blocking_manager_key].unblock():
            install_record_triggers()  # lifted for the flush by _records_flushable
            ensure_reference_data()


# Fixtures through which a test reaches a database: Django's test database, or a scratch
# database of the pass's backend (the worker-kill tests).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences",
                     "django_db_serialized_rollback", "live_server", "scratch_db"}


def _reaches_a_database(item: pytest.Item) -> bool:
    return bool(item.get_closest_marker("django_db")) or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def _on_postgres() -> bool:
    from django.conf import settings

    return str(settings.DATABASES["default"]["ENGINE"]).endswith("postgresql")


def _deselect(config: pytest.Config, items: list[pytest.Item],
              leave: Callable[[pytest.Item], bool]) -> None:
    gone = [item for item in items if leave(item)]
    if gone:
        config.hook.pytest_deselected(items=gone)
        items[:] = [item for item in items if not leave(item)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Which pass runs what. scripts/test.sh runs the suite twice; each test belongs to
    one pass by its marker, so a test leaves a pass by deselection, never by a skip that a
    regression could also cause (issue 12)."""
    test_pass = os.environ.get("HCP_TEST_PASS", "")
    if test_pass == "sqlite":
        # PostgreSQL-only tests (marker ``postgres``) run in the PostgreSQL pass.
        _deselect(config, items, lambda item: item.get_closest_marker("postgres") is not None)
    if test_pass == "postgresql":
        # Browser tests run in the SQLite pass only; a test that reaches no database
        # (pure rules, property tests, crypto, CLI help) answers the same on every backend
        # and ran there too.
        _deselect(config, items, lambda item: "browser" in item.keywords
                  or not _reaches_a_database(item))


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("HCP_TEST_PASS") == "postgresql" and not _on_postgres():
        raise pytest.UsageError("the PostgreSQL pass (HCP_TEST_PASS=postgresql) runs on "
                                "another database: check DATABASE_URL")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A PostgreSQL-only test outside a PostgreSQL run: skipped with a notice on a
    developer's machine, an error where PostgreSQL is required (HCP_REQUIRE_POSTGRES=1)."""
    if item.get_closest_marker("postgres") is not None and not _on_postgres():
        if os.environ.get("HCP_REQUIRE_POSTGRES") == "1":
            pytest.fail("needs PostgreSQL, which is required here (HCP_REQUIRE_POSTGRES=1); "
                        "set DATABASE_URL", pytrace=False)
        pytest.skip("needs PostgreSQL: set DATABASE_URL (scripts/test.sh runs it there)")


@pytest.fixture
def postgres_bindir() -> Any:
    """The directory of PostgreSQL's server programs (``initdb``, ``pg_ctl``), for the test
    that crashes a private cluster (tests/integration/test_postgres_crash.py): skipped with
    a notice where they are missing, an error where PostgreSQL is required
    (HCP_REQUIRE_POSTGRES=1)."""
    from pathlib import Path

    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if found:
        return found[-1].parent
    notice = "needs PostgreSQL's server programs (initdb, pg_ctl in /usr/lib/postgresql/*/bin)"
    if os.environ.get("HCP_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{notice}, required here (HCP_REQUIRE_POSTGRES=1)", pytrace=False)
    pytest.skip(notice)


@pytest.fixture
def locality(db: Any) -> SimpleNamespace:
    city_region = f.make_region()
    district_region = f.make_region("410105000000", "金水区", "county", parent=city_region)
    city_office = f.make_org("郑州市政务服务局", kind="supervising", region=city_region,
                             code="CITYOFFICE")
    market = f.make_org("郑州市市场监督管理局", parent=city_office, code="MARKET")
    district_office = f.make_org("金水区政务服务局", parent=city_office, kind="supervising",
                                 level="county", region=district_region, code="DISTOFFICE")
    district_hr = f.make_org("金水区人力资源和社会保障局", parent=district_office,
                             level="county", region=district_region, code="DISTHR")
    hall = f.make_hall(city_office)
    window = f.make_window(hall, market, number="1")
    staff = f.make_staff(market, window=window)
    matter = f.make_matter(market)
    return SimpleNamespace(
        city_region=city_region, district_region=district_region, city_office=city_office,
        market=market, district_office=district_office, district_hr=district_hr, hall=hall,
        window=window, staff=staff, matter=matter,
    )


@pytest.fixture
def personas(locality: SimpleNamespace) -> SimpleNamespace:
    """One login per role: admin, city supervisor, district supervisor, handler, auditor,
    window staff (linked to the rated Staff row), an outsider handler elsewhere, the
    market department's head (审阅) and a 政务服务监督员."""
    return SimpleNamespace(
        admin=f.make_user("admin", role="system_admin", org=None, is_staff=True,
                          is_superuser=True),
        supervisor=f.make_user("supervisor", role="supervisor", org=locality.city_office,
                               is_staff=True),
        district_supervisor=f.make_user("dist_supervisor", role="supervisor",
                                        org=locality.district_office, is_staff=True),
        handler=f.make_user("handler", role="handler", org=locality.market),
        auditor=f.make_user("auditor", role="auditor", org=locality.city_office),
        window_staff=f.make_user("window", role="window_staff", org=locality.market,
                                 staff=locality.staff),
        outsider=f.make_user("outsider", role="handler", org=locality.district_hr),
        head=f.make_user("head", role="dept_head", org=locality.market),
        # 三员分立: accounts are the security administrator's, the audit log the audit
        # administrator's (issue 17).
        security=f.make_user("security", role="security_admin", org=None, is_staff=True),
        audit_admin=f.make_user("audit_admin", role="audit_admin", org=None, is_staff=True),
        monitor=f.make_user("monitor", role="monitor", org=locality.city_office),
    )


@pytest.fixture(autouse=True)
def _records_flushable(request: pytest.FixtureRequest) -> Iterator[None]:
    """Transactional tests end with a flush of every table, which the insert-only
    triggers of the audit log, the ratings and the snapshots refuse (core.records): lift
    them just before it; ``pytest_runtest_teardown`` installs them again after it."""
    transactional = _flushes_database(request.node)
    if transactional and "transactional_db" in request.fixturenames:
        request.getfixturevalue("transactional_db")  # set up first, so torn down after us
    yield
    if transactional:
        from tests.records import remove_record_triggers

        remove_record_triggers()


@pytest.fixture(autouse=True)
def _anchor_store(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test anchors the audit log into a fresh directory of its own, never the
    demo's ``var/anchors``."""
    settings.HCP_AUDIT_ANCHOR_STORE = "file"
    # Created by the first anchor written, so most tests create nothing.
    settings.HCP_AUDIT_ANCHOR_DIR = tmp_path_factory.getbasetemp() / "anchors" / uuid.uuid4().hex


@pytest.fixture(autouse=True)
def _fake_telephony(settings: Any) -> Iterator[None]:
    """The privacy-number relay of every test is the deterministic fake, working unless
    a test makes it fail (notify.telephony)."""
    from haochaping.notify.telephony import FakeTelephony

    settings.HCP_TELEPHONY_BACKEND = "fake"
    FakeTelephony.failing = False
    yield
    FakeTelephony.failing = False
    FakeTelephony.bound.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _pinned_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate limiter counts in fixed windows of wall-clock time; a test that makes its
    requests across a window boundary (a 60-second window every minute) would see its
    count restart. Each test counts at the moment it started, unless it travels in time
    (time_machine), where the limiter follows the travelled clock; a caller passing
    ``now`` still chooses its own moment."""
    import time

    from time_machine import escape_hatch

    from haochaping.core import ratelimit

    started = time.time()
    monkeypatch.setattr(ratelimit, "clock",
                        lambda: time.time() if escape_hatch.is_travelling() else started)


@pytest.fixture(autouse=True)
def _fresh_memos() -> Iterator[None]:
    """Per-process memos (core.memo) and the Django cache (rate-limit counters, cached
    statistics keyed by row ids) must not carry one test's database into the next, where
    the same ids may name other rows."""
    from django.core.cache import cache

    from haochaping.core.memo import clear_all

    clear_all()
    cache.clear()
    yield
    clear_all()


@pytest.fixture
def django_capture_on_commit_callbacks(django_capture_on_commit_callbacks: Any) -> Any:
    """pytest-django's fixture, plus: with ``execute=True`` the tasks queued in the block
    (core.engine: work orders after a bad rating, outbox delivery, pad wake-ups) run when
    it exits, as a worker would run them right after the commit."""
    from contextlib import contextmanager

    from haochaping.core.engine.worker import drain

    @contextmanager
    def capture(*, using: str = "default", execute: bool = False) -> Iterator[Any]:
        with django_capture_on_commit_callbacks(using=using, execute=execute) as callbacks:
            yield callbacks
        if execute:
            drain()

    return capture


@pytest.fixture
def run_tasks(db: Any) -> Any:
    """Run every due task of the engine in this test's transaction: {outcome: count}."""
    from haochaping.core.engine.worker import drain

    return drain
