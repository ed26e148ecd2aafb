"""A corrected completion time moves the sweep deadlines, the same through one item and
through a bulk big enough for PostgreSQL's staged UPDATE … FROM (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings

from haochaping.catalog.models import PolicyOverride
from haochaping.core.bulk import COPY_FROM_ROWS
from haochaping.handlings.models import Handling
from haochaping.handlings.tests.support import national_item

SH = ZoneInfo("Asia/Shanghai")
FIRST, CORRECTED = "2025-03-03 09:30:00", "2025-03-05 10:00:00"
DUE = ("invite_due_at", "default_due_at", "rating_closes_at")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_haiyang_with_default")]


@pytest.fixture
def _haiyang_with_default(locality: SimpleNamespace) -> Any:
    """SMS after 24 h, 5 working days to rate (haiyang), and a default rating."""
    PolicyOverride.objects.create(org=locality.market, key="default_rating_level", value=3)
    with override_settings(HCP_POLICY_PRESET="haiyang"):
        yield


def _send(key: str, items: list[dict[str, Any]]) -> Any:
    path, body = ("", items[0]) if len(items) == 1 else ("/bulk", items)
    response = Client().post("/api/v1/handlings" + path, body,
                             content_type="application/json", HTTP_X_API_KEY=key)
    assert response.status_code in (200, 201), response.content
    return response.json()


def _due(proj_no: str) -> tuple[datetime | None, ...]:
    return Handling.objects.values_list(*DUE).get(proj_no=proj_no)


def _items(locality: SimpleNamespace, n: int, done: str, **extra: Any) -> list[dict[str, Any]]:
    return [national_item(locality, f"P{i:03d}", resultDate=done, **extra) for i in range(n)]


@pytest.mark.parametrize("size", [1, COPY_FROM_ROWS + 10])
def test_corrected_completion_moves_every_deadline(locality: SimpleNamespace,
                                                   intake: SimpleNamespace, size: int) -> None:
    _send(intake.key, _items(locality, size, FIRST))
    before = _due("P000")
    _send(intake.key, [national_item(locality, "FRESH", resultDate=CORRECTED)])
    expected = _due("FRESH")
    assert expected[0] == datetime(2025, 3, 6, 10, 0, tzinfo=SH)
    assert all(before)
    assert all(a != b for a, b in zip(before, expected, strict=True))
    answer = _send(intake.key, _items(locality, size, CORRECTED))
    assert answer.get("updated", 1 if answer.get("result") == "updated" else 0) == size
    assert {_due(f"P{i:03d}") for i in range(size)} == {expected}


@pytest.mark.parametrize("size", [1, COPY_FROM_ROWS + 10])
def test_rated_handling_gets_only_the_new_rating_window(locality: SimpleNamespace,
                                                        intake: SimpleNamespace,
                                                        size: int) -> None:
    _send(intake.key, _items(locality, size, FIRST))
    Handling.objects.update(rated_at=datetime(2025, 3, 3, 10, 0, tzinfo=SH))
    invite, default, _closes = _due("P000")
    _send(intake.key, [national_item(locality, "FRESH", resultDate=CORRECTED)])
    new_closes = _due("FRESH")[2]
    _send(intake.key, _items(locality, size, CORRECTED))
    assert {_due(f"P{i:03d}") for i in range(size)} == {(invite, default, new_closes)}


def test_other_corrections_keep_the_stored_deadlines(locality: SimpleNamespace,
                                                     intake: SimpleNamespace) -> None:
    _send(intake.key, _items(locality, 1, FIRST))
    kept = datetime(2025, 3, 20, 12, 0, tzinfo=SH)
    Handling.objects.update(rating_closes_at=kept)
    answer = _send(intake.key, _items(locality, 1, FIRST, userName="张晓红"))
    assert answer["result"] == "updated"
    assert _due("P000")[2] == kept


def test_correction_of_a_handling_completed_in_the_same_call(locality: SimpleNamespace,
                                                             intake: SimpleNamespace) -> None:
    _send(intake.key, [national_item(locality, "FRESH", resultDate=CORRECTED)])
    _send(intake.key, [national_item(locality, "P000", proStatus="2", resultDate=None),
                       national_item(locality, "P000", resultDate=FIRST),
                       national_item(locality, "P000", resultDate=CORRECTED)])
    assert _due("P000") == _due("FRESH")
