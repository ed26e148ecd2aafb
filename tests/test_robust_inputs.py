"""The inputs that answered 500 (issue 17), each now a clear 4xx that changes nothing, or
accepted cleaned: numbers past a column's range, NUL and other control characters in
query strings, paths and bodies, dates outside the calendar's range, oversized bodies."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from haochaping.accounts.scoping import actor_for_user
from haochaping.accounts.services import api_client_create
from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import Matter, Org
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.tests import factories as ef
from tests.factories import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(personas: SimpleNamespace, locality: SimpleNamespace) -> str:
    _, raw = api_client_create(actor=actor_for_user(personas.security), name="业务系统",
                               org=locality.city_office,
                               scopes=["catalog:read", "catalog:write", "stats:read",
                                       "evaluations:write", "handlings:write"])
    return raw


def get(key: str, url: str) -> Any:
    return Client().get(url, HTTP_X_API_KEY=key)


def post(key: str, url: str, data: Any) -> Any:
    return Client().post(url, json.dumps(data), content_type="application/json",
                         HTTP_X_API_KEY=key)


def writes() -> tuple[int, int, int, int]:
    return (Org.objects.count(), Matter.objects.count(), Evaluation.objects.count(),
            AuditEvent.objects.count())


def matter_body(locality: SimpleNamespace, **over: Any) -> dict[str, Any]:
    return {"code": "M900001", "impl_code": "IMPL900001", "name": "新事项",
            "category": "licensing", "org_code": locality.market.code, **over}


@pytest.mark.parametrize("url", [
    "/api/v1/catalog/orgs?page=4611686018427387903",
    "/api/v1/catalog/matters?page=99999999999999999999999",
])
def test_a_page_past_every_row_is_refused(key: str, url: str) -> None:
    response = get(key, url)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "page"


@pytest.mark.parametrize("days", [3571233207, 2**63, -1])
def test_an_integer_past_its_column_is_refused(key: str, locality: SimpleNamespace,
                                               days: int) -> None:
    before = writes()
    response = post(key, "/api/v1/catalog/matters",
                    matter_body(locality, promised_days=days))
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "promised_days"
    assert writes() == before


@pytest.mark.parametrize("url", [
    "/api/v1/catalog/orgs?name=%00",
    "/api/v1/catalog/orgs?code=A%00B&parent=%00",
    "/api/v1/handlings/P%00X",
    "/api/v1/stats/figures?start=2026-01-01&end=2026-01-31&channel=%00",
])
def test_nul_bytes_in_a_query_or_path_are_dropped(key: str, url: str) -> None:
    assert get(key, url).status_code in (200, 404)


def test_nul_and_controls_in_a_name_are_stripped_and_text_is_nfc(
        key: str, locality: SimpleNamespace) -> None:
    response = post(key, "/api/v1/catalog/matters",
                    matter_body(locality, name="食品\x00经营\x1b许可\u202e证Cafe\u0301"))
    assert response.status_code == 201, response.content
    assert Matter.objects.get(code="M900001").name == "食品经营许可证Caf\u00e9"


def test_nul_in_rating_text_is_stripped(locality: SimpleNamespace) -> None:
    client, app_key = ef.make_client(locality.city_office)
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    handling = ef.make_handling(locality, client=source, rater=ef.make_rater())
    response = post(app_key, "/api/v1/evaluations", {
        "proj_no": handling.proj_no, "level": 5, "item_levels": {"overall": 5},
        "content_codes": ["510"], "channel": "app", "rater": {"id_no": ef.ID_NO},
        "text": "很\x00好\r\n谢谢\x07"})
    assert response.status_code == 201, response.content
    assert Evaluation.objects.get(handling=handling).text == "很好\n谢谢"


@pytest.mark.parametrize("query", ["start=0200-05-04&end=2026-01-31",
                                   "start=2026-01-01&end=9999-12-31",
                                   "start=0001-01-01&end=0001-01-02"])
def test_a_date_outside_the_calendar_is_refused(key: str, query: str) -> None:
    for path in ("/api/v1/stats/figures", "/api/v1/stats/exports/figures.csv"):
        response = get(key, f"{path}?{query}")
        assert response.status_code == 422, response.content
        assert response.json()["field"] in ("start", "end")


@pytest.mark.parametrize("path", ["rankings", "rankings.xlsx", "rankings.csv"])
def test_a_ranking_day_outside_the_calendar_is_refused(key: str, path: str) -> None:
    response = get(key, f"/api/v1/stats/ranking/{path}?day=0001-01-01")
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "day"


def test_a_json_body_over_the_limit_is_413_in_chinese(key: str, settings: Any) -> None:
    settings.HCP_MAX_BODY_BYTES = 1000
    before = writes()
    response = post(key, "/api/v1/catalog/orgs", {"name": "长" * 2000})
    assert response.status_code == 413
    assert response.json()["code"] == "request.too_large"
    assert "请求体过大" in response.json()["message"]
    assert writes() == before


def test_a_multipart_body_over_the_limit_is_413(key: str, settings: Any) -> None:
    settings.HCP_MAX_UPLOAD_BYTES = 1000
    upload = SimpleUploadedFile("orgs.csv", b"x" * 5000, content_type="text/csv")
    response = Client().post("/api/v1/catalog/import/orgs", {"file": upload},
                             HTTP_X_API_KEY=key)
    assert response.status_code == 413
    assert response.json()["code"] == "request.too_large"


def test_an_oversized_form_post_is_413_on_a_screen(personas: SimpleNamespace,
                                                   settings: Any) -> None:
    settings.HCP_MAX_BODY_BYTES = 1000
    response = logged_in(personas.supervisor).post(
        "/accounts/logout/", "x=" + "y" * 5000,
        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "请求体过大" in response.content.decode()
