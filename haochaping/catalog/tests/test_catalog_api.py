"""The catalog REST endpoints: auth, scoping, envelopes, import/export over HTTP."""

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
from haochaping.catalog.models import Hall, Matter, Org
from haochaping.catalog.tests.importing_helpers import csv_bytes

BASE = "/api/v1/catalog"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _writes() -> tuple[int, int, int, int]:
    return Org.objects.count(), Hall.objects.count(), Matter.objects.count(), \
        AuditEvent.objects.count()


def test_no_credentials_is_401_json(personas: SimpleNamespace) -> None:
    response = Client().get(f"{BASE}/orgs")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.missing_credentials"


def test_district_supervisor_sees_only_own_subtree(personas: SimpleNamespace,
                                                   locality: SimpleNamespace) -> None:
    client = _client(personas.district_supervisor)
    codes = [o["code"] for o in client.get(f"{BASE}/orgs").json()["items"]]
    assert codes == ["DISTOFFICE", "DISTHR"]
    assert client.get(f"{BASE}/orgs/{locality.market.pk}").status_code == 404
    assert client.get(f"{BASE}/matters").json()["count"] == 0
    city = _client(personas.supervisor).get(f"{BASE}/matters?org=MARKET").json()
    assert [m["impl_code"] for m in city["items"]] == [locality.matter.impl_code]


def test_api_key_with_read_scope_lists(personas: SimpleNamespace,
                                       locality: SimpleNamespace) -> None:
    _, key = api_client_create(actor=actor_for_user(personas.security), name="业务系统",
                               org=locality.market, scopes=["catalog:read"])
    response = Client().get(f"{BASE}/halls", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["count"] == 0  # the hall belongs to the city office
    before = _writes()
    body = {"code": "H1", "name": "新大厅", "org_code": "MARKET",
            "region_code": "410100000000", "level": "city"}
    denied = Client().post(f"{BASE}/halls", data=body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key}")
    assert denied.status_code == 403
    assert _writes() == before


def test_handler_cannot_write(personas: SimpleNamespace) -> None:
    client = _client(personas.handler)
    before = _writes()
    body = {"code": "H1", "name": "新大厅", "org_code": "MARKET",
            "region_code": "410100000000", "level": "city"}
    response = client.post(f"{BASE}/halls", data=body,
                                              content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden.role"
    assert _writes() == before


def test_bad_body_is_422_with_field(personas: SimpleNamespace) -> None:
    client = _client(personas.admin)
    before = _writes()
    body = {"code": "bad/code", "name": "x", "kind": "handling", "level": "city",
            "region_code": "410100000000"}
    response = client.post(f"{BASE}/orgs", data=body,
                                            content_type="application/json")
    assert response.status_code == 422
    assert response.json()["field"] == "code"
    assert _writes() == before


def test_unknown_reference_is_422_with_field(personas: SimpleNamespace) -> None:
    client = _client(personas.admin)
    before = _writes()
    body = {"code": "NEW", "name": "新部门", "kind": "handling", "level": "city",
            "region_code": "410100000000", "parent_code": "NOPE"}
    response = client.post(f"{BASE}/orgs", data=body,
                                            content_type="application/json")
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == \
        ("catalog.unknown_reference", "parent_code")
    assert _writes() == before


def test_create_and_update_matter_is_audited(personas: SimpleNamespace) -> None:
    client = _client(personas.supervisor)
    body = {"code": "M-NEW", "impl_code": "IMPL-NEW", "name": "新事项",
            "category": "public_service", "org_code": "MARKET", "promised_days": 3}
    created = client.post(f"{BASE}/matters", data=body, content_type="application/json")
    assert created.status_code == 201
    pk = created.json()["id"]
    updated = client.put(f"{BASE}/matters/{pk}", data={**body, "name": "改名事项"},
                         content_type="application/json")
    assert updated.json()["name"] == "改名事项"
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert event.action == "catalog.matter.update"
    assert (event.before or {})["name"] == "新事项"
    assert (event.after or {})["name"] == "改名事项"


def test_import_dry_run_over_http(personas: SimpleNamespace) -> None:
    data = csv_bytes([["机构编码", "机构名称", "类型", "层级", "区划代码", "上级机构编码"],
                      ["OK1", "部门", "承办部门", "市级", "410100000000", "CITYOFFICE"],
                      ["OK2", "部门", "承办部门", "省部级", "410100000000", "CITYOFFICE"]])
    client = _client(personas.supervisor)
    before = _writes()
    upload = SimpleUploadedFile("orgs.csv", data, content_type="text/csv")
    response = client.post(f"{BASE}/import/orgs?dry_run=true", data={"file": upload})
    assert response.status_code == 200
    report = response.json()
    assert (report["ok"], report["created"]) == (False, 1)
    assert [(e["row"], e["field"], e["code"]) for e in report["errors"]] == [
        (3, "层级", "import.enum")]
    real = client.post(
        f"{BASE}/import/orgs", data={"file": SimpleUploadedFile("orgs.csv", data)})
    assert real.status_code == 422
    assert real.json()["code"] == "import.invalid_rows"
    assert _writes() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_over_http(personas: SimpleNamespace, fmt: str) -> None:
    response = _client(personas.supervisor).get(f"{BASE}/export/orgs?format={fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="orgs.{fmt}"'
    bad = _client(personas.supervisor).get(f"{BASE}/export/orgs?format=pdf")
    assert bad.status_code == 422
    assert json.loads(bad.content)["field"] == "format"
