"""Production refuses a PostgreSQL that can lose acknowledged commits (issue 17)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from haochaping.core.checks import (
    assert_production_ready,
    database_durability,
    durability_problems,
    production_durability,
)

PRODUCTION = {"HCP_ENV": "production", "DEBUG": False, "SECRET_KEY": "x" * 50,
              "HCP_FIELD_KEYS": "k1:cHJvZC1rZXktMzItYnl0ZXMtbG9uZy1lbm91Z2gh",
              "HCP_BLIND_INDEX_KEY": "cHJvZC1ibGluZC1rZXk=", "HCP_SMS_GATEWAY_SECRET": "",
              "HCP_PAD_WAIT_URL": "/pad/wait", "HCP_SMS_BACKEND": "http",
              "HCP_TELEPHONY_BACKEND": "off",
              "HCP_AUDIT_KEYS": "k1:cHJvZC1hdWRpdC1rZXktMzItYnl0ZXMtbG9uZy1lbm91Z2g="}


@pytest.mark.parametrize(("values", "words"), [
    ({"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}, []),
    ({"fsync": "on", "synchronous_commit": "local", "full_page_writes": "on"}, []),
    ({"fsync": "on", "synchronous_commit": "remote_apply", "full_page_writes": "on"}, []),
    ({"fsync": "off", "synchronous_commit": "on", "full_page_writes": "on"}, ["fsync"]),
    ({"fsync": "on", "synchronous_commit": "off", "full_page_writes": "on"},
     ["synchronous_commit"]),
    ({"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"},
     ["fsync", "synchronous_commit", "full_page_writes"]),
])
def test_settings_that_lose_acknowledged_commits(values: dict[str, str],
                                                 words: list[str]) -> None:
    problems = durability_problems(values)
    assert len(problems) == len(words)
    for problem, word in zip(problems, words, strict=True):
        assert word in problem


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_server_is_read_and_an_unsafe_session_refuses_to_start() -> None:
    assert database_durability(connection) == []
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        assert any("synchronous_commit" in p for p in database_durability(connection))
        with override_settings(**PRODUCTION):
            assert [e.id for e in production_durability(None)] == ["haochaping.E008"]
            with pytest.raises(ImproperlyConfigured, match="synchronous_commit"):
                assert_production_ready()
        assert production_durability(None) == []  # demo mode: not checked
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = on")
    with override_settings(**PRODUCTION):
        assert production_durability(None) == []
        assert_production_ready()
