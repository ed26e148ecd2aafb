"""The supervising office's console: tabs with counts, each duty through the same
services, refusals shown with the code and nothing written."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.workorders import services as s
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.tests.conftest import snapshot
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def replied(settings: Any, w: SimpleNamespace) -> WorkOrder:
    settings.HCP_POLICY_PRESET = "xinxiang"  # QA by the office (004 §6(二))
    w.rate()
    order = s.workorder_sign(actor=w.handler, order=WorkOrder.objects.get())
    order = s.workorder_rectify(actor=w.handler, order=order, measures="a", result="b")
    return s.workorder_reply(actor=w.handler, order=order, text="已整改")


def post(client: Client, order: WorkOrder, step: str, data: dict[str, str]) -> Any:
    return client.post(f"/work/orders/{order.pk}/act/{step}",
                       {"console_tab": "qa", **data}, **HX)


@pytest.mark.parametrize(("persona", "status"), [
    ("supervisor", 200), ("admin", 200), ("handler", 403), ("auditor", 403),
    ("window_staff", 403),
])
def test_console_is_for_the_office_only(replied: WorkOrder, w: SimpleNamespace,
                                        persona: str, status: int) -> None:
    response = logged_in(getattr(w.people, persona)).get("/work/orders/console/")
    assert response.status_code == status


def test_tabs_show_counts_and_the_qa_queue(replied: WorkOrder, w: SimpleNamespace) -> None:
    client = logged_in(w.people.supervisor)
    page = client.get("/work/orders/console/").content.decode()
    assert 'data-testid="count-qa">1<' in page
    assert 'data-testid="count-dispatch">0<' in page
    part = client.get("/work/orders/console/?tab=qa", **HX).content.decode()
    assert "<html" not in part
    assert f'data-order="{replied.pk}"' in part
    other = logged_in(w.people.district_supervisor).get("/work/orders/console/?tab=qa")
    assert f'data-order="{replied.pk}"' not in other.content.decode()


def test_qa_return_needs_reasons_then_pass_closes(replied: WorkOrder,
                                                  w: SimpleNamespace) -> None:
    client = logged_in(w.people.supervisor)
    before = snapshot()
    response = post(client, replied, "review", {"passed": "0", "reasons": ""})
    assert response.status_code == 422
    assert 'data-code="workorder.text_required"' in response.content.decode()
    assert snapshot() == before
    response = post(client, replied, "review", {"passed": "1"})
    assert response.status_code == 200
    assert 'data-testid="done"' in response.content.decode()
    replied.refresh_from_db()
    assert replied.status == "closed"


def test_typical_case_on_closed_orders_goes_through_the_preview(replied: WorkOrder,
                                                                 w: SimpleNamespace) -> None:
    client = logged_in(w.people.supervisor)
    before = snapshot()
    refused = client.post(f"/work/orders/{replied.pk}/act/typical",
                          {"console_tab": "typical", "typical": "1"}, **HX)
    assert refused.status_code == 409
    assert 'data-code="workorder.invalid_transition"' in refused.content.decode()
    assert snapshot() == before
    s.workorder_review(actor=w.supervisor, order=replied, passed=True)
    panel = client.get("/work/orders/console/?tab=typical").content.decode()
    assert 'data-testid="typical-preview-link"' in panel
    before = snapshot()
    unconfirmed = client.post(f"/work/orders/{replied.pk}/act/typical",
                              {"console_tab": "typical", "typical": "1"}, **HX)
    assert unconfirmed.status_code == 422
    assert 'data-code="workorder.preview_required"' in unconfirmed.content.decode()
    assert snapshot() == before
    s.workorder_mark_typical(actor=w.supervisor, order=replied, public_text="已整改到位。")
    response = client.post(f"/work/orders/{replied.pk}/act/typical",
                           {"console_tab": "typical", "typical": "0"}, **HX)
    assert response.status_code == 200
    assert WorkOrder.objects.get().typical_case is False


def test_redispatch_within_the_subtree(settings: Any, w: SimpleNamespace) -> None:
    w.rate()
    order = WorkOrder.objects.get()
    client = logged_in(w.people.district_supervisor)
    assert client.post(f"/work/orders/{order.pk}/act/redispatch",
                       {"org_id": str(w.loc.district_hr.pk)}, **HX).status_code == 404
    client = logged_in(w.people.supervisor)
    before = snapshot()
    response = client.post(f"/work/orders/{order.pk}/act/redispatch",
                           {"console_tab": "dispatch", "org_id": ""}, **HX)
    assert response.status_code == 422
    assert 'data-code="workorder.invalid_org"' in response.content.decode()
    assert snapshot() == before
    response = client.post(f"/work/orders/{order.pk}/act/redispatch",
                           {"console_tab": "dispatch", "org_id": str(w.loc.district_hr.pk)},
                           **HX)
    assert response.status_code == 200
    assert WorkOrder.objects.get().org_id == w.loc.district_hr.pk


def test_appeal_and_extension_tabs(settings: Any, w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "zhengdong"  # extensions allowed (000 §9)
    w.rate()
    order = s.workorder_sign(actor=w.handler, order=WorkOrder.objects.get())
    s.workorder_extension_request(actor=w.handler, order=order,
                                  new_due_date=date(2026, 10, 30), reason="协调")
    client = logged_in(w.people.supervisor)
    assert 'data-testid="count-extensions">1<' in client.get(
        "/work/orders/console/").content.decode()
    response = client.post(f"/work/orders/{order.pk}/act/extension_decide",
                           {"console_tab": "extensions", "grant": "1"}, **HX)
    assert response.status_code == 200
    order = s.workorder_appeal_file(actor=w.handler, order=WorkOrder.objects.get(),
                                    grounds="untrue", evidence="监控录像显示已一次告知")
    assert 'data-testid="count-appeals">1<' in client.get(
        "/work/orders/console/").content.decode()
    before = snapshot()
    refused = client.post(f"/work/orders/{order.pk}/act/appeal_rule",
                          {"console_tab": "appeals", "reason": "证据不足"}, **HX)
    assert refused.status_code == 422
    assert snapshot() == before
    response = client.post(f"/work/orders/{order.pk}/act/appeal_rule",
                           {"console_tab": "appeals", "upheld": "0", "reason": "证据不足"},
                           **HX)
    assert response.status_code == 200
    assert WorkOrder.objects.get().status == "signed"
