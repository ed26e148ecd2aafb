"""An evaluation invalidated outside an appeal voids its open order (the on_commit hook of
evaluation_invalidate), and the repair job voids what a lost hook left open."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.services import evaluation_invalidate
from haochaping.workorders import services as s
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.tasks import repair
from haochaping.workorders.tests.conftest import START

NOW = START

pytestmark = pytest.mark.django_db


def test_invalidation_voids_the_open_order(w: SimpleNamespace,
                                           django_capture_on_commit_callbacks: Any) -> None:
    evaluation = w.rate()
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_invalidate(actor=w.supervisor, evaluation=evaluation, reason="重复评价")
    order = WorkOrder.objects.get()
    assert order.status == "voided"
    assert order.rectify_due_at is None
    event = order.events.latest("pk")
    assert (event.action, event.from_status) == ("evaluation_void", "dispatched")


def test_repair_job_voids_what_a_lost_hook_left_open(w: SimpleNamespace) -> None:
    evaluation = w.rate()
    evaluation_invalidate(actor=w.supervisor, evaluation=evaluation, reason="重复评价")
    assert WorkOrder.objects.get().status == "dispatched"  # the hook never ran
    assert repair.call(NOW.isoformat()) == "work orders: 0 opened; voided orders: 1"
    assert WorkOrder.objects.get().status == "voided"
    assert repair.call(NOW.isoformat()) == "work orders: 0 opened; voided orders: 0"


def test_closed_orders_are_left_alone(settings: Any, w: SimpleNamespace,
                                      django_capture_on_commit_callbacks: Any) -> None:
    settings.HCP_POLICY_PRESET = "zhengdong"
    order = WorkOrder.objects.get(evaluation=w.rate())
    order = s.workorder_sign(actor=w.handler, order=order)
    order = s.workorder_rectify(actor=w.handler, order=order, measures="改", result="好")
    s.workorder_reply(actor=w.handler, order=order, text="已整改")
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_invalidate(actor=w.supervisor, evaluation=Evaluation.objects.get(),
                              reason="重复评价")
    assert WorkOrder.objects.get().status == "closed"


def test_upheld_appeal_is_not_voided_twice(settings: Any, w: SimpleNamespace,
                                           django_capture_on_commit_callbacks: Any) -> None:
    settings.HCP_POLICY_PRESET = "haiyang"
    order = WorkOrder.objects.get(evaluation=w.rate())
    order = s.workorder_appeal_file(actor=w.handler, order=order, grounds="malicious",
                                    evidence="录像")
    with django_capture_on_commit_callbacks(execute=True):
        order = s.workorder_appeal_rule(actor=w.supervisor, order=order, upheld=True,
                                        reason="恶意差评")
    assert order.status == "voided"
    assert list(order.events.values_list("action", flat=True)).count("evaluation_void") == 0
