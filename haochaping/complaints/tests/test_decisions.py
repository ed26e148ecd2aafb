"""The office's decisions (seed 004 §5, §6): accept, refuse, overturn, merge, close a
reopened item; each audited, each refusal of a bad action a clear error with nothing
written."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.complaints.models import FilterWord, Submission, SubmissionEvent
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.services import decisions
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.complaints.services.moves import submission_move
from haochaping.core.errors import AppError
from haochaping.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

TEXT = "在市场监管局窗口办理食品经营许可时，窗口人员要求重复提交同样的材料，希望改进。"
CUE = "我已经向信访局反映过，窗口办理食品经营许可时要求重复提交材料，希望说明原因。"


@pytest.fixture
def triage(locality: SimpleNamespace) -> Submission:
    # 信访 is in the default lists (migration 0002): make sure it is a cue here.
    FilterWord.objects.update_or_create(
        reason="petition", word="信访", defaults={"category": "out_of_scope", "strength": "cue",
                                                "is_active": True,
                                                "updated_at": timezone.now()})
    item = submission_receive(kind="complaint", channel="web", content=CUE,
                              subject=Subject(matter=locality.matter))
    assert item.status == "triage"
    return item


def office(personas: SimpleNamespace) -> Any:
    return actor_for_user(personas.supervisor)


def written() -> tuple[Any, ...]:
    return (list(Submission.objects.order_by("pk").values()), SubmissionEvent.objects.count(),
            WorkOrder.objects.count(), AuditEvent.objects.count())


def test_accept_routes_and_dispatches(triage: Submission, personas: SimpleNamespace,
                                      locality: SimpleNamespace) -> None:
    item = decisions.submission_accept(triage, actor=office(personas), now=timezone.now(),
                                       note="属于政务服务范围")
    assert item.status == "dispatched"
    assert item.order is not None
    assert item.order.org == locality.market
    assert (item.decided_by, item.reason) == (personas.supervisor, "")
    assert item.first_touch_at is not None
    assert [e.action for e in item.events.all()] == ["receive", "office_accept", "dispatch"]
    assert AuditEvent.objects.filter(action="complaint.office_accept").count() == 1


def test_accept_to_a_chosen_department(triage: Submission, personas: SimpleNamespace,
                                       locality: SimpleNamespace) -> None:
    item = decisions.submission_accept(triage, actor=office(personas), now=timezone.now(),
                                       org=locality.district_hr)
    assert item.order is not None
    assert item.order.org == locality.district_hr


def test_refuse_tells_why_and_where(triage: Submission, personas: SimpleNamespace) -> None:
    item = decisions.submission_refuse(triage, actor=office(personas), reason="petition",
                                       note="属于信访事项", now=timezone.now())
    assert (item.status, item.reason, item.decision_note) == ("refused", "petition",
                                                             "属于信访事项")
    public = item.events.get(action="office_refuse").public_note
    assert "信访" in public
    assert "请向当地信访部门反映" in public
    audit = AuditEvent.objects.get(action="complaint.office_refuse")
    assert audit.after["reason"] == "petition"


def test_overturn_a_refusal(triage: Submission, personas: SimpleNamespace,
                            locality: SimpleNamespace) -> None:
    decisions.submission_refuse(triage, actor=office(personas), reason="petition",
                                note="属于信访事项", now=timezone.now())
    item = decisions.submission_overturn(triage, actor=office(personas), now=timezone.now(),
                                         note="复核后属于窗口服务问题")
    assert item.status == "dispatched"
    overturn = item.events.get(action="overturn")
    assert (overturn.from_status, overturn.to_status) == ("refused", "accepted")
    assert overturn.payload == {"was": "petition"}
    assert AuditEvent.objects.filter(action="complaint.overturn").count() == 1


def test_overturn_the_machine_s_refusal(locality: SimpleNamespace,
                                        personas: SimpleNamespace) -> None:
    item = submission_receive(kind="inquiry", channel="web", content="你好？",
                              subject=Subject())
    assert item.status == "refused"
    item = decisions.submission_overturn(item, actor=office(personas), now=timezone.now(),
                                         note="电话核实后诉求清楚", org=locality.market)
    assert item.status == "dispatched"


def test_merge_follows_the_target(triage: Submission, personas: SimpleNamespace,
                                  locality: SimpleNamespace) -> None:
    target = submission_receive(kind="complaint", channel="web", content=TEXT,
                                subject=Subject(matter=locality.matter))
    item = decisions.submission_merge(triage, actor=office(personas), target_ref=target.ref,
                                      note="同一问题", now=timezone.now())
    assert (item.status, item.merged_into) == ("merged", target)
    assert target.ref in item.events.get(action="office_merge").public_note
    assert target.events.get(action="merged_in").payload == {"merged": item.ref}


def test_close_a_reopened_item(locality: SimpleNamespace, personas: SimpleNamespace) -> None:
    item = submission_receive(kind="complaint", channel="web", content=TEXT,
                              subject=Subject(matter=locality.matter))
    now = timezone.now()
    Submission.objects.filter(pk=item.pk).update(status="answered")
    item.refresh_from_db()
    submission_move(item, Status.REOPENED, action="reopen", now=now)
    item = decisions.submission_close_reopened(item, actor=office(personas), now=now,
                                               note="已依法答复，诉求超出政策范围")
    assert item.status == "closed"
    assert "已依法答复" in item.events.get(action="close_reopened").public_note


@pytest.mark.parametrize(("call", "code"), [
    (lambda i, a, loc: decisions.submission_refuse(i, actor=a, reason="nope", note="原因说明",
                                                   now=timezone.now()),
     "complaint.invalid_reason"),
    (lambda i, a, loc: decisions.submission_refuse(i, actor=a, reason="petition", note=" ",
                                                   now=timezone.now()),
     "complaint.note_required"),
    (lambda i, a, loc: decisions.submission_refuse(i, actor=a, reason="petition",
                                                   note="长" * 401, now=timezone.now()),
     "complaint.note_too_long"),
    (lambda i, a, loc: decisions.submission_overturn(i, actor=a, note="复核意见",
                                                     now=timezone.now()),
     "complaint.invalid_move"),
    (lambda i, a, loc: decisions.submission_close_reopened(i, actor=a, note="说明",
                                                           now=timezone.now()),
     "complaint.invalid_move"),
    (lambda i, a, loc: decisions.submission_merge(i, actor=a, target_ref="TS000",
                                                  note="", now=timezone.now()),
     "complaint.merge_target_not_found"),
    (lambda i, a, loc: decisions.submission_merge(i, actor=a, target_ref=i.ref, note="",
                                                  now=timezone.now()),
     "complaint.merge_self"),
    (lambda i, a, loc: decisions.submission_accept(i, actor=a, now=timezone.now(),
                                                   org=loc.district_office),
     "workorder.invalid_org"),
])
def test_bad_decisions_write_nothing(triage: Submission, personas: SimpleNamespace,
                                     locality: SimpleNamespace, call: Any, code: str) -> None:
    before = written()
    with pytest.raises(AppError) as refused:
        call(triage, office(personas), locality)
    assert refused.value.code == code
    assert written() == before


@pytest.mark.parametrize("who", ["handler", "head", "monitor", "auditor", "window_staff",
                                 "district_supervisor", "admin"])
def test_only_the_receiving_office_decides(triage: Submission, personas: SimpleNamespace,
                                           who: str) -> None:
    before = written()
    with pytest.raises(AppError) as refused:
        decisions.submission_refuse(triage, actor=actor_for_user(getattr(personas, who)),
                                    reason="petition", note="属于信访事项", now=timezone.now())
    assert refused.value.code in ("forbidden.role", "forbidden.scope")
    assert written() == before


def test_a_decided_item_cannot_be_decided_again(triage: Submission,
                                                personas: SimpleNamespace) -> None:
    decisions.submission_refuse(triage, actor=office(personas), reason="petition",
                                note="属于信访事项", now=timezone.now())
    before = written()
    with pytest.raises(AppError) as refused:
        decisions.submission_accept(triage, actor=office(personas), now=timezone.now())
    assert refused.value.code == "complaint.invalid_move"
    assert written() == before
