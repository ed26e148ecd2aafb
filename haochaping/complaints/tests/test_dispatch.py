"""Dispatch (seed 004 §6: 按责交办): routed after acceptance, by the office, re-dispatched,
and the engine's closed order answering the item; refusals write nothing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.complaints.models import Submission, SubmissionEvent, SubmissionOrder
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.services.dispatch import submission_dispatch, submission_redispatch
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.complaints.services.moves import submission_move
from haochaping.core.errors import AppError
from haochaping.workorders import services as wo
from haochaping.workorders.models import OrderRequest, WorkOrder
from haochaping.workorders.tests.conftest import PARTS
from tests import factories as f

pytestmark = pytest.mark.django_db

TEXT = "在市场监管局窗口办理食品经营许可时，窗口人员要求重复提交同样的材料，希望改进。"


def receive(subject: Subject, content: str = TEXT, **kw: Any) -> Submission:
    args = {"kind": "complaint", "channel": "web", "phone_index": "", **kw}
    return submission_receive(content=content, subject=subject, **args)


def written() -> tuple[Any, ...]:
    return (list(Submission.objects.order_by("pk").values()), SubmissionEvent.objects.count(),
            WorkOrder.objects.count(), SubmissionOrder.objects.count(),
            AuditEvent.objects.count())


def test_a_certain_route_is_dispatched_on_acceptance(locality: SimpleNamespace) -> None:
    item = receive(Subject(window=locality.window, matter=locality.matter))
    assert item.status == "dispatched"
    order = WorkOrder.objects.get()
    assert (order.kind, order.org_id, order.status) == ("complaint", locality.market.pk,
                                                       "dispatched")
    assert order.contact_due_at is not None
    assert order.rectify_due_at is not None
    assert item.order == order
    assert SubmissionOrder.objects.get().order == order
    request = OrderRequest.objects.get(order=order)
    assert request.text == TEXT
    assert request.source == f"网上提交 {item.ref}"
    dispatch = item.events.get(action="dispatch")
    assert dispatch.actor_label == "system:workorders"
    assert "谁主管谁负责" in dispatch.note
    assert AuditEvent.objects.filter(action="workorder.open_request").count() == 1
    assert AuditEvent.objects.filter(action="complaint.dispatch").count() == 1


@pytest.mark.parametrize(("kind", "order_kind"), [
    ("inquiry", "inquiry"), ("suggestion", "suggestion"), ("comment", "suggestion")])
def test_each_kind_runs_its_order_kind(locality: SimpleNamespace, kind: str,
                                       order_kind: str) -> None:
    receive(Subject(matter=locality.matter), kind=kind, channel="hotline")
    assert WorkOrder.objects.get().kind == order_kind


def test_a_village_item_goes_to_its_township(locality: SimpleNamespace) -> None:
    township = f.make_region("410105001000", "某街道", "township",
                             parent=locality.district_region)
    town_org = f.make_org("某街道便民服务中心", parent=locality.district_office,
                          level="township", region=township, code="TOWN")
    station = f.make_hall(locality.district_office, name="某社区便民服务站")
    item = receive(Subject(hall=station, region=township, matter=locality.matter),
                   channel="village_qr")
    assert item.status == "dispatched"
    assert item.order is not None
    assert item.order.org == town_org
    assert "属地管理优先" in item.events.get(action="dispatch").note


def test_an_unknown_subject_waits_for_the_office(locality: SimpleNamespace) -> None:
    item = receive(Subject(text="某个窗口"))
    assert item.status == "accepted"
    assert item.order is None
    assert item.events.get(action="route").note == "未能确定承办部门，请人工交办"
    assert not WorkOrder.objects.exists()


def test_the_office_dispatches_an_accepted_item(locality: SimpleNamespace,
                                                personas: SimpleNamespace) -> None:
    item = receive(Subject(text="某个窗口"))
    office = actor_for_user(personas.supervisor)
    submission_dispatch(item, actor=office, org=locality.district_hr, now=timezone.now(),
                        note="属地")
    item.refresh_from_db()
    assert item.status == "dispatched"
    assert item.order is not None
    assert item.order.org == locality.district_hr
    event = item.events.get(action="dispatch")
    assert (event.actor, event.public_note) == (personas.supervisor, "已交办承办部门办理")


@pytest.mark.parametrize(("who", "org", "code"), [
    ("handler", "market", "forbidden.role"),
    ("head", "market", "forbidden.role"),
    ("dist_supervisor", "district_hr", "forbidden.scope"),  # the city office received it
    ("auditor", "market", "forbidden.role"),
    ("supervisor", "district_office", "workorder.invalid_org"),  # not a department
])
def test_dispatch_refused_writes_nothing(locality: SimpleNamespace, personas: SimpleNamespace,
                                         who: str, org: str, code: str) -> None:
    item = receive(Subject(text="某个窗口"))
    user = {"handler": personas.handler, "head": personas.head,
            "dist_supervisor": personas.district_supervisor, "auditor": personas.auditor,
            "supervisor": personas.supervisor}[who]
    before = written()
    with pytest.raises(AppError) as refused:
        submission_dispatch(item, actor=actor_for_user(user), org=getattr(locality, org),
                            now=timezone.now())
    assert refused.value.code == code
    assert written() == before


def test_a_dispatched_item_is_not_dispatched_twice(locality: SimpleNamespace,
                                                   personas: SimpleNamespace) -> None:
    item = receive(Subject(matter=locality.matter))
    before = written()
    with pytest.raises(AppError) as refused:
        submission_dispatch(item, actor=actor_for_user(personas.supervisor),
                            org=locality.district_hr, now=timezone.now())
    assert refused.value.code == "complaint.not_dispatchable"
    assert written() == before


def test_redispatch_moves_the_order(locality: SimpleNamespace,
                                    personas: SimpleNamespace) -> None:
    item = receive(Subject(matter=locality.matter))
    office = actor_for_user(personas.supervisor)
    submission_redispatch(item, actor=office, org=locality.district_hr, note="属地管理",
                          now=timezone.now())
    item.refresh_from_db()
    assert item.status == "dispatched"
    assert item.order is not None
    assert item.order.org == locality.district_hr
    assert item.events.get(action="redispatch").payload == {
        "from_org": locality.market.pk, "to_org": locality.district_hr.pk}
    assert AuditEvent.objects.filter(action="complaint.redispatch").count() == 1
    assert AuditEvent.objects.filter(action="workorder.redispatch").count() == 1

    before = written()
    with pytest.raises(AppError) as same:
        submission_redispatch(item, actor=office, org=locality.district_hr, note="",
                              now=timezone.now())
    assert same.value.code == "workorder.same_org"
    with pytest.raises(AppError) as handler:
        submission_redispatch(item, actor=actor_for_user(personas.handler),
                              org=locality.market, note="", now=timezone.now())
    assert handler.value.code == "forbidden.role"
    assert written() == before


def close_order(order: WorkOrder, personas: SimpleNamespace) -> None:
    """The department answers with the four elements (seed 004 §6(二)), its head approves,
    the office passes QA: the order closes."""
    handler = actor_for_user(personas.handler)
    wo.workorder_sign(actor=handler, order=order)
    wo.workorder_reply(actor=handler, order=order, parts=PARTS)
    wo.workorder_head_review(actor=actor_for_user(personas.head), order=order, approved=True)
    wo.workorder_review(actor=actor_for_user(personas.supervisor), order=order, passed=True)


def test_the_closed_order_answers_the_item_and_its_duplicates(
        locality: SimpleNamespace, personas: SimpleNamespace, settings: Any) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"
    item = receive(Subject(matter=locality.matter), phone_index="p1")
    twin = receive(Subject(matter=locality.matter), phone_index="p1")
    assert (twin.status, twin.merged_into_id) == ("merged", item.pk)
    assert item.order is not None
    close_order(item.order, personas)
    item.refresh_from_db()
    assert item.status == "answered"
    assert item.answered_at is not None
    assert item.events.get(action="answer").public_note == "已答复"
    assert f"已随 {item.ref} 答复" in twin.events.get(action="follow_answer").public_note
    assert AuditEvent.objects.filter(action="complaint.answer").count() == 1


def test_a_reopened_item_gets_a_new_order(locality: SimpleNamespace,
                                          personas: SimpleNamespace, settings: Any) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"
    item = receive(Subject(matter=locality.matter))
    first = item.order
    assert first is not None
    close_order(first, personas)
    item.refresh_from_db()
    submission_move(item, Status.REOPENED, action="reopen", now=timezone.now())
    submission_dispatch(item, actor=actor_for_user(personas.supervisor), org=locality.market,
                        now=timezone.now(), note="重新办理")
    item.refresh_from_db()
    assert item.status == "dispatched"
    assert item.order is not None
    assert item.order != first
    assert list(SubmissionOrder.objects.filter(submission=item).order_by("pk")
                .values_list("order_id", flat=True)) == [first.pk, item.order.pk]
