"""The Open311 GeoReport v2 endpoints through Django's test client: JSON and XML, the
spec's error list with its HTTP status and nothing written, the api_key and its scope,
filters, and what the public reads of a request (never its submitter or content)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from xml.etree import ElementTree

import orjson
import pytest
from django.test import Client
from django.utils import timezone

from haochaping.audit.models import AuditEvent
from haochaping.complaints.models import Submission, SubmissionEvent
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.complaints.services.moves import submission_move
from haochaping.evaluations.tests import factories as ef
from haochaping.handlings.models import Rater

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
CLEAR = "我在市场监管局窗口办理营业执照变更，窗口要求提供三次同样的材料，希望说明原因并改进。"
PHONE = "13912345678"


@pytest.fixture
def keys(locality: SimpleNamespace) -> SimpleNamespace:
    _, filer = ef.make_client(locality.market, scopes=("complaint_filing:write",),
                              name="城市服务App")
    _, other = ef.make_client(locality.market, scopes=("complaint_filing:write",),
                              name="另一个App")
    _, reader = ef.make_client(locality.market, scopes=("stats:read",), name="统计系统")
    return SimpleNamespace(filer=filer, other=other, reader=reader)


def post(data: dict[str, str], fmt: str = "json") -> Any:
    return Client().post(f"{BASE}/requests.{fmt}", data)


def filing(key: str, **extra: str) -> dict[str, str]:
    return {"api_key": key, "service_code": "complaint", "description": CLEAR,
            "first_name": "四", "last_name": "李", "phone": PHONE,
            "address_string": "郑州市金水路1号", "lat": "34.75", "long": "113.62",
            "media_url": "https://example.org/a.jpg", **extra}


def body(response: Any) -> Any:
    return orjson.loads(response.content)


def test_services_in_json_and_xml(locality: SimpleNamespace) -> None:
    response = Client().get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert [(s["service_code"], s["service_name"]) for s in body(response)] == [
        ("inquiry", "咨询"), ("complaint", "投诉"), ("suggestion", "建议")]
    xml = Client().get(f"{BASE}/services.xml")
    assert xml["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(xml.content)
    assert [s.findtext("service_name") for s in root.iter("service")] == ["咨询", "投诉", "建议"]
    definition = body(Client().get(f"{BASE}/services/complaint.json"))
    assert definition["service_code"] == "complaint"
    missing = Client().get(f"{BASE}/services/praise.json")
    assert missing.status_code == 404
    assert body(missing)[0]["code"] == 404


def test_filing_stores_an_item_through_the_intake(locality: SimpleNamespace,
                                                  keys: SimpleNamespace) -> None:
    response = post(filing(keys.filer, **{"attribute[org_code]": locality.market.code}))
    assert response.status_code == 201, response.content
    [answer] = body(response)
    item = Submission.objects.get()
    # routed to the market department at intake (complaints.services.dispatch)
    assert answer == {"service_request_id": item.ref, "service_notice": "已交办承办部门办理",
                      "account_id": None}
    assert (item.kind, item.channel, item.status, item.org_id, item.reply_channel) == (
        "complaint", "open311", "dispatched", locality.market.pk, "sms")
    rater = Rater.objects.get(pk=item.submitter_id)
    assert (rater.name_masked, rater.phone_masked[-4:]) == ("李*", "5678")
    assert item.phone_index  # the tracking page can find it by the phone
    step = item.events.get(action="open311")
    assert step.payload["lat"] == 34.75
    assert step.payload["address_string"] == "郑州市金水路1号"
    assert PHONE not in orjson.dumps(step.payload).decode()
    assert AuditEvent.objects.filter(action="complaint.receive").count() == 1


def _nothing_written() -> None:
    assert not Submission.objects.exists()
    assert not SubmissionEvent.objects.exists()
    assert not Rater.objects.exists()


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"api_key": ""}, 403, "auth.missing_credentials"),
    ({"api_key": "hcp_00000000_wrong"}, 403, "auth.invalid_key"),
    ({"service_code": "bad_review"}, 400, "open311.unknown_service"),
    ({"description": ""}, 400, "open311.description_required"),
    ({"lat": "91"}, 400, "open311.invalid_lat"),
    ({"phone": "12345"}, 400, "open311.invalid_submitter"),
    ({"attribute[org_code]": "NOSUCHORG"}, 400, "open311.unknown_org"),
    ({"description": "\u3000" * 3}, 400, "open311.description_required"),
])
def test_bad_filings_are_the_specs_errors_and_write_nothing(
        locality: SimpleNamespace, keys: SimpleNamespace, change: dict[str, str],
        status: int, code: str) -> None:
    for fmt in ("json", "xml"):
        response = post(filing(keys.filer, **change), fmt)
        assert response.status_code == status, response.content
        if fmt == "json":
            [error] = body(response)
            assert (error["code"], error["error_code"]) == (status, code)
            assert error["description"]
        else:
            root = ElementTree.fromstring(response.content)
            assert (root.tag, root.findtext("error/code")) == ("errors", str(status))
    _nothing_written()


def test_a_key_without_the_filing_scope_is_refused(locality: SimpleNamespace,
                                                   keys: SimpleNamespace) -> None:
    response = post(filing(keys.reader))
    assert response.status_code == 403
    assert body(response)[0]["error_code"] == "forbidden.scope"
    _nothing_written()


def test_only_get_and_post(locality: SimpleNamespace) -> None:
    response = Client().delete(f"{BASE}/requests.json")
    assert (response.status_code, body(response)[0]["code"]) == (405, 405)
    assert Client().get(f"{BASE}/requests.csv").status_code == 404


def test_the_public_reads_status_never_the_submitter_or_content(
        locality: SimpleNamespace, keys: SimpleNamespace) -> None:
    post(filing(keys.filer, description="机密：窗口工作人员王晓明索要好处费，请核查处理",
                **{"attribute[subject]": "王晓明"}))
    item = Submission.objects.get()
    for key in ("", f"?api_key={keys.other}"):
        listing = Client().get(f"{BASE}/requests.json{key}")
        detail = Client().get(f"{BASE}/requests/{item.ref}.json{key}")
        for response in (listing, detail):
            assert response.status_code == 200
            text = response.content.decode()
            for secret in ("机密", "王晓明", "李", PHONE, "5678", "金水路", "34.75"):
                assert secret not in text
        [row] = body(detail)
        assert (row["service_request_id"], row["status"], row["agency_responsible"]) == (
            item.ref, "open", locality.city_office.name)
        assert "description" not in row
    [mine] = body(Client().get(f"{BASE}/requests/{item.ref}.json?api_key={keys.filer}"))
    assert mine["description"].startswith("机密")
    assert (mine["address"], mine["lat"], mine["long"]) == ("郑州市金水路1号", 34.75, 113.62)
    assert "李" not in orjson.dumps(mine).decode()


def test_filters_and_the_refused_item(locality: SimpleNamespace,
                                      keys: SimpleNamespace) -> None:
    post(filing(keys.filer))
    post(filing(keys.filer, service_code="inquiry", description="你好？", phone="13800000001"))
    post(filing(keys.filer, service_code="suggestion", phone="13800000002",
                description="建议在市民服务中心增加自助打印设备，方便群众办事。"))
    complaint, inquiry, suggestion = (Submission.objects.get(kind=k) for k in (
        "complaint", "inquiry", "suggestion"))
    # 差评 and 综合点评 are not Open311 services: never listed
    submission_receive(kind="comment", channel="box", content=CLEAR + "（意见箱）",
                       subject=Subject(org=locality.market))

    def refs(query: str) -> list[str]:
        response = Client().get(f"{BASE}/requests.json{query}")
        assert response.status_code == 200, response.content
        return sorted(r["service_request_id"] for r in body(response))

    assert refs("") == sorted([complaint.ref, inquiry.ref, suggestion.ref])
    assert refs("?status=closed") == [inquiry.ref]
    assert refs("?status=open") == sorted([complaint.ref, suggestion.ref])
    assert refs("?service_code=suggestion,inquiry") == sorted([inquiry.ref, suggestion.ref])
    assert refs(f"?service_request_id={complaint.ref},{inquiry.ref}") == sorted(
        [complaint.ref, inquiry.ref])
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    assert refs(f"?start_date={tomorrow}") == []
    assert refs(f"?end_date={tomorrow}T00:00:00%2B08:00") == sorted(
        [complaint.ref, inquiry.ref, suggestion.ref])
    [refused] = body(Client().get(f"{BASE}/requests/{inquiry.ref}.json"))
    assert refused["status"] == "closed"
    assert refused["status_notes"].startswith("不予受理")
    bad = Client().get(f"{BASE}/requests.json?start_date=soon")
    assert (bad.status_code, body(bad)[0]["error_code"]) == (400, "open311.invalid_date")
    gone = Client().get(f"{BASE}/requests/TS20260101000000.xml")
    assert gone.status_code == 404
    assert ElementTree.fromstring(gone.content).findtext("error/code") == "404"


def test_the_department_and_times_once_dispatched(locality: SimpleNamespace,
                                                  keys: SimpleNamespace) -> None:
    post(filing(keys.filer))
    item = Submission.objects.get()
    submission_move(item, Status.DISPATCHED, action="dispatch", now=timezone.now())
    [row] = body(Client().get(f"{BASE}/requests/{item.ref}.json"))
    assert row["status_notes"] == "已交承办部门办理"
    assert row["requested_datetime"].endswith("+08:00")
    assert row["updated_datetime"].endswith("+08:00")


def test_filing_is_rate_limited_per_address(locality: SimpleNamespace, keys: SimpleNamespace,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # The limiter counts in fixed minutes: 21 filings on a loaded machine can straddle a
    # minute's end and start counting again. Its clock stands still here.
    from haochaping.core import ratelimit

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))
    statuses = [post(filing(keys.filer, service_code="inquiry", phone=f"139{n:08d}",
                            description=f"请问第{n}号事项的办理材料有哪些，需要本人到场吗？"))
                .status_code for n in range(21)]
    assert statuses[:20] == [201] * 20
    assert statuses[20] == 429
    assert Submission.objects.count() == 20
