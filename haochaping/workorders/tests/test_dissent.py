"""``dissent`` (issue 16): a rater not satisfied with the outcome says why, and the order
goes back to the office's QA instead of staying closed. On SQLite and PostgreSQL."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.audit.models import AuditEvent
from haochaping.core.errors import AppError, Conflict, PermissionDenied
from haochaping.notify.models import OutboxMessage
from haochaping.workorders import services as s
from haochaping.workorders.models import WorkOrder, WorkOrderEvent
from haochaping.workorders.tests.conftest import snapshot

pytestmark = pytest.mark.django_db


def closed(w: SimpleNamespace) -> WorkOrder:
    """A zhengdong order (no QA): the reply is released and closes the order at once."""
    order = WorkOrder.objects.get(evaluation=w.rate())
    order = s.workorder_sign(actor=w.handler, order=order)
    order = s.workorder_rectify(actor=w.handler, order=order, measures="一次告知",
                                result="已重新办理")
    order = s.workorder_reply(actor=w.handler, order=order, text="已一次性告知所需材料")
    assert order.status == "closed"
    return order


@pytest.fixture
def no_qa(settings: Any) -> None:
    settings.HCP_POLICY_PRESET = "zhengdong"


def test_dissent_sends_a_closed_order_back_to_the_office(no_qa: None,
                                                         w: SimpleNamespace) -> None:
    order = closed(w)
    closed_at = order.closed_at
    order = s.workorder_dissent(actor=s.SYSTEM, order=order, reason="  材料清单仍未更新 ")
    assert (order.status, order.satisfied, order.closed_at) == ("replied", False, None)
    event = WorkOrderEvent.objects.filter(order=order).latest("pk")
    assert (event.action, event.from_status, event.to_status) == ("dissent", "closed",
                                                                  "replied")
    assert event.payload == {"satisfied": False, "channel": "rater_page",
                             "reason": "材料清单仍未更新",
                             "closed_at": closed_at.isoformat() if closed_at else None}
    assert event.note == "评价人对整改结果不满意：材料清单仍未更新"
    audit = AuditEvent.objects.filter(action="workorder.dissent").get()
    assert audit.after["status"] == "replied"
    # The office's QA decides: return it to the department, or pass it again.
    returned = s.workorder_review(actor=w.supervisor, order=order, passed=False,
                                  reasons="请补充更新后的材料清单")
    assert returned.status == "returned"
    assert returned.rectify_due_at is not None


def test_the_office_can_pass_it_again_without_a_second_sms(no_qa: None,
                                                           w: SimpleNamespace) -> None:
    order = s.workorder_dissent(actor=s.SYSTEM, order=closed(w), reason="态度仍不好")
    sent = OutboxMessage.objects.filter(template="rectification_reply").count()
    again = s.workorder_review(actor=w.supervisor, order=order, passed=True, reasons="已核实")
    assert (again.status, again.satisfied) == ("closed", False)
    assert OutboxMessage.objects.filter(template="rectification_reply").count() == sent


@pytest.mark.parametrize("reason", ["", "   ", "字" * 501, 7])
def test_a_reason_is_required_and_bounded(no_qa: None, w: SimpleNamespace,
                                          reason: Any) -> None:
    order = closed(w)
    before = snapshot()
    with pytest.raises(AppError) as exc:
        s.workorder_dissent(actor=s.SYSTEM, order=order, reason=reason)
    assert exc.value.code in ("workorder.text_required", "workorder.text_too_long",
                              "workorder.invalid_text")
    assert exc.value.status == 422
    assert snapshot() == before


def test_once_only_and_never_before_the_reply_is_released(settings: Any,
                                                          w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "haiyang"  # QA: the reply waits for the office
    order = WorkOrder.objects.get(evaluation=w.rate())
    order = s.workorder_sign(actor=w.handler, order=order)
    order = s.workorder_callback(actor=w.handler, order=order, method="phone", reached=True,
                                 summary="已联系")
    order = s.workorder_rectify(actor=w.handler, order=order, measures="改", result="好")
    order = s.workorder_reply(actor=w.handler, order=order, text="已整改")
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        s.workorder_dissent(actor=s.SYSTEM, order=order, reason="没有解决")
    assert exc.value.code == "workorder.reply_not_released"
    assert snapshot() == before
    order = s.workorder_review(actor=w.supervisor, order=order, passed=True)
    order = s.workorder_dissent(actor=s.SYSTEM, order=order, reason="没有解决")
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        s.workorder_dissent(actor=s.SYSTEM, order=order, reason="还是没有解决")
    assert exc.value.code == "workorder.satisfaction_given"
    with pytest.raises(Conflict):
        s.workorder_satisfaction(actor=s.SYSTEM, order=order, satisfied=True)
    assert snapshot() == before


def test_the_department_cannot_speak_for_the_rater(no_qa: None, w: SimpleNamespace) -> None:
    """Only the rater (through the platform) or the office may record a dissent: the
    department being rated can neither take it nor undo a close by it."""
    order = closed(w)
    before = snapshot()
    for actor in (w.handler, w.head):
        with pytest.raises(PermissionDenied):
            s.workorder_dissent(actor=actor, order=order, reason="不满意")
    assert snapshot() == before
