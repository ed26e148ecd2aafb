"""Legacy satisfaction ratings over the API: JSON items and a file upload, an API client
with scope ``legacy_import:write``; refusals with a stable code and nothing written."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from haochaping.core.localtime import SHANGHAI
from haochaping.evaluations.models import Evaluation, LegacyImport
from haochaping.evaluations.tests import factories as ef
from haochaping.evaluations.tests.factories import snapshot
from haochaping.evaluations.tests.legacy_support import csv_bytes

pytestmark = pytest.mark.django_db

URL = "/api/v1/evaluations/legacy"


@pytest.fixture
def legacy_key(world: SimpleNamespace) -> str:
    _, key = ef.make_client(world.loc.city_office, scopes=("legacy_import:write",),
                            name="原满意度评价系统")
    return key


def post(key: str | None, data: Any) -> Any:
    extra = {"HTTP_X_API_KEY": key} if key else {}
    return Client().post(URL, json.dumps(data), content_type="application/json", **extra)


def when(hours: int = 2) -> str:
    return (timezone.now() - timedelta(hours=hours)).astimezone(SHANGHAI).strftime(
        "%Y-%m-%d %H:%M:%S")


def test_a_legacy_system_posts_its_ratings(world: SimpleNamespace, legacy_key: str) -> None:
    a, b = world.handling(), world.handling()
    response = post(legacy_key, {"source": "老评价器系统", "ratings": [
        {"source_id": "9001", "proj_no": a.proj_no, "level": 4, "rated_at": when(),
         "channel": "evaluator"},
        {"source_id": "9002", "proj_no": b.proj_no, "level": "非常满意",
         "rated_at": (timezone.now() - timedelta(hours=1)).isoformat()},
        {"source_id": "9003", "proj_no": "GONE", "level": 3, "rated_at": when()},
        {"source_id": "9004", "proj_no": a.proj_no, "level": 9, "rated_at": when()},
        {"source_id": "9005", "proj_no": b.proj_no, "level": 2, "rated_at": when()},
    ]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rows"], body["created"], body["duplicate"], body["unknown"],
            body["invalid"]) == (5, 2, 1, 1, 1)
    assert [(r["row"], r["outcome"], r["code"]) for r in body["report"]] == [
        (3, "unknown", "legacy.unknown_handling"), (4, "invalid", "legacy.level"),
        (5, "duplicate", "legacy.rated_by_legacy")]
    rows = Evaluation.objects.filter(legacy_source="老评价器系统").order_by("handling_id")
    assert [(r.handling_id, r.level, r.client.name) for r in rows] == [
        (a.pk, 4, "原满意度评价系统"), (b.pk, 5, "原满意度评价系统")]
    assert LegacyImport.objects.get().via == "api"
    again = post(legacy_key, {"source": "老评价器系统", "ratings": [
        {"source_id": "9001", "proj_no": a.proj_no, "level": 4, "rated_at": when()}]}).json()
    assert (again["created"], again["report"][0]["code"]) == (0, "legacy.already_imported")


def test_a_file_upload_and_a_dry_run(world: SimpleNamespace, legacy_key: str) -> None:
    handling = world.handling()
    data = csv_bytes([["F-1", handling.proj_no, "5", when(), "", ""]])
    before = snapshot()
    dry = Client().post(f"{URL}/file", {"source": "老系统", "dry_run": "true",
                                        "file": SimpleUploadedFile("a.csv", data)},
                        HTTP_X_API_KEY=legacy_key)
    assert dry.status_code == 200, dry.content
    assert (dry.json()["dry_run"], dry.json()["created"], dry.json()["batch_id"]) == (
        True, 1, None)
    assert snapshot() == before
    real = Client().post(f"{URL}/file", {"source": "老系统",
                                         "file": SimpleUploadedFile("a.csv", data)},
                         HTTP_X_API_KEY=legacy_key)
    assert real.json()["created"] == 1
    assert LegacyImport.objects.get().file_name == "a.csv"


@pytest.mark.parametrize(("scopes", "data", "status", "code"), [
    (None, {"source": "x", "ratings": [{"proj_no": "P"}]}, 401, "auth.missing_credentials"),
    (("evaluations:write",), {"source": "x", "ratings": [{"proj_no": "P"}]}, 403,
     "forbidden.scope"),
    (("legacy_import:write",), {"source": "x", "ratings": []}, 422, "invalid_request"),
    (("legacy_import:write",), {"source": "", "ratings": [{"proj_no": "P"}]}, 422,
     "invalid_request"),
    (("legacy_import:write",), {"source": "   ", "ratings": [{"proj_no": "P"}]}, 422,
     "legacy.source"),
    (("legacy_import:write",), {"source": "x", "ratings": [{"proj_no": "P"}] * 1001}, 422,
     "invalid_request"),
    (("legacy_import:write",), {"ratings": [{"proj_no": "P"}]}, 422, "invalid_request"),
])
def test_refusals_write_nothing(world: SimpleNamespace, scopes: tuple[str, ...] | None,
                                data: dict[str, Any], status: int, code: str) -> None:
    world.handling(proj_no="P")
    key = ef.make_client(world.loc.city_office, scopes=scopes, name="c")[1] if scopes else None
    before = snapshot()
    response = post(key, data)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert snapshot() == before
    assert not LegacyImport.objects.exists()


def test_a_row_with_missing_fields_is_reported_not_refused(world: SimpleNamespace,
                                                          legacy_key: str) -> None:
    body = post(legacy_key, {"source": "x", "ratings": [{"proj_no": "P", "level": 5}]}).json()
    assert body["invalid"] == 1
    assert body["report"][0]["code"] == "import.required"
    assert "rated_at" in body["report"][0]["message"]
