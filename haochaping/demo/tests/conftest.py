"""One demo build for the tests that read it.

Building the demo takes seconds (more on PostgreSQL); the tests of test_demo_activity and
test_demo_workorders only read it or write inside their own rolled-back transaction, so
they share one build for this package, emptied again after its last test.

The demo builds from the current time, so which handlings are recent, which orders a
spot-check draw picks and which ratings fall on "yesterday" change through the day and the
month. The package runs at one fixed moment so a result does not depend on when CI runs;
``HCP_DEMO_AT`` (an ISO time) moves it, and ``make demo-sweep`` runs the package at a
series of moments to find what still depends on the hour.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from haochaping.core.reference_data import ensure_reference_data
from tests.records import record_triggers_lifted

HANDLINGS = 1500  # every level and channel, ~35 valid bad reviews with the default seed
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# a Wednesday morning in Shanghai, a working day in the middle of a month
DEMO_AT = "2026-11-18T10:30:00+08:00"


@pytest.fixture(scope="package", autouse=True)
def _demo_clock() -> Iterator[None]:
    """Every test of the package (and the builds) at the moment ``HCP_DEMO_AT`` or
    ``DEMO_AT``; the clock keeps ticking from there."""
    at = datetime.fromisoformat(os.environ.get("HCP_DEMO_AT") or DEMO_AT)
    with time_machine.travel(at, tick=True):
        yield


@pytest.fixture(scope="package")
def demo_build(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    out = StringIO()
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        call_command("demo", size="small", handlings=HANDLINGS, stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        with record_triggers_lifted():  # the insert-only triggers refuse the flush
            call_command("flush", interactive=False, verbosity=0)
        ensure_reference_data()


@pytest.fixture
def built(demo_build: str, db: Any) -> str:
    """The demo's console output, inside this test's transaction."""
    return demo_build
