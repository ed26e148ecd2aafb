"""A GeoReport v2 client round trip against the running server (live_server): discover
the services, file a request, find it in the list and by id, and see it closed after the
item is dispatched, answered and closed through the services."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from xml.etree import ElementTree

import pytest
import requests
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.complaints.models import Submission
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.services.moves import submission_move
from haochaping.evaluations.tests import factories as ef
from haochaping.workorders import services as wo
from haochaping.workorders.tests.conftest import PARTS

pytestmark = pytest.mark.django_db(transaction=True)


class GeoReportError(Exception):
    def __init__(self, status: int, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.errors = errors


@dataclass
class GeoReport:
    """The few calls a civic tool makes (wiki.open311.org/GeoReport_v2)."""

    endpoint: str  # …/open311/v2
    api_key: str

    def _get(self, path: str, **params: str) -> Any:
        response = requests.get(f"{self.endpoint}/{path}", params=params, timeout=10)
        if response.status_code != 200:
            raise GeoReportError(response.status_code, response.json())
        return response.json()

    def services(self) -> list[dict[str, Any]]:
        return self._get("services.json")  # type: ignore[no-any-return]

    def create(self, **fields: str) -> dict[str, Any]:
        response = requests.post(f"{self.endpoint}/requests.json",
                                 data={"api_key": self.api_key, **fields}, timeout=10)
        if response.status_code not in (200, 201):
            raise GeoReportError(response.status_code, response.json())
        [created] = response.json()
        return created  # type: ignore[no-any-return]

    def requests(self, **filters: str) -> list[dict[str, Any]]:
        return self._get("requests.json", **filters)  # type: ignore[no-any-return]

    def request(self, service_request_id: str) -> dict[str, Any]:
        [found] = self._get(f"requests/{service_request_id}.json", api_key=self.api_key)
        return found  # type: ignore[no-any-return]


def _close_through_the_services(people: SimpleNamespace, market: Any, ref: str) -> None:
    """The item was routed to the department at intake; it answers with the four
    elements, its head approves, the office's QA passes it: the closing order answers the
    item (complaints' engine hook) and the submitter's verdict closes it."""
    office, handler = actor_for_user(people.supervisor), actor_for_user(people.handler)
    item = Submission.objects.get(ref=ref)
    order = item.order
    assert order is not None
    assert order.org_id == market.pk
    wo.workorder_sign(actor=handler, order=order)
    wo.workorder_reply(actor=handler, order=order, parts=PARTS)
    wo.workorder_head_review(actor=actor_for_user(people.head), order=order, approved=True)
    wo.workorder_review(actor=office, order=order, passed=True)
    order.refresh_from_db()
    assert order.status == "closed"
    item.refresh_from_db()
    assert item.status == Status.ANSWERED
    submission_move(item, Status.CLOSED, action="close", now=timezone.now())


def test_a_civic_tool_files_and_follows_a_request(
        live_server: Any, locality: SimpleNamespace, personas: SimpleNamespace,
        settings: Any) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"
    _, key = ef.make_client(locality.market, scopes=("complaint_filing:write",),
                            name="城市服务App")
    client = GeoReport(f"{live_server.url}/open311/v2", key)

    codes = {s["service_code"]: s["service_name"] for s in client.services()}
    assert codes == {"inquiry": "咨询", "complaint": "投诉", "suggestion": "建议"}

    created = client.create(
        service_code="complaint", lat="34.7466", long="113.6253",
        description="市场监管局窗口要求三次提供同样的材料，希望说明原因并改进。",
        first_name="四", last_name="李", phone="13912345678",
        **{"attribute[org_code]": locality.market.code})
    ref = created["service_request_id"]
    assert created["service_notice"] == "已交办承办部门办理"  # routed at intake

    listed = {r["service_request_id"]: r for r in client.requests(status="open")}
    assert listed[ref]["status"] == "open"
    assert listed[ref]["service_code"] == "complaint"
    assert "description" not in listed[ref]  # no key: the public view
    mine = client.request(ref)
    assert (mine["status"], mine["lat"], mine["long"]) == ("open", 34.7466, 113.6253)
    assert mine["requested_datetime"].endswith("+08:00")

    _close_through_the_services(personas, locality.market, ref)

    closed = client.request(ref)
    assert closed["status"] == "closed"
    assert closed["status_notes"] == "已办结"
    assert closed["agency_responsible"] == locality.market.name
    assert [r["service_request_id"] for r in client.requests(status="closed")] == [ref]
    assert client.requests(status="open") == []
    xml = requests.get(f"{client.endpoint}/requests/{ref}.xml", timeout=10)
    assert ElementTree.fromstring(xml.content).findtext("request/status") == "closed"

    with pytest.raises(GeoReportError) as refused:
        GeoReport(client.endpoint, "hcp_00000000_wrong").create(
            service_code="complaint", description="窗口要求重复提交材料，希望改进。")
    assert refused.value.status == 403
    assert refused.value.errors[0]["code"] == 403
    assert Submission.objects.count() == 1
