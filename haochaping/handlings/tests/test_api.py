"""The intake API end to end with real API keys (SQLite and PostgreSQL)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.handlings.models import Handling, Rater
from haochaping.handlings.tests.support import national_item

pytestmark = pytest.mark.django_db
URL = "/api/v1/handlings"


def _post(key: str | None, path: str, body: Any) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return Client().post(URL + path, body, content_type="application/json", **headers)


def _get(key: str, proj_no: str) -> Any:
    return Client().get(f"{URL}/{proj_no}", HTTP_X_API_KEY=key)


def test_create_resend_progress(locality: SimpleNamespace, intake: SimpleNamespace) -> None:
    accepted = national_item(locality, proStatus="2", resultDate=None)
    created = _post(intake.key, "", accepted)
    assert created.status_code == 201
    assert created.json() == {"proj_no": "P0001", "result": "created", "status": "accepted"}
    stamp = Handling.objects.get().updated_at
    again = _post(intake.key, "", accepted)
    assert (again.status_code, again.json()["result"]) == (200, "unchanged")
    assert Handling.objects.get().updated_at == stamp
    assert _post(intake.key, "", national_item(locality, proStatus="in_progress",
                                               resultDate=None)).json()["result"] == "updated"
    done = _post(intake.key, "", national_item(locality))
    assert done.json() == {"proj_no": "P0001", "result": "updated", "status": "completed"}
    assert Handling.objects.count() == 1
    assert Rater.objects.count() == 1


def test_withdrawn_then_bad_transition(locality: SimpleNamespace,
                                       intake: SimpleNamespace) -> None:
    _post(intake.key, "", national_item(locality, proStatus="2", resultDate=None))
    withdrawn = _post(intake.key, "", national_item(locality, proStatus="withdrawn",
                                                    resultDate=None))
    assert withdrawn.json()["status"] == "withdrawn"
    before = Handling.objects.values().get()
    back = _post(intake.key, "", national_item(locality))
    assert back.status_code == 422
    body = back.json()
    assert (body["code"], body["field"]) == ("handling.bad_transition", "proStatus")
    assert body["message"] == "办件状态不能从“已撤回”变更为“已办结”"
    assert Handling.objects.values().get() == before


def test_bulk_mixed(locality: SimpleNamespace, intake: SimpleNamespace) -> None:
    items = [national_item(locality, "P1"),
             national_item(locality, "P2", taskCode="UNKNOWN"),
             national_item(locality, "P3", telPhone="123"),
             national_item(locality, "P4", orgcode="DISTHR", windowCode=None, proManager=None)]
    response = _post(intake.key, "/bulk", items)
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("accepted", "created", "updated", "unchanged")} == {
        "accepted": 1, "created": 1, "updated": 0, "unchanged": 0}
    assert [(e["index"], e["field"], e["code"]) for e in body["errors"]] == [
        (1, "taskCode", "handling.unknown_matter"), (2, "telPhone", "handling.bad_phone"),
        (3, "orgcode", "handling.org_out_of_scope")]
    assert all(e["message"] for e in body["errors"])
    assert list(Handling.objects.values_list("proj_no", flat=True)) == ["P1"]
    resent = _post(intake.key, "/bulk", items[:1]).json()
    assert (resent["unchanged"], resent["created"]) == (1, 0)


def test_bulk_all_invalid_writes_nothing(locality: SimpleNamespace,
                                         intake: SimpleNamespace) -> None:
    response = _post(intake.key, "/bulk", [national_item(locality, taskCode="X"), {}])
    assert response.status_code == 422
    assert response.json()["accepted"] == 0
    assert len(response.json()["errors"]) >= 2
    assert not Handling.objects.exists()
    assert not Rater.objects.exists()


@pytest.mark.parametrize(("body", "status", "code"), [
    ("not json", 400, "invalid_json"), ({"projectNo": "P1"}, 422, "invalid_request"),
    ([1, 2], 422, "invalid_request")])
def test_malformed_bulk_body(intake: SimpleNamespace, body: Any, status: int,
                             code: str) -> None:
    response = _post(intake.key, "/bulk", body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Handling.objects.exists()


def test_oversize_bulk(locality: SimpleNamespace, intake: SimpleNamespace) -> None:
    items = [national_item(locality, f"P{n}") for n in range(1001)]
    response = _post(intake.key, "/bulk", items)
    assert (response.status_code, response.json()["code"]) == (413, "handling.bulk_too_large")
    assert not Handling.objects.exists()


def test_missing_key_and_wrong_scope(locality: SimpleNamespace,
                                     intake: SimpleNamespace) -> None:
    missing = _post(None, "", national_item(locality))
    assert (missing.status_code, missing.json()["code"]) == (401,
                                                             "auth.missing_credentials")
    wrong = _post(intake.reader_key, "/bulk", [national_item(locality)])
    assert (wrong.status_code, wrong.json()["code"]) == (403, "forbidden.scope")
    assert not Handling.objects.exists()


def test_detail_is_masked(locality: SimpleNamespace, intake: SimpleNamespace) -> None:
    _post(intake.key, "", national_item(locality, "BJ-2025/001"))
    response = _get(intake.key, "BJ-2025/001")
    assert response.status_code == 200
    body = response.json()
    assert body["rater"] == {"kind": "1", "name": "张*", "id_type": "111",
                             "id_no": "410105********123X", "phone": "138****8000"}
    assert body["window_code"] == locality.window.code
    assert body["status"] == "completed"
    text = response.content.decode()
    assert "13800138000" not in text
    assert "张晓明" not in text
    assert _get(intake.key, "NOPE").json()["code"] == "handling.not_found"
