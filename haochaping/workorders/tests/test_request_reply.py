"""A request's reply (seed 004 §6(二)): the four elements, the department head's 审阅, the
office's QA pass and return, the hooks the upper apps hear, and who may do what."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.catalog.services.policy import policy_override_set
from haochaping.core.errors import AppError
from haochaping.workorders import hooks
from haochaping.workorders import services as s
from haochaping.workorders.models import Escalation, Notification, Reply, WorkOrder
from haochaping.workorders.request_rules import REPLY_PARTS
from haochaping.workorders.rules import Action
from haochaping.workorders.selectors import available_actions
from haochaping.workorders.tests.conftest import DISPATCH, PARTS, snapshot
from tests.factories import logged_in

pytestmark = pytest.mark.django_db


def later(rq: SimpleNamespace, hours: int) -> None:
    rq.clock(DISPATCH + timedelta(hours=hours))


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """What the upper apps' hooks hear, in order."""
    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(hooks, "request_answered", [lambda pk: calls.append(("answered", pk))])
    monkeypatch.setattr(hooks, "request_closed", [lambda pk: calls.append(("closed", pk))])
    return calls


def signed(rq: SimpleNamespace, kind: str = "complaint", **kw: Any) -> WorkOrder:
    order = rq.open(kind, **kw)
    later(rq, 1)
    return s.workorder_sign(actor=rq.handler, order=order)


@pytest.mark.parametrize("missing", [key for key, _ in REPLY_PARTS])
def test_each_of_the_four_elements_is_required(rq: SimpleNamespace, missing: str) -> None:
    order = signed(rq)
    label = dict(REPLY_PARTS)[missing]
    for value in ("", "   "):
        before = snapshot(), Reply.objects.count()
        with pytest.raises(AppError) as refused:
            s.workorder_reply(actor=rq.handler, order=order, parts={**PARTS, missing: value})
        assert (refused.value.code, refused.value.field) == ("workorder.reply_part_required",
                                                             missing)
        assert f"“{label}”" in refused.value.message
        assert (snapshot(), Reply.objects.count()) == before
    with pytest.raises(AppError):
        s.workorder_reply(actor=rq.handler, order=order, text="已处理")  # no parts at all
    assert Reply.objects.count() == 0


def test_head_approves_then_the_office_passes_qa(settings: Any, rq: SimpleNamespace,
                                                 heard: list[tuple[str, int]]) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"  # head approval and QA (seed 004 §6(二))
    order = signed(rq, "inquiry")
    later(rq, 3)
    # No call-back or rectification record is needed: the reply states the four elements.
    order = s.workorder_reply(actor=rq.handler, order=order, parts=PARTS, text="感谢监督")
    assert order.status == "approving"
    assert order.submitted_at == DISPATCH + timedelta(hours=3)
    assert (order.contact_due_at, order.investigate_due_at) == (None, None)
    assert order.rectify_due_at is not None  # the department's close clock runs on
    reply = Reply.objects.get()
    assert reply.parts == PARTS
    assert reply.visible_to_rater_at is None
    assert reply.text.splitlines() == ["感谢监督"] + [
        f"{label}：{PARTS[key]}" for key, label in REPLY_PARTS]

    for who in ("handler", "supervisor"):  # only the head approves
        with pytest.raises(AppError) as wrong:
            s.workorder_head_review(actor=getattr(rq, who), order=order, approved=True)
        assert wrong.value.code == "workorder.wrong_party"
    assert available_actions(rq.head, order) == [Action.HEAD_APPROVE, Action.HEAD_RETURN]
    assert available_actions(rq.handler, order) == []

    later(rq, 5)
    order = s.workorder_head_review(actor=rq.head, order=order, approved=True, reasons="同意")
    assert (order.status, order.rectify_due_at) == ("replied", None)
    assert heard == []  # not released before QA
    page = logged_in(rq.people.supervisor).get("/work/orders/console/?tab=qa").content.decode()
    assert 'data-testid="qa-parts"' in page
    assert PARTS["measures"] in page

    later(rq, 7)
    order = s.workorder_review(actor=rq.supervisor, order=order, passed=True)
    assert order.status == "closed"
    assert Reply.objects.get().visible_to_rater_at == DISPATCH + timedelta(hours=7)
    assert heard == [("answered", order.pk), ("closed", order.pk)]


def test_head_return_and_qa_return_send_it_back(settings: Any, rq: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"
    order = signed(rq)
    due = order.rectify_due_at
    order = s.workorder_reply(actor=rq.handler, order=order, parts=PARTS)
    before = snapshot()
    with pytest.raises(AppError) as empty:
        s.workorder_head_review(actor=rq.head, order=order, approved=False)
    assert empty.value.code == "workorder.text_required"
    assert snapshot() == before
    later(rq, 2)
    order = s.workorder_head_review(actor=rq.head, order=order, approved=False,
                                    reasons="整改结果未写明时间")
    assert (order.status, order.rectify_due_at) == ("returned", due)  # the head's own time
    assert Notification.objects.filter(order=order, kind="returned").count() == 1

    later(rq, 4)
    order = s.workorder_reply(actor=rq.handler, order=order,
                              parts={**PARTS, "result": "投诉人已于10月8日办结业务"})
    order = s.workorder_head_review(actor=rq.head, order=order, approved=True)
    later(rq, 8 * 24)  # 10-08, the first working day after the holiday
    order = s.workorder_review(actor=rq.supervisor, order=order, passed=False,
                               reasons="未说明整改措施的落实情况")
    assert order.status == "returned"
    assert order.rectify_due_at > due  # rework gets the close limit again from the return
    assert Escalation.objects.filter(order=order, kind="returned").count() == 1
    assert Notification.objects.filter(order=order, kind="returned").count() == 2
    assert Reply.objects.filter(order=order, visible_to_rater_at__isnull=False).count() == 0


@pytest.mark.parametrize("kind", ["complaint", "inquiry", "suggestion"])
def test_without_qa_the_head_approval_releases_and_closes(
        rq: SimpleNamespace, heard: list[tuple[str, int]], kind: str) -> None:
    order = signed(rq, kind)  # national: head approval, no QA
    order = s.workorder_reply(actor=rq.handler, order=order, parts=PARTS)
    assert order.status == "approving"
    order = s.workorder_head_review(actor=rq.head, order=order, approved=True)
    assert order.status == "closed"
    assert list(order.events.values_list("action", flat=True)) == [
        "open", "sign", "submit", "head_approve", "auto_close"]
    assert heard == [("answered", order.pk), ("closed", order.pk)]


def test_approval_switched_off_for_a_subtree(rq: SimpleNamespace,
                                             heard: list[tuple[str, int]]) -> None:
    policy_override_set(actor=rq.supervisor, org=rq.loc.market, key="request_head_approval",
                        value=False)
    order = signed(rq)
    before = snapshot()
    with pytest.raises(AppError) as refused:
        s.workorder_transition(actor=rq.handler, order=order, action=Action.SUBMIT,
                               payload={"parts": PARTS})
    assert refused.value.code == "workorder.head_approval_not_required"
    assert snapshot() == before
    order = s.workorder_reply(actor=rq.handler, order=order, parts=PARTS)
    assert order.status == "closed"  # national: no QA either
    assert heard == [("answered", order.pk), ("closed", order.pk)]


def test_reply_without_the_head_is_refused_when_approval_is_required(
        rq: SimpleNamespace) -> None:
    order = signed(rq)
    before = snapshot()
    with pytest.raises(AppError) as refused:
        s.workorder_transition(actor=rq.handler, order=order, action=Action.REPLY,
                               payload={"parts": PARTS})
    assert refused.value.code == "workorder.head_approval_required"
    assert snapshot() == before


def test_the_head_reads_and_approves_but_never_works_the_order(rq: SimpleNamespace) -> None:
    order = rq.open("complaint")
    assert available_actions(rq.head, order) == []
    for call in (lambda: s.workorder_sign(actor=rq.head, order=order),
                 lambda: s.workorder_verify(actor=rq.head, order=order, findings="已核实")):
        with pytest.raises(AppError) as refused:
            call()
        assert refused.value.code in ("workorder.wrong_party", "workorder.invalid_transition")
    later(rq, 1)
    order = s.workorder_sign(actor=rq.handler, order=order)
    before = snapshot()
    for call in (lambda: s.workorder_reply(actor=rq.head, order=order, parts=PARTS),
                 lambda: s.workorder_verify(actor=rq.head, order=order, findings="已核实")):
        with pytest.raises(AppError) as refused:
            call()
        assert refused.value.code == "workorder.wrong_party"
    assert snapshot() == before
    page = logged_in(rq.people.head).get(f"/work/orders/{order.pk}/").content.decode()
    assert "窗口人员未一次性告知所需材料" in page  # the head reads the request
    assert 'data-form="reply"' not in page
    assert 'data-form="sign"' not in page


def test_window_staff_and_outsiders_get_nothing(rq: SimpleNamespace) -> None:
    order = signed(rq)
    before = snapshot()
    for who in ("window_staff", "outsider", "monitor"):
        with pytest.raises(AppError) as refused:
            s.workorder_reply(actor=getattr(rq, who), order=order, parts=PARTS)
        assert refused.value.code.startswith("forbidden.")
        assert available_actions(getattr(rq, who), order) == []
    assert snapshot() == before
    assert logged_in(rq.people.window_staff).get(f"/work/orders/{order.pk}/").status_code == 403


def test_reply_through_the_screen_and_the_api(rq: SimpleNamespace) -> None:
    order = signed(rq)
    handler = logged_in(rq.people.handler)
    page = handler.get(f"/work/orders/{order.pk}/").content.decode()
    assert all(f'data-part="{key}"' in page for key, _ in REPLY_PARTS)
    assert "提交部门负责人审阅" in page
    before = snapshot()
    refused = handler.post(f"/work/orders/{order.pk}/act/reply",
                           {**PARTS, "process": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert "workorder.reply_part_required" in refused.content.decode()
    assert snapshot() == before
    api = handler.post(f"/api/v1/workorders/{order.pk}/reply", {"parts": PARTS},
                       content_type="application/json")
    assert (api.status_code, api.json()["status"]) == (200, "approving")
    head = logged_in(rq.people.head)
    detail = head.get(f"/api/v1/workorders/{order.pk}").json()
    assert detail["actions"] == ["head_approve", "head_return"]
    assert [p["label"] for p in detail["reply_parts"]] == [label for _, label in REPLY_PARTS]
    done = head.post(f"/api/v1/workorders/{order.pk}/head-review", {"approved": True},
                     content_type="application/json")
    assert (done.status_code, done.json()["status"]) == (200, "closed")
