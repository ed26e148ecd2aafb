"""A bad review through the whole loop under every policy preset, on time, with the
deadlines checked against the official calendar across the 2026 National Day holiday."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.catalog.rules.calendar import SHANGHAI, end_of_day
from haochaping.core.errors import AppError
from haochaping.notify.models import OutboxMessage
from haochaping.workorders import services as s
from haochaping.workorders.models import Escalation, Reply, WorkOrder
from haochaping.workorders.tests.conftest import GOOD, snapshot

pytestmark = pytest.mark.django_db


def eod(y: int, m: int, d: int) -> datetime:
    return end_of_day(date(y, m, d))


def at(m: int, d: int, hour: int = 10) -> datetime:
    return datetime(2026, m, d, hour, tzinfo=SHANGHAI)


# preset -> (rectify_due (complex), appeal_file_due, contact_due, callback?, qa?)
PRESETS: dict[str, tuple[datetime, datetime | None, datetime | None, bool, bool]] = {
    "national": (eod(2026, 10, 14), eod(2026, 10, 12), None, False, False),  # 15 natural
    "zhengdong": (eod(2026, 10, 14), eod(2026, 10, 12), None, False, False),  # 000 §9
    "jiangxi": (eod(2026, 10, 14), eod(2026, 10, 12), None, False, False),  # 002 三(四)
    "chongqing": (eod(2026, 10, 12), eod(2026, 10, 12), None, False, False),  # 5 WD
    "haiyang": (eod(2026, 10, 19), eod(2026, 10, 9), None, True, True),  # 10 WD, 3 WD
    "xinxiang": (eod(2026, 10, 26), eod(2026, 10, 12), eod(2026, 9, 30), False, True),
}


def refused(code: str, fn: Any, **kw: Any) -> None:
    before = snapshot()
    with pytest.raises(AppError) as exc:
        fn(**kw)
    assert exc.value.code == code
    assert snapshot() == before


@pytest.mark.parametrize("preset", list(PRESETS))
def test_whole_loop_on_time(settings: Any, w: SimpleNamespace, preset: str) -> None:
    settings.HCP_POLICY_PRESET = preset
    rectify_due, appeal_due, contact_due, callback, qa = PRESETS[preset]
    evaluation = w.rate()
    order = WorkOrder.objects.get(evaluation=evaluation)
    assert (order.status, order.org_id, order.org_path) == ("dispatched", w.loc.market.pk,
                                                            w.loc.market.path)
    assert order.rectify_due_at == rectify_due
    assert order.appeal_file_due_at == appeal_due
    assert order.contact_due_at == contact_due
    w.clock(at(9, 30))
    order = s.workorder_sign(actor=w.handler, order=order)
    assert order.status == "signed"
    if callback:
        refused("workorder.callback_required", s.workorder_reply, actor=w.handler,
                order=s.workorder_rectify(actor=w.handler, order=order, measures="补正",
                                          result="已办"), text="已整改")
    order = s.workorder_callback(actor=w.handler, order=order, method="phone", reached=True,
                                 summary="已联系申请人，了解情况")
    assert order.contact_due_at is None
    order = s.workorder_verify(actor=w.handler, order=order, findings="情况属实")
    order = s.workorder_rectify(actor=w.handler, order=order, measures="一次告知材料清单",
                                result="已重新办理")
    w.clock(at(10, 9))
    order = s.workorder_reply(actor=w.handler, order=order, text="已一次性告知所需材料")
    reply = Reply.objects.get(order=order)
    if qa:
        assert (order.status, reply.visible_to_rater_at, OutboxMessage.objects.count()) == (
            "replied", None, 0)
        refused("workorder.wrong_party", s.workorder_review, actor=w.handler, order=order,
                passed=True)
        order = s.workorder_review(actor=w.supervisor, order=order, passed=True)
        reply.refresh_from_db()
    assert order.status == "closed"
    assert order.closed_at == at(10, 9)
    assert reply.visible_to_rater_at == at(10, 9)
    message = OutboxMessage.objects.get()
    assert (message.template, message.rater_id, reply.outbox_message_id) == (
        "rectification_reply", w.rater.pk, message.pk)
    assert order.rectify_due_at is None
    actions = list(order.events.values_list("action", flat=True))
    assert actions[0] == "open"
    assert actions[-1] in ("review_pass", "auto_close")


def test_simple_case_due_on_the_spot_in_chongqing(settings: Any, w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "chongqing"
    order = WorkOrder.objects.get(evaluation=w.rate())
    order = s.workorder_sign(actor=w.handler, order=order, complexity="simple")
    assert order.rectify_due_at == eod(2026, 9, 29)


def test_haiyang_simple_case_gets_3_working_days(settings: Any, w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "haiyang"
    order = WorkOrder.objects.get(evaluation=w.rate())
    order = s.workorder_sign(actor=w.handler, order=order, complexity="simple")
    assert order.rectify_due_at == eod(2026, 10, 9)


def test_qa_return_then_rework_then_pass(settings: Any, w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"
    order = s.workorder_sign(actor=w.handler, order=WorkOrder.objects.get(evaluation=w.rate()))
    order = s.workorder_rectify(actor=w.handler, order=order, measures="a", result="b")
    order = s.workorder_reply(actor=w.handler, order=order, text="已整改")
    refused("workorder.text_required", s.workorder_review, actor=w.supervisor, order=order,
            passed=False, reasons=" ")
    w.clock(at(10, 9))
    order = s.workorder_review(actor=w.supervisor, order=order, passed=False,
                               reasons="整改措施不具体")
    assert order.status == "returned"
    assert order.rectify_due_at == eod(2026, 10, 29)  # 15 WD again from 10-09 (10-10 调休)
    assert Escalation.objects.filter(order=order, kind="returned").count() == 1
    # The earlier rectification does not count for the rework.
    refused("workorder.rectification_required", s.workorder_reply, actor=w.handler,
            order=order, text="再次反馈")
    order = s.workorder_rectify(actor=w.handler, order=order, measures="c", result="d")
    order = s.workorder_reply(actor=w.handler, order=order, text="再次反馈")
    order = s.workorder_review(actor=w.supervisor, order=order, passed=True)
    assert order.status == "closed"
    assert OutboxMessage.objects.count() == 1  # only the passed reply reached the rater


def test_extension_granted_and_refused(settings: Any, w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "zhengdong"  # seed 000 §9
    order = s.workorder_sign(actor=w.handler, order=WorkOrder.objects.get(evaluation=w.rate()))
    refused("workorder.extension_too_short", s.workorder_extension_request, actor=w.handler,
            order=order, new_due_date=date(2026, 10, 14), reason="需协调")
    order = s.workorder_extension_request(actor=w.handler, order=order,
                                          new_due_date=date(2026, 10, 30), reason="需协调")
    refused("workorder.extension_pending", s.workorder_extension_request, actor=w.handler,
            order=order, new_due_date=date(2026, 10, 31), reason="再延")
    refused("workorder.wrong_party", s.workorder_extension_decide, actor=w.handler,
            order=order, grant=True)
    order = s.workorder_extension_decide(actor=w.supervisor, order=order, grant=True)
    assert order.rectify_due_at == eod(2026, 10, 30)
    order = s.workorder_extension_request(actor=w.handler, order=order,
                                          new_due_date=date(2026, 11, 30), reason="再延")
    order = s.workorder_extension_decide(actor=w.supervisor, order=order, grant=False,
                                         note="理由不充分")
    assert order.rectify_due_at == eod(2026, 10, 30)


def test_extension_not_allowed_by_national_policy(w: SimpleNamespace) -> None:
    order = s.workorder_sign(actor=w.handler, order=WorkOrder.objects.get(evaluation=w.rate()))
    refused("workorder.extension_not_allowed", s.workorder_extension_request,
            actor=w.handler, order=order, new_due_date=date(2026, 10, 30), reason="需协调")


def test_appeal_upheld_invalidates_and_voids(settings: Any, w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "haiyang"
    evaluation = w.rate()
    order = s.workorder_sign(actor=w.handler, order=WorkOrder.objects.get(evaluation=evaluation))
    refused("workorder.invalid_grounds", s.workorder_appeal_file, actor=w.handler,
            order=order, grounds="dislike", evidence="x")
    w.clock(at(9, 30))
    order = s.workorder_appeal_file(actor=w.handler, order=order, grounds="malicious",
                                    evidence="监控录像显示服务规范")
    assert (order.status, order.rectify_due_at, order.ruling_due_at) == (
        "appealing", None, eod(2026, 10, 10))  # 3 WD from 09-30: 10-08, 10-09, 10-10 调休
    order = s.workorder_appeal_rule(actor=w.supervisor, order=order, upheld=True,
                                    reason="经核实系恶意差评")
    evaluation.refresh_from_db()
    assert order.status == "voided"
    assert evaluation.invalidated_at is not None
    assert evaluation.invalid_reason.startswith("申诉成立")


def test_appeal_rejected_resumes_with_the_time_left(settings: Any, w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "chongqing"  # due 10-12 (5 WD across National Day)
    order = s.workorder_sign(actor=w.handler, order=WorkOrder.objects.get(evaluation=w.rate()))
    w.clock(at(9, 30))
    order = s.workorder_appeal_file(actor=w.handler, order=order, grounds="untrue",
                                    evidence="材料齐全")
    assert (order.paused_amount, order.paused_unit) == (4, "working_days")
    w.clock(at(10, 9))
    order = s.workorder_appeal_rule(actor=w.supervisor, order=order, upheld=False,
                                    reason="证据不足")
    assert order.status == "signed"
    assert order.rectify_due_at == eod(2026, 10, 14)  # 4 WD from 10-09: 10, 12, 13, 14
    assert order.paused_amount is None


def test_appeal_too_late(settings: Any, w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "haiyang"
    order = s.workorder_sign(actor=w.handler, order=WorkOrder.objects.get(evaluation=w.rate()))
    w.clock(at(10, 12))
    refused("workorder.appeal_too_late", s.workorder_appeal_file, actor=w.handler,
            order=order, grounds="untrue", evidence="x")


def test_rerating_bad_follows_and_satisfied_closes(settings: Any, w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "haiyang"  # latest wins, satisfied closes (003 §10)
    first = w.rate()
    order = WorkOrder.objects.get(evaluation=first)
    w.clock(at(9, 30))
    second = w.rate()
    order.refresh_from_db()
    assert (order.evaluation_id, WorkOrder.objects.count()) == (second.pk, 1)
    w.rate(GOOD)
    order.refresh_from_db()
    assert order.status == "closed"
    assert list(order.events.values_list("action", flat=True)) == [
        "open", "rerating_follow", "rerating_close"]


def test_opening_is_idempotent(w: SimpleNamespace) -> None:
    evaluation = w.rate()
    again = s.workorder_open_for_evaluation(evaluation)
    assert again is not None
    assert WorkOrder.objects.count() == 1
    assert s.sweep_missing_orders(at(9, 30)) == "work orders: 0 opened"


def test_concurrent_change_is_a_conflict(w: SimpleNamespace) -> None:
    order = WorkOrder.objects.get(evaluation=w.rate())
    stale = WorkOrder.objects.get(pk=order.pk)
    s.workorder_sign(actor=w.handler, order=order)
    refused("workorder.invalid_transition", s.workorder_sign, actor=w.handler, order=stale)
