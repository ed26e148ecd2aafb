"""The demo's downward exchange (issue 13): a provincial rating stored as ours, a parked
one, forwarded items received, dispatched and closed with the outcome for the province."""

from __future__ import annotations

from haochaping.evaluations.models import Evaluation
from haochaping.exchange.models import (
    ForwardedItem,
    InboundRating,
    OutboxRecord,
    ParkedRating,
    Remote,
)
from haochaping.workorders.models import OrderRequest, WorkOrder


def test_the_province_sends_down(built: str) -> None:
    remote = Remote.objects.get(name="henan")
    stored = InboundRating.objects.get(remote=remote, status="stored")
    evaluation = Evaluation.objects.get(pk=stored.evaluation_id)
    assert (evaluation.channel, stored.remote_channel, evaluation.is_current) == ("app", "2",
                                                                                 True)
    parked = ParkedRating.objects.get()
    assert (parked.status, parked.proj_no) == ("waiting", "HN-DEMO-PENDING-0001")
    items = {i.remote_ref: i for i in ForwardedItem.objects.all()}
    assert {i.status for i in items.values()} == {"received", "dispatched", "closed"}
    closed = items["HN-ZX-20260003"]
    assert closed.reply.startswith("变更经营范围")
    assert closed.replied_at is not None
    assert closed.work_order is not None
    assert closed.work_order.status == "closed"
    assert closed.work_order.kind == "inquiry"
    outcome = OutboxRecord.objects.get(kind="complaint")  # queued for the province only
    assert (outcome.remote_id, outcome.object_id, outcome.status) == (remote.pk, closed.pk,
                                                                     "pending")
    assert not OutboxRecord.objects.filter(kind="rating", remote=remote,
                                           object_id=stored.evaluation_id,
                                           status="pending").exists()  # not sent back
    dispatched = items["HN-TS-20260002"]
    assert dispatched.work_order is not None
    assert dispatched.work_order.status == "approving"  # the head's 审阅 (seed 004 §6(二))
    assert OrderRequest.objects.get(order=dispatched.work_order).text == dispatched.content
    assert items["HN-JY-20260004"].submitter_id is None  # sent without an identity
    # the two forwarded items dispatched on 上级转办 hold orders without a rating, each the
    # order of its complaints item too
    forwarded_orders = [i.work_order_id for i in items.values() if i.work_order_id]
    assert WorkOrder.objects.filter(evaluation__isnull=True,
                                    pk__in=forwarded_orders).count() == 2
    assert all(i.submission is not None and i.submission.order_id == i.work_order_id
               for i in items.values() if i.work_order_id)
    assert "上级平台评价 1 条入库、1 条待匹配；转办诉求 4 件" in built
