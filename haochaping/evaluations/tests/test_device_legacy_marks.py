"""A four-key pad's degraded rating and a legacy system's rating carry their mark into the
statistics' drill-down rows and exports, and the interface is in the OpenAPI document."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.core.localtime import SHANGHAI, local_day
from haochaping.evaluations.legacy.services import legacy_import_file
from haochaping.evaluations.tests.device_support import register
from haochaping.evaluations.tests.legacy_support import csv_bytes
from haochaping.stats.exports import drilldown_export

pytestmark = pytest.mark.django_db


def span() -> tuple[date, date]:
    """The local days of the last hour (the legacy rating is 30 minutes old)."""
    now = timezone.now()
    return local_day(now - timedelta(hours=1)), local_day(now)


@pytest.fixture
def marked(world: SimpleNamespace) -> SimpleNamespace:
    pad = register(world.people.supervisor, world.loc.window, "four_key", "四键评价器")
    degraded = world.handling(completed_at=timezone.now())
    assert pad.send("POST", "/api/v1/devices/ratings",
                    {"handling_id": degraded.pk, "key": 2}).status_code == 201
    legacy = world.handling()
    moment = (timezone.now() - timedelta(minutes=30)).astimezone(SHANGHAI)
    data = csv_bytes([["L-1", legacy.proj_no, "5", moment.strftime("%Y-%m-%d %H:%M:%S"),
                       "", ""]])
    result = legacy_import_file(actor=actor_for_user(world.people.supervisor),
                                source="原满意度系统", data=data)
    assert result.counts["created"] == 1
    return SimpleNamespace(degraded=degraded, legacy=legacy)


def test_the_marks_are_in_the_drilldown_export(world: SimpleNamespace,
                                               marked: SimpleNamespace) -> None:
    start, end = span()
    sheet, count = drilldown_export(actor_for_user(world.people.supervisor),
                                    figure="real_ratings", start=start, end=end)
    assert count == 2
    rows = [dict(zip(sheet.headers, line, strict=True)) for line in sheet.rows]
    by_degraded = {r["降级设备评价"]: r for r in rows}
    assert by_degraded["是"]["评价等级"] == "满意"
    assert by_degraded["是"]["来源系统"] == ""
    assert by_degraded["否"]["来源系统"] == "原满意度系统"


def test_the_marks_are_on_the_drilldown_screen(world: SimpleNamespace,
                                               marked: SimpleNamespace) -> None:
    client = Client()
    client.force_login(world.people.supervisor)
    start, end = span()
    response = client.get("/work/stats/drill/", {"figure": "real_ratings",
                                                  "start": start.isoformat(),
                                                  "end": end.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "（四键降级）" in html
    assert "（历史导入：原满意度系统）" in html


def test_the_interface_is_in_the_openapi_document() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    paths = set(document["paths"])
    assert {"/api/v1/devices", "/api/v1/devices/offline", "/api/v1/devices/heartbeat",
            "/api/v1/devices/pending", "/api/v1/devices/ratings",
            "/api/v1/devices/{device_id}/rekey", "/api/v1/evaluations/legacy",
            "/api/v1/evaluations/legacy/file"} <= paths
    scheme = document["components"]["securitySchemes"]["DeviceSignatureAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header",
                                                              "X-HCP-Signature")
