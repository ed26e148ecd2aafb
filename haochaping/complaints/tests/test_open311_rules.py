"""The Open311 mapping (pure): services, status, notes, times, queries, filings, XML."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest

from haochaping.complaints.rules import open311 as rules
from haochaping.complaints.rules.kinds import PUBLIC_KINDS, Status
from haochaping.complaints.rules.open311 import Open311Error


def test_services_are_the_public_kinds_in_chinese() -> None:
    assert tuple(rules.SERVICES) == tuple(k.value for k in PUBLIC_KINDS)
    assert [s.name for s in rules.SERVICES.values()] == ["咨询", "投诉", "建议"]
    assert rules.SERVICES["complaint"].as_dict()["type"] == "realtime"
    assert [a["code"] for a in rules.definition("complaint")["attributes"]] == [
        "org_code", "subject"]
    with pytest.raises(Open311Error) as caught:
        rules.service("bad_review")  # arrives from other platforms only
    assert (caught.value.status, caught.value.error_code) == (404, "open311.unknown_service")


@pytest.mark.parametrize(("status", "expected"), [
    (Status.TRIAGE, "open"), (Status.ACCEPTED, "open"), (Status.DISPATCHED, "open"),
    (Status.REOPENED, "open"), (Status.ANSWERED, "closed"), (Status.CLOSED, "closed"),
    (Status.REFUSED, "closed")])
def test_open_or_closed(status: Status, expected: str) -> None:
    assert rules.open_or_closed(status) == expected


def test_a_merged_item_is_as_open_as_the_one_it_follows() -> None:
    assert rules.open_or_closed(Status.MERGED, Status.DISPATCHED) == "open"
    assert rules.open_or_closed(Status.MERGED, Status.CLOSED) == "closed"
    assert rules.status_notes(Status.MERGED, merged_ref="TS1") == "与 TS1 重复，已并入该件一并办理"


def test_a_refusal_says_why_and_where_to_go() -> None:
    note = rules.status_notes(Status.REFUSED, reason="petition")
    assert note.startswith("不予受理：")
    assert "信访" in note
    assert rules.status_notes(Status.DISPATCHED) == "已交承办部门办理"


def test_times_are_iso_in_beijing_time() -> None:
    moment = datetime(2026, 10, 1, 1, 2, 3, 456, tzinfo=UTC)
    assert rules.iso(moment) == "2026-10-01T09:02:03+08:00"
    assert rules.iso(None) is None
    assert rules.parse_datetime("2026-10-08", "start_date") == datetime(
        2026, 10, 8, tzinfo=rules.SHANGHAI)
    assert rules.parse_datetime("2026-10-08T01:00:00Z", "end_date") == datetime(
        2026, 10, 8, 9, tzinfo=rules.SHANGHAI)


@pytest.mark.parametrize(("params", "code"), [
    ({"start_date": "yesterday"}, "open311.invalid_date"),
    ({"start_date": "2026-13-40"}, "open311.invalid_date"),
    ({"start_date": "2026-10-09", "end_date": "2026-10-08"}, "open311.invalid_range"),
    ({"status": "open,pending"}, "open311.invalid_status"),
    ({"service_code": "praise"}, "open311.invalid_service_code"),
    ({"service_request_id": ",".join(str(i) for i in range(101))}, "open311.too_many"),
])
def test_bad_queries(params: dict[str, str], code: str) -> None:
    with pytest.raises(Open311Error) as caught:
        rules.read_query(params)
    assert (caught.value.status, caught.value.error_code) == (400, code)


def test_a_query() -> None:
    query = rules.read_query({"service_request_id": "A, B,A", "status": "closed",
                              "service_code": "inquiry,complaint"})
    assert (query.ids, query.statuses, query.codes) == (("A", "B"), ("closed",),
                                                        ("inquiry", "complaint"))


GOOD = {"service_code": "complaint", "description": "窗口人员态度生硬，要求说明原因",
        "lat": "34.75", "long": "113.62", "first_name": "晓明", "last_name": "张",
        "phone": "13800138000", "media_url": "https://example.org/a.jpg",
        "attribute[org_code]": "MARKET"}


def test_a_filing() -> None:
    filing = rules.read_filing(GOOD)
    assert (filing.name, filing.lat, filing.long, filing.org_code) == (
        "张晓明", 34.75, 113.62, "MARKET")
    assert filing.location() == {"lat": 34.75, "long": 113.62,
                                 "media_url": "https://example.org/a.jpg"}


@pytest.mark.parametrize(("change", "code"), [
    ({"service_code": ""}, "open311.service_code_required"),
    ({"service_code": "bad_review"}, "open311.unknown_service"),
    ({"description": "  "}, "open311.description_required"),
    ({"description": "长" * 4001}, "open311.description_too_long"),
    ({"long": ""}, "open311.invalid_location"),
    ({"lat": "north"}, "open311.invalid_lat"),
    ({"long": "181"}, "open311.invalid_long"),
    ({"lat": "nan"}, "open311.invalid_lat"),
    ({"first_name": "名" * 51}, "open311.first_name_too_long"),
])
def test_bad_filings(change: dict[str, str], code: str) -> None:
    with pytest.raises(Open311Error) as caught:
        rules.read_filing({**GOOD, **change})
    assert (caught.value.status, caught.value.error_code) == (400, code)


def test_xml_has_the_specs_element_names() -> None:
    text = rules.xml("services", [rules.SERVICES["inquiry"].as_dict()])
    root = ElementTree.fromstring(text)
    assert root.tag == "services"
    assert root.find("service/service_code").text == "inquiry"  # type: ignore[union-attr]
    assert root.find("service/metadata").text == "true"  # type: ignore[union-attr]
    definition = ElementTree.fromstring(rules.xml("service_definition",
                                                  rules.definition("inquiry")))
    assert [e.findtext("code") for e in definition.iter("attribute")] == ["org_code", "subject"]
    error = ElementTree.fromstring(rules.xml("errors", [Open311Error(
        403, "auth.invalid_key", "api_key <无效>").as_dict()]))
    assert error.findtext("error/code") == "403"
    assert error.findtext("error/description") == "api_key <无效>"
