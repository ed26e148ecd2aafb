"""The outbox trigger of work orders: a bad review's order leaves its 整改情况 when it
closes, through the real work-order engine (workorders' fixtures)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.exchange.models import OutboxRecord
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.tests.factories import make_remote
from haochaping.workorders import services as s
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.tests.conftest import clock, w  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_closed_bad_review_order_leaves_its_result_once(w: SimpleNamespace) -> None:  # noqa: F811
    remote = make_remote(kinds=(Kind.RESULT,))
    order = WorkOrder.objects.get(evaluation=w.rate())
    order = s.workorder_sign(actor=w.handler, order=order)
    order = s.workorder_rectify(actor=w.handler, order=order, measures="一次告知材料清单",
                                result="已重新办理")
    assert not OutboxRecord.objects.exists()  # open steps are no exchanged change
    order = s.workorder_reply(actor=w.handler, order=order, text="已一次性告知所需材料")
    assert order.status == "closed"
    row = OutboxRecord.objects.get()
    assert (row.remote_id, row.record_key, row.org_id, row.created_at) == (
        remote.pk, f"result:{order.pk}:closed:1", order.org_id, order.closed_at)
    # a later step of a closed order (the rater's satisfaction) is no second close
    s.workorder_satisfaction(actor=w.supervisor, order=order, satisfied=True)
    WorkOrder.objects.filter(pk=order.pk).update(typical_case=True)
    assert OutboxRecord.objects.count() == 1


def test_a_voided_order_sends_no_result(w: SimpleNamespace) -> None:  # noqa: F811
    make_remote(kinds=(Kind.RESULT,))
    order = WorkOrder.objects.get(evaluation=w.rate())
    WorkOrder.objects.filter(pk=order.pk).update(status="voided")
    assert not OutboxRecord.objects.exists()


def test_an_order_written_closed_leaves_too(w: SimpleNamespace) -> None:  # noqa: F811
    """A closed bad-review order inserted as it is (the demo's history, an import)."""
    remote = make_remote(kinds=(Kind.RESULT,))
    order = WorkOrder.objects.get(evaluation=w.rate())
    copy = WorkOrder.objects.create(**{
        **{f.attname: getattr(order, f.attname) for f in WorkOrder._meta.concrete_fields
           if f.attname not in ("id", "public_id", "evaluation_id")},
        "status": "closed", "closed_at": order.created_at})
    row = OutboxRecord.objects.get()
    assert (row.remote_id, row.record_key, row.created_at) == (
        remote.pk, f"result:{copy.pk}:closed:1", order.created_at)


def test_an_order_closed_again_leaves_its_new_result_as_the_next_version(
        w: SimpleNamespace, settings: Any) -> None:  # noqa: F811
    """The rater's dissent sends a closed order back; closed again (QA passes it), its new
    result goes up as version 2, and a spot check's reopen later as version 3."""
    settings.HCP_POLICY_PRESET = "zhengdong"  # no QA: the reply closes the order at once
    remote = make_remote(kinds=(Kind.RESULT,))
    order = WorkOrder.objects.get(evaluation=w.rate())
    order = s.workorder_sign(actor=w.handler, order=order)
    order = s.workorder_rectify(actor=w.handler, order=order, measures="一次告知材料清单",
                                result="已重新办理")
    order = s.workorder_reply(actor=w.handler, order=order, text="已一次性告知所需材料")
    order = s.workorder_dissent(actor=s.SYSTEM, order=order, reason="材料清单仍未更新")
    assert order.status == "replied"
    assert OutboxRecord.objects.count() == 1  # reopening is no exchanged change
    order = s.workorder_review(actor=w.supervisor, order=order, passed=True)
    assert order.status == "closed"
    order = s.workorder_reopen(actor=w.supervisor, order=order, reasons="实地核查整改未落实")
    assert order.status == "returned"
    order = s.workorder_rectify(actor=w.handler, order=order, measures="更新材料清单并公示",
                                result="已更新")
    order = s.workorder_reply(actor=w.handler, order=order, text="材料清单已更新")
    assert order.status == "closed"
    keys = list(OutboxRecord.objects.filter(remote=remote).order_by("version")
                .values_list("record_key", "version"))
    assert keys == [(f"result:{order.pk}:closed:{v}", v) for v in (1, 2, 3)]
