"""One demo build for the tests that read it.

Building the demo takes seconds (more on PostgreSQL); the tests of test_demo_activity and
test_demo_workorders only read it or write inside their own rolled-back transaction, so
they share one build for this package, emptied again after its last test.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from haochaping.core.reference_data import ensure_reference_data
from tests.records import record_triggers_lifted

HANDLINGS = 1500  # every level and channel, ~35 valid bad reviews with the default seed
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
