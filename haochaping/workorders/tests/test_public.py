"""The rater's page ``/workorders/reply/<public_id>`` (the reply SMS's link): public, shows
the reply only once released, takes the rater's satisfaction once, CSRF on, throttled."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.notify.models import OutboxMessage
from haochaping.workorders import services as s
from haochaping.workorders.models import WorkOrder, WorkOrderEvent
from haochaping.workorders.tests.conftest import snapshot

pytestmark = pytest.mark.django_db

SECRET_TEXT = "已一次性告知所需材料"


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def replied(w: SimpleNamespace) -> WorkOrder:
    """A haiyang order (call-back and QA required) replied, waiting for QA."""
    order = WorkOrder.objects.get(evaluation=w.rate())
    order = s.workorder_sign(actor=w.handler, order=order)
    order = s.workorder_callback(actor=w.handler, order=order, method="phone", reached=True,
                                 summary="已联系")
    order = s.workorder_rectify(actor=w.handler, order=order, measures="一次告知",
                                result="已重新办理")
    return s.workorder_reply(actor=w.handler, order=order, text=SECRET_TEXT)


def url(order: WorkOrder) -> str:
    return f"/workorders/reply/{order.public_id}"


def post(client: Client, order: WorkOrder, value: str) -> Any:
    return client.post(url(order), {"satisfied": value})


@pytest.fixture
def qa(settings: Any) -> None:
    settings.HCP_POLICY_PRESET = "haiyang"


def test_unreleased_reply_is_not_shown_and_cannot_be_answered(qa: None, client: Client,
                                                              w: SimpleNamespace) -> None:
    order = replied(w)
    page = client.get(url(order))
    body = page.content.decode()
    assert page.status_code == 200
    assert "多次被要求补充材料" not in body  # the rating's own text is not repeated
    assert SECRET_TEXT not in body
    assert 'name="satisfied"' not in body
    assert "部门正在核实整改" in body
    assert w.loc.matter.name in body
    assert "2026年9月29日" in body
    assert w.rater.name_masked in body
    before = snapshot()
    refused = post(client, order, "1")
    assert refused.status_code == 409
    assert 'data-code="workorder.reply_not_released"' in refused.content.decode()
    assert snapshot() == before


def test_released_reply_then_one_answer_only(qa: None, client: Client,
                                             w: SimpleNamespace) -> None:
    order = s.workorder_review(actor=w.supervisor, order=replied(w), passed=True)
    message = OutboxMessage.objects.get(template="rectification_reply")
    assert message.params["link"].endswith(url(order))  # the SMS links here
    body = client.get(url(order)).content.decode()
    assert SECRET_TEXT in body
    assert 'name="satisfied"' in body

    before = snapshot()
    asked = post(client, order, "0")  # 不满意 first asks why, recording nothing
    assert asked.status_code == 200
    assert 'data-testid="dissent-form"' in asked.content.decode()
    assert snapshot() == before
    empty = client.post(url(order), {"satisfied": "0", "reason": "  "})
    assert empty.status_code == 422
    assert 'data-code="workorder.text_required"' in empty.content.decode()
    assert 'data-testid="dissent-form"' in empty.content.decode()
    assert snapshot() == before
    answered = client.post(url(order), {"satisfied": "0", "reason": "材料清单仍未更新"})
    assert answered.status_code == 200
    assert 'data-satisfied="0"' in answered.content.decode()
    assert "退回政务服务管理机构复核" in answered.content.decode()
    order.refresh_from_db()
    assert order.satisfied is False
    assert (order.status, order.closed_at) == ("replied", None)  # back to the office's QA
    event = WorkOrderEvent.objects.filter(order=order).latest("pk")
    assert (event.action, event.from_status, event.to_status) == ("dissent", "closed",
                                                                  "replied")
    assert event.payload["reason"] == "材料清单仍未更新"
    assert (event.payload["satisfied"], event.payload["channel"]) == (False, "rater_page")
    assert AuditEvent.objects.filter(action="workorder.dissent").count() == 1

    before = snapshot()
    again = post(client, order, "1")
    assert again.status_code == 409
    assert 'data-code="workorder.satisfaction_given"' in again.content.decode()
    assert snapshot() == before
    assert 'name="satisfied"' not in client.get(url(order)).content.decode()


def test_bad_choice_unknown_order_csrf_and_throttle(qa: None, settings: Any,
                                                   w: SimpleNamespace) -> None:
    order = s.workorder_review(actor=w.supervisor, order=replied(w), passed=True)
    client = Client()
    before = snapshot()
    bad = post(client, order, "maybe")
    assert bad.status_code == 422
    assert b'data-code="workorder.invalid_flag"' in bad.content
    missing = client.get(f"/workorders/reply/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert b'data-code="workorder.not_found"' in missing.content
    assert Client(enforce_csrf_checks=True).post(url(order), {"satisfied": "1"}
                                                 ).status_code == 403
    settings.HCP_RATE_LIMITS = {"rater": (1, 600)}
    cache.clear()
    assert post(client, order, "x").status_code == 422
    limited = post(client, order, "1")
    assert limited.status_code == 429
    assert b'data-code="rate_limited"' in limited.content
    assert snapshot() == before


def test_office_records_satisfaction_from_a_call_back(settings: Any,
                                                      w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "zhengdong"  # no QA: the reply closes the order
    order = WorkOrder.objects.get(evaluation=w.rate())
    order = s.workorder_sign(actor=w.handler, order=order)
    order = s.workorder_rectify(actor=w.handler, order=order, measures="改", result="好")
    order = s.workorder_reply(actor=w.handler, order=order, text="已整改")
    assert order.status == "closed"
    order = s.workorder_satisfaction(actor=w.supervisor, order=order, satisfied=True)
    assert order.satisfied is True
