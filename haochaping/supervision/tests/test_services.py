"""Spot-check services on a real database: plan, draw (recorded, reproducible, once),
findings with their consequences (a denied rating invalidated, a fake fix reopened),
publication; refusals change nothing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from haochaping.audit.models import AuditEvent
from haochaping.core.errors import AppError
from haochaping.evaluations.models import Evaluation
from haochaping.supervision import selectors
from haochaping.supervision.bulletin import outcome_text
from haochaping.supervision.models import CheckItem
from haochaping.supervision.rules import Stratum
from haochaping.supervision.services import (
    check_draw,
    finding_record,
    plan_create,
    plan_publish,
)
from haochaping.supervision.tests.conftest import ALL, SEPT, snapshot
from haochaping.workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def refused(code: str, fn: Any, **kw: Any) -> None:
    before = snapshot()
    with pytest.raises(AppError) as exc:
        fn(**kw)
    assert exc.value.code == code
    assert snapshot() == before


def plan(sv: SimpleNamespace, rates: dict[Stratum, int] = ALL) -> Any:
    return plan_create(actor=sv.supervisor, title="2026年9月核查抽查", start=SEPT[0],
                       end=SEPT[1], rates=rates, now=sv.now)


def test_draw_is_recorded_once_and_reproducible(sv: SimpleNamespace) -> None:
    p = plan(sv, {Stratum.GOOD: 30, Stratum.BAD: 100, Stratum.ORDER: 50})
    draw = check_draw(actor=sv.supervisor, plan=p, seed="sept26", now=sv.now)
    assert draw.candidates == 8 + 3 + 2  # two closed orders
    strata = sorted(draw.items.values_list("stratum", flat=True))
    # one org: good 8 at 30% → 3 (spread over web and evaluator); bad: 3; orders: 1
    assert strata == ["bad"] * 3 + ["good"] * 3 + ["order"]
    good = draw.items.filter(stratum="good").values_list("channel", flat=True)
    assert set(good) == {"web", "evaluator"}
    audit = AuditEvent.objects.get(action="supervision.draw")
    assert (audit.after["seed"], audit.after["digest"]) == ("sept26", draw.digest)
    assert len(audit.after["drawn"]) == 7
    replay = selectors.draw_replay(draw)
    assert (replay.same_candidates, replay.same_items, replay.items) == (True, True, 7)
    refused("supervision.drawn", check_draw, actor=sv.supervisor, plan=p, seed="other",
            now=sv.now)


def test_replay_holds_after_the_findings_change_the_rows(sv: SimpleNamespace) -> None:
    p = plan(sv)
    draw = check_draw(actor=sv.supervisor, plan=p, seed="r2", now=sv.now)
    for item in CheckItem.objects.filter(draw=draw, stratum__in=["bad", "order"]):
        finding = "not_confirmed" if item.evaluation_id else "false_report"
        finding_record(actor=sv.supervisor, item_id=item.pk, method="phone", finding=finding,
                       note="评价人表示未作出该评价", checked_on=sv.now.date(), now=sv.now)
    replay = selectors.draw_replay(draw)
    assert (replay.same_candidates, replay.same_items) == (True, True)


def test_a_fake_fix_reopens_its_order(sv: SimpleNamespace) -> None:
    p = plan(sv, {Stratum.ORDER: 100})
    check_draw(actor=sv.supervisor, plan=p, seed="fix", now=sv.now)
    item = CheckItem.objects.get(order=sv.closed[0])
    evidence = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
    row = finding_record(actor=sv.supervisor, item_id=item.pk, method="on_site",
                         finding="false_report", note="实地察看，材料清单仍未公示",
                         checked_on=sv.now.date(), evidence=evidence, now=sv.now)
    order = WorkOrder.objects.get(pk=sv.closed[0].pk)
    assert (order.status, order.closed_at) == ("returned", None)
    assert order.rectify_due_at is not None
    assert order.rectify_due_at > sv.now
    event = WorkOrderEvent.objects.filter(order=order).latest("pk")
    assert (event.action, event.from_status, event.payload["check"]) == ("reopen", "closed",
                                                                         item.pk)
    assert row.outcome == {"reopened": order.pk}
    assert (row.evidence_name, len(row.evidence_sha256)) == ("现场照片.png", 64)
    assert AuditEvent.objects.filter(action="workorder.reopen").count() == 1
    other = CheckItem.objects.get(order=sv.closed[1])
    finding_record(actor=sv.supervisor, item_id=other.pk, method="archive",
                   finding="verified", note="调阅整改档案，措施已落实",
                   checked_on=sv.now.date(), now=sv.now)
    assert WorkOrder.objects.get(pk=sv.closed[1].pk).status == "closed"
    total = selectors.figures_total(sv.supervisor, p)
    assert (total.checked_orders, total.verification_rate) == (2, 0.5)


def test_a_denied_rating_is_invalidated_with_its_reason(sv: SimpleNamespace) -> None:
    p = plan(sv, {Stratum.GOOD: 100})
    check_draw(actor=sv.supervisor, plan=p, seed="deny", now=sv.now)
    items = list(CheckItem.objects.filter(stratum="good").order_by("pk"))
    finding_record(actor=sv.supervisor, item_id=items[0].pk, method="phone",
                   finding="not_confirmed", note="评价人称当天未到大厅办事",
                   checked_on=sv.now.date(), now=sv.now)
    rating = Evaluation.objects.get(pk=items[0].evaluation_id)
    assert rating.invalidated_at == sv.now
    assert rating.invalid_reason.startswith("核查抽查：评价不属实")
    for item in items[1:4]:
        finding_record(actor=sv.supervisor, item_id=item.pk, method="phone",
                       finding="confirmed", note="评价人确认", checked_on=sv.now.date(),
                       now=sv.now)
    by_org = selectors.figures_by_org(sv.supervisor, p)
    assert by_org[sv.loc.market.name].consistency_rate == 0.75
    assert list(selectors.figures_by_window(sv.supervisor, p)) == [
        f"{sv.loc.hall.name} {sv.loc.window}"]


def test_bad_input_is_refused_and_changes_nothing(sv: SimpleNamespace) -> None:
    kw = {"title": "九月", "start": SEPT[0], "end": SEPT[1], "rates": ALL, "now": sv.now}
    refused("forbidden.role", plan_create, actor=sv.handler, **kw)
    refused("forbidden.role", plan_create, actor=sv.admin, **kw)
    refused("supervision.period_open", plan_create, actor=sv.supervisor,
            **{**kw, "end": sv.now.date()})
    refused("supervision.period", plan_create, actor=sv.supervisor,
            **{**kw, "end": SEPT[0].replace(day=1, month=8)})
    refused("supervision.rates", plan_create, actor=sv.supervisor, **{**kw, "rates": {}})
    refused("supervision.rates", plan_create, actor=sv.supervisor,
            **{**kw, "rates": {Stratum.BAD: 120}})
    refused("supervision.title", plan_create, actor=sv.supervisor, **{**kw, "title": " "})
    p = plan(sv)
    refused("supervision.seed", check_draw, actor=sv.supervisor, plan=p, seed="种子",
            now=sv.now)
    refused("forbidden.scope", check_draw, actor=sv.district_supervisor, plan=p, seed="x",
            now=sv.now)
    refused("supervision.not_drawn", plan_publish, actor=sv.supervisor, plan=p, now=sv.now)
    check_draw(actor=sv.supervisor, plan=p, seed="x", now=sv.now)
    rating_item = CheckItem.objects.filter(stratum="good").first()
    order_item = CheckItem.objects.get(order=sv.closed[0])
    assert rating_item is not None
    good = {"method": "phone", "finding": "confirmed", "note": "确认",
            "checked_on": sv.now.date(), "now": sv.now}
    refused("supervision.finding", finding_record, actor=sv.supervisor,
            item_id=order_item.pk, **good)
    refused("supervision.method", finding_record, actor=sv.supervisor,
            item_id=rating_item.pk, **{**good, "method": "email"})
    refused("supervision.note", finding_record, actor=sv.supervisor,
            item_id=rating_item.pk, **{**good, "note": ""})
    refused("supervision.checked_on", finding_record, actor=sv.supervisor,
            item_id=rating_item.pk, **{**good, "checked_on": SEPT[0]})
    exe = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00" + b"\x00" * 40)
    refused("upload.type_not_allowed", finding_record, actor=sv.supervisor,
            item_id=rating_item.pk, **{**good, "evidence": exe})
    refused("supervision.item_not_found", finding_record, actor=sv.district_supervisor,
            item_id=rating_item.pk, **good)
    refused("forbidden.role", finding_record, actor=sv.handler, item_id=rating_item.pk,
            **good)
    finding_record(actor=sv.supervisor, item_id=rating_item.pk, **good)
    refused("supervision.recorded", finding_record, actor=sv.supervisor,
            item_id=rating_item.pk, **good)
    refused("supervision.unchecked", plan_publish, actor=sv.supervisor, plan=p, now=sv.now)


def test_a_finding_on_an_order_already_back_in_the_loop_is_recorded(
        sv: SimpleNamespace) -> None:
    """The order left 已办结 after the draw (the rater's 不满意 sent it back to QA): the
    finding is recorded all the same, so the plan can still be published, and the order
    is left where it is instead of being reopened a second time."""
    p = plan(sv, {Stratum.ORDER: 100})
    check_draw(actor=sv.supervisor, plan=p, seed="twice", now=sv.now)
    item = CheckItem.objects.get(order=sv.closed[0])
    WorkOrder.objects.filter(pk=sv.closed[0].pk).update(status="replied")
    events = WorkOrderEvent.objects.count()
    row = finding_record(actor=sv.supervisor, item_id=item.pk, method="video",
                         finding="not_done", note="视频显示未整改", checked_on=sv.now.date(),
                         now=sv.now)
    assert row.outcome == {"reopened": "already", "status": "replied"}
    assert WorkOrder.objects.get(pk=sv.closed[0].pk).status == "replied"
    assert WorkOrderEvent.objects.count() == events
    assert AuditEvent.objects.filter(action="supervision.finding").count() == 1
    assert "工单已在重新办理中" in outcome_text(row.outcome)

