"""Stages (环节) reported with a handling and after it, through the intake API end to end
(SQLite and PostgreSQL): rows written, corrections, idempotency, refusals that write
nothing."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.core.localtime import SHANGHAI
from haochaping.handlings.models import Handling, HandlingStage
from haochaping.handlings.tests.support import national_item
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/api/v1/handlings"


def _post(key: str, path: str, body: Any) -> Any:
    return Client().post(URL + path, body, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {key}")


def _stages() -> list[tuple[str, str, str | None, str | None]]:
    return [(s.handling.proj_no, s.stage, s.window.code if s.window else None,
             s.staff.staff_no if s.staff else None)
            for s in HandlingStage.objects.select_related("handling", "window", "staff")
            .order_by("handling__proj_no", "at")]


def _snapshot() -> tuple[Any, ...]:
    return (list(Handling.objects.order_by("pk").values_list("pk", "content_hash",
                                                             "updated_at")),
            list(HandlingStage.objects.order_by("pk").values()))


@pytest.fixture
def counter(locality: SimpleNamespace) -> SimpleNamespace:
    """The hall's 综合窗口 of the city office, where applications are taken (一窗受理)."""
    window = f.make_window(locality.hall, locality.city_office, number="综合1")
    staff = f.make_staff(locality.city_office, window=window, name="刘芳")
    return SimpleNamespace(window=window, staff=staff)


def _apply(counter: SimpleNamespace, at: str = "2025-03-03 08:40:00") -> dict[str, Any]:
    return {"nodeName": "申报", "nodeTime": at, "winCode": counter.window.code,
            "proManager": counter.staff.staff_no}


def test_stages_arrive_with_the_handling(locality: SimpleNamespace, intake: SimpleNamespace,
                                         counter: SimpleNamespace) -> None:
    item = national_item(locality, stages=[
        _apply(counter), {"stage": "amend", "at": "2025-03-03 09:10:00"},
        {"stage": "done", "at": "2025-03-03 09:30:00", "staff_no": locality.staff.staff_no}])
    response = _post(intake.key, "", item)
    assert response.status_code == 201, response.content
    assert _stages() == [
        ("P0001", "apply", counter.window.code, counter.staff.staff_no),
        ("P0001", "amend", None, None),
        ("P0001", "done", None, locality.staff.staff_no)]
    applied = HandlingStage.objects.get(stage="apply")
    assert applied.hall_id == locality.hall.pk  # the window's hall
    # An identical re-send changes nothing; a corrected stage time is an update.
    before = _snapshot()
    assert _post(intake.key, "", item).json()["result"] == "unchanged"
    assert _snapshot() == before
    item["stages"][0]["nodeTime"] = "2025-03-03 08:45:00"
    assert _post(intake.key, "", item).json()["result"] == "updated"
    applied.refresh_from_db()
    assert applied.at.minute == 45
    assert HandlingStage.objects.count() == 3


def test_a_later_item_without_stages_keeps_them(locality: SimpleNamespace,
                                                intake: SimpleNamespace,
                                                counter: SimpleNamespace) -> None:
    accepted = national_item(locality, proStatus="2", resultDate=None,
                             stages=[_apply(counter)])
    assert _post(intake.key, "", accepted).status_code == 201
    assert _post(intake.key, "", national_item(locality)).json()["result"] == "updated"
    assert [s[1] for s in _stages()] == ["apply"]


def test_a_bulk_applies_the_stages_of_every_item_of_a_project(
        locality: SimpleNamespace, intake: SimpleNamespace, counter: SimpleNamespace) -> None:
    items = [national_item(locality, "P1", proStatus="2", resultDate=None,
                           stages=[_apply(counter)]),
             national_item(locality, "P1", stages=[{"stage": "done",
                                                    "at": "2025-03-03 09:30:00"}]),
             national_item(locality, "P2", stages=[_apply(counter)])]
    body = _post(intake.key, "/bulk", items).json()
    assert (body["accepted"], body["errors"]) == (3, [])
    assert [(s[0], s[1]) for s in _stages()] == [("P1", "apply"), ("P1", "done"),
                                                   ("P2", "apply")]


def test_bad_stages_refuse_the_item_and_write_nothing(
        locality: SimpleNamespace, intake: SimpleNamespace, counter: SimpleNamespace) -> None:
    unknown_window = national_item(locality, stages=[{**_apply(counter), "winCode": "NOPE"}])
    response = _post(intake.key, "", unknown_window)
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"]) == ("handling.unknown_window", "stages[0].winCode")
    assert body["message"] == "窗口“NOPE”不存在"
    bad = [national_item(locality, "P1", stages=[{"stage": "review", "at": "2025-03-03"}]),
           national_item(locality, "P2", stages=[{**_apply(counter), "proManager": "S9"}]),
           national_item(locality, "P3", stages=[_apply(counter), _apply(counter)])]
    response = _post(intake.key, "/bulk", bad)
    assert response.status_code == 422
    assert [(e["index"], e["field"], e["code"]) for e in response.json()["errors"]] == [
        (0, "stages[0].stage", "handling.unknown_stage"),
        (1, "stages[0].proManager", "handling.unknown_staff"),
        (2, "stages[1].nodeName", "handling.duplicate_stage")]
    assert not Handling.objects.exists()
    assert not HandlingStage.objects.exists()


def test_a_stage_reported_later(locality: SimpleNamespace, intake: SimpleNamespace,
                                counter: SimpleNamespace) -> None:
    _post(intake.key, "", national_item(locality, "BJ/2025/7", proStatus="2",
                                        resultDate=None))
    created = _post(intake.key, "/BJ/2025/7/stages", _apply(counter))
    assert created.status_code == 201, created.content
    assert created.json() == {"proj_no": "BJ/2025/7", "stages": [
        {"stage": "apply", "name": "申报", "at": "2025-03-03T08:40:00+08:00",
         "result": "created"}]}
    again = _post(intake.key, "/BJ/2025/7/stages", [
        _apply(counter), {"stage": "pay", "at": "2025-03-03 09:00:00"}])
    assert again.status_code == 201
    assert [s["result"] for s in again.json()["stages"]] == ["unchanged", "created"]
    corrected = _post(intake.key, "/BJ/2025/7/stages", _apply(counter, "2025-03-03 08:50:00"))
    assert (corrected.status_code, corrected.json()["stages"][0]["result"]) == (200,
                                                                                 "updated")
    detail = Client().get(f"{URL}/BJ/2025/7", HTTP_X_API_KEY=intake.key).json()
    assert [(s["stage"], s["name"], s["window_code"], s["staff_no"])
            for s in detail["stages"]] == [
        ("apply", "申报", counter.window.code, counter.staff.staff_no),
        ("pay", "缴费", "", "")]
    assert datetime.fromisoformat(detail["stages"][0]["at"]) == datetime(
        2025, 3, 3, 8, 50, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("body", "status", "code", "field"), [
    ({"stage": "apply"}, 422, "handling.missing_field", "at"),
    ({"stage": "办件", "at": "2025-03-03 09:00:00"}, 422, "handling.unknown_stage", "stage"),
    ([], 422, "handling.invalid_stages", ""),
    ([{"stage": "apply", "at": "2025-03-03 09:00:00"}, 7], 422, "handling.invalid_stage",
     "[1]"),
    ({"stage": "apply", "at": "2025-03-03 09:00:00", "staff_no": "S-NONE"}, 422,
     "handling.unknown_staff", "staff_no"),
    ('"oops"', 422, "handling.invalid_stages", ""),
    ("not json", 400, "invalid_json", None),
])
def test_bad_later_stages_write_nothing(locality: SimpleNamespace, intake: SimpleNamespace,
                                        body: Any, status: int, code: str,
                                        field: str | None) -> None:
    _post(intake.key, "", national_item(locality))
    before = _snapshot()
    response = _post(intake.key, "/P0001/stages", body)
    assert response.status_code == status, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not response.json()["message"].isascii()
    assert _snapshot() == before


def test_stages_of_a_handling_of_another_client_are_not_found(
        locality: SimpleNamespace, intake: SimpleNamespace) -> None:
    from haochaping.accounts import services
    from haochaping.accounts.scoping import security_actor

    _post(intake.key, "", national_item(locality))
    _, other_key = services.api_client_create(actor=security_actor("test"), name="另一系统",
                                              org=locality.market, scopes=["handlings:write"])
    response = _post(other_key, "/P0001/stages", {"stage": "pay", "at": "2025-03-03 09:00"})
    assert (response.status_code, response.json()["code"]) == (404, "handling.not_found")
    assert not HandlingStage.objects.exists()
    wrong_scope = _post(intake.reader_key, "/P0001/stages",
                        {"stage": "pay", "at": "2025-03-03 09:00"})
    assert (wrong_scope.status_code, wrong_scope.json()["code"]) == (403, "forbidden.scope")
    assert not HandlingStage.objects.exists()
