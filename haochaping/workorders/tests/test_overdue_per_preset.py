"""Under every policy preset a signed bad review that nobody rectifies runs overdue at the
deadline the official calendar gives (across the 2026 National Day holiday): the sweep
marks it, escalates it to the supervising office (督办) once, and tells the department."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.workorders import services as s
from haochaping.workorders.models import Escalation, Notification, WorkOrder, WorkOrderEvent
from haochaping.workorders.services.clocks import sweep_overdue
from haochaping.workorders.tests.test_flow import PRESETS, at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("preset", list(PRESETS))
def test_unrectified_order_runs_overdue_and_is_escalated_once(
        settings: Any, w: SimpleNamespace, preset: str) -> None:
    settings.HCP_POLICY_PRESET = preset
    rectify_due, _, contact_due, _, _ = PRESETS[preset]
    w.rate()
    order = WorkOrder.objects.get()
    w.clock(at(9, 30))
    s.workorder_sign(actor=w.handler, order=order)
    # Staged presets (seed 004 §6 "1, 5, 15") run out on the contact clock first.
    first_due, clock = (contact_due, "contact") if contact_due else (rectify_due, "rectify")

    just_before = first_due - timedelta(minutes=1)
    w.clock(just_before)
    sweep_overdue(just_before)
    assert not Escalation.objects.exists()
    assert WorkOrder.objects.get().overdue_at is None

    late = first_due + timedelta(minutes=1)
    w.clock(late)
    sweep_overdue(late)
    order = WorkOrder.objects.get()
    assert order.overdue_at is not None
    escalation = Escalation.objects.get()
    assert (escalation.clock, escalation.level) == (clock, 1)
    assert Notification.objects.filter(order=order, kind="overdue").exists()
    assert WorkOrderEvent.objects.filter(order=order, action="escalate").exists()

    before = (Escalation.objects.count(), WorkOrderEvent.objects.count())
    sweep_overdue(late + timedelta(minutes=5))
    assert (Escalation.objects.count(), WorkOrderEvent.objects.count()) == before
