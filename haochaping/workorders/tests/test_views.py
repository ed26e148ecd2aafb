"""The workbench and order page: who sees what, and each step through the screens calls
the service (state changes) or shows the refusal and writes nothing."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.evaluations.tests import factories as ef
from haochaping.workorders.models import Attachment, Callback, WorkOrder
from haochaping.workorders.tests.conftest import START, snapshot
from tests.factories import logged_in

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32  # the start of a JPEG file

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def order(settings: Any, w: SimpleNamespace) -> WorkOrder:
    settings.HCP_POLICY_PRESET = "haiyang"  # call-back required (003 §18) and QA (003 §5)
    w.rate()
    return WorkOrder.objects.get()


def act(client: Client, order: WorkOrder, step: str, data: dict[str, Any] | None = None,
        **extra: Any) -> Any:
    return client.post(f"/work/orders/{order.pk}/act/{step}", data or {}, **HX, **extra)


@pytest.mark.parametrize(("persona", "queue", "page"), [
    ("handler", 200, 200), ("supervisor", 200, 200), ("district_supervisor", 200, 404),
    ("auditor", 200, 200), ("admin", 200, 200), ("outsider", 200, 404),
    ("window_staff", 403, 403),
])
def test_pages_by_role(order: WorkOrder, w: SimpleNamespace, persona: str, queue: int,
                       page: int) -> None:
    client = logged_in(getattr(w.people, persona))
    listed = client.get("/work/orders/")
    assert listed.status_code == queue
    shown = client.get(f"/work/orders/{order.pk}/")
    assert shown.status_code == page
    if queue == 200:
        assert (f'data-order="{order.pk}"' in listed.content.decode()) == (page == 200)
    if page != 200:
        assert w.rater.phone_masked not in shown.content.decode()


def test_window_staff_is_refused_everywhere(order: WorkOrder, w: SimpleNamespace) -> None:
    client = logged_in(w.people.window_staff)
    before = snapshot()
    for url in ("/work/orders/", f"/work/orders/{order.pk}/", "/work/orders/console/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "forbidden.role" in response.content.decode()
    assert act(client, order, "sign").status_code == 403
    assert client.post(f"/work/orders/{order.pk}/reveal", **HX).status_code == 403
    assert snapshot() == before


def test_anonymous_is_sent_to_login(order: WorkOrder) -> None:
    response = Client().get("/work/orders/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_queue_shows_countdown_and_filters_with_htmx(order: WorkOrder,
                                                     w: SimpleNamespace) -> None:
    client = logged_in(w.people.handler)
    page = client.get("/work/orders/").content.decode()
    assert 'class="countdown' in page
    assert 'datetime="2026-10-19T23:59:59' in page  # haiyang: 10 working days (003 §17)
    part = client.get("/work/orders/?status=dispatched", HTTP_HX_TARGET="queue-table", **HX)
    assert "<form" not in part.content.decode()
    assert f'data-order="{order.pk}"' in part.content.decode()
    for query in ("status=closed", "overdue=1", f"org={w.loc.district_hr.pk}",
                  "from=2026-09-30", "to=2026-09-28", "matter=999999"):
        empty = client.get(f"/work/orders/?{query}", HTTP_HX_TARGET="queue-table", **HX)
        assert f'data-order="{order.pk}"' not in empty.content.decode(), query
    kept = client.get(f"/work/orders/?org={w.loc.market.pk}&matter={w.loc.matter.pk}"
                      "&from=2026-09-29&to=2026-09-29", HTTP_HX_TARGET="queue-table", **HX)
    assert f'data-order="{order.pk}"' in kept.content.decode()


def test_order_page_shows_review_timeline_clocks_and_allowed_forms(
        order: WorkOrder, w: SimpleNamespace) -> None:
    page = logged_in(w.people.handler).get(f"/work/orders/{order.pk}/").content.decode()
    assert w.rater.phone_masked in page
    assert "多次被要求补充材料" in page
    assert 'data-action="open"' in page
    assert 'data-clock="rectify"' in page
    assert 'data-form="sign"' in page
    assert 'data-form="appeal_file"' in page
    assert 'data-form="callback"' not in page
    office = logged_in(w.people.supervisor).get(f"/work/orders/{order.pk}/").content.decode()
    assert 'data-form="redispatch"' in office
    assert 'data-form="sign"' not in office


def test_handler_walks_the_order_to_qa_through_the_screens(order: WorkOrder,
                                                          w: SimpleNamespace) -> None:
    client = logged_in(w.people.handler)
    response = act(client, order, "sign", {"complexity": "complex"})
    assert response.status_code == 200
    assert 'data-form="callback"' in response.content.decode()
    assert 'data-testid="reveal"' not in response.content.decode()  # relay only
    w.people.handler.phone = "13900001111"
    w.people.handler.save(update_fields=["phone"])
    audits = AuditEvent.objects.count()
    bound = client.post(f"/work/orders/{order.pk}/relay", **HX)
    assert bound.status_code == 200
    body = bound.content.decode()
    assert 'data-testid="virtual-number"' in body
    assert ef.PHONE not in body
    assert w.rater.phone_masked in body
    assert AuditEvent.objects.filter(action="workorder.relay_bind").count() == 1
    assert AuditEvent.objects.count() == audits + 1
    w.clock(START + timedelta(minutes=15))  # the call was made (the fake's call record)
    response = act(client, order, "callback", {"method": "relay", "summary": "已联系评价人"})
    assert response.status_code == 200
    callback = Callback.objects.get()
    assert callback.reached is True
    assert callback.method == "relay"
    assert 'data-testid="relay-call"' in response.content.decode()
    act(client, order, "verify", {"findings": "情况属实"})
    upload = SimpleUploadedFile("整改照片.jpg", JPEG, content_type="image/jpeg")
    response = act(client, order, "rectify", {"measures": "一次告知", "result": "已办结",
                                              "files": upload})
    assert response.status_code == 200
    assert Attachment.objects.get().name == "整改照片.jpg"
    response = act(client, order, "reply", {"text": "已一次性告知所需材料"})
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "replied"
    page = response.content.decode()
    assert 'data-action="reply"' in page
    assert "当前没有您可以办理的操作" in page


def test_without_htmx_a_step_redirects_to_the_order(order: WorkOrder,
                                                   w: SimpleNamespace) -> None:
    response = logged_in(w.people.handler).post(f"/work/orders/{order.pk}/act/sign")
    assert response.status_code == 302
    assert response["Location"] == f"/work/orders/{order.pk}/"


@pytest.mark.parametrize(("persona", "step", "data", "status", "code"), [
    ("handler", "review", {"passed": "1"}, 403, "workorder.wrong_party"),
    ("supervisor", "sign", {}, 403, "workorder.wrong_party"),
    ("auditor", "sign", {}, 403, "forbidden.role"),
    ("outsider", "sign", {}, 404, "workorder.not_found"),
    ("handler", "callback", {"method": "phone", "reached": "1", "summary": "x"}, 409,
     "workorder.invalid_transition"),
    ("handler", "sign", {"complexity": "hard"}, 422, "workorder.invalid_complexity"),
    ("handler", "appeal_file", {"grounds": "untrue", "evidence": " "}, 422,
     "workorder.text_required"),
    ("handler", "nonsense", {}, 404, "workorder.unknown_action"),
])
def test_refused_steps_show_the_error_and_write_nothing(
        order: WorkOrder, w: SimpleNamespace, persona: str, step: str,
        data: dict[str, str], status: int, code: str) -> None:
    client = logged_in(getattr(w.people, persona))
    before = snapshot()
    response = act(client, order, step, data)
    assert response.status_code == status
    assert f'data-code="{code}"' in response.content.decode()
    assert snapshot() == before


def test_refused_step_in_working_state_keeps_everything(order: WorkOrder,
                                                        w: SimpleNamespace) -> None:
    client = logged_in(w.people.handler)
    act(client, order, "sign")
    before = snapshot()
    for data, code in [({"method": "phone", "summary": "x"}, "workorder.invalid_flag"),
                       ({"method": "fax", "reached": "0", "summary": "x"},
                        "workorder.invalid_method"),
                       ({"method": "phone", "reached": "1", "summary": ""},
                        "workorder.text_required")]:
        response = act(client, order, "callback", data)
        assert response.status_code == 422
        assert f'data-code="{code}"' in response.content.decode()
    response = act(client, order, "reply", {"text": "已整改"})
    assert response.status_code == 422
    assert 'data-code="workorder.callback_required"' in response.content.decode()
    upload = SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg")
    response = act(client, order, "rectify", {"measures": "", "result": "r", "files": upload})
    assert response.status_code == 422
    assert Attachment.objects.count() == 0
    assert snapshot() == before


def test_reveal_is_refused_to_others_and_before_signing(order: WorkOrder,
                                                        w: SimpleNamespace) -> None:
    cases = [(logged_in(getattr(w.people, persona)), status, code)
             for persona, status, code in [("handler", 422, "workorder.reveal_not_now"),
                                           ("supervisor", 422, "rater.reveal_purpose_required"),
                                           ("auditor", 403, "forbidden.role"),
                                           ("outsider", 404, "workorder.not_found")]]
    before = snapshot()  # after the logins, which are audited themselves
    for client, status, code in cases:
        response = client.post(f"/work/orders/{order.pk}/reveal", **HX)
        assert response.status_code == status
        assert f'data-code="{code}"' in response.content.decode()
        assert ef.PHONE not in response.content.decode()
    assert snapshot() == before


def test_extension_request_through_the_order_page(settings: Any, w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "zhengdong"  # 000 §9: extensions allowed
    w.rate()
    order = WorkOrder.objects.get()
    client = logged_in(w.people.handler)
    act(client, order, "sign")
    before = snapshot()
    refused = act(client, order, "extension_request", {"new_due_date": "2026-10-01",
                                                       "reason": "需要协调"})
    assert refused.status_code == 422
    assert 'data-code="workorder.extension_too_short"' in refused.content.decode()
    assert act(client, order, "extension_request",
               {"new_due_date": "bad", "reason": "x"}).status_code == 422
    assert snapshot() == before
    response = act(client, order, "extension_request", {"new_due_date": "2026-10-30",
                                                        "reason": "需要跨部门协调"})
    assert response.status_code == 200
    assert "待审批" in response.content.decode()
