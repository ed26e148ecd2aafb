"""The office screens (/work/complaints/): who reaches them, the queues and their counts,
htmx actions rendering the item again or the error with its code (nothing written)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from haochaping.complaints.models import FilterWord, Submission, SubmissionEvent
from haochaping.complaints.services.intake import Subject, submission_receive

pytestmark = pytest.mark.django_db

CUE = "我已经向信访局反映过，窗口办理食品经营许可时要求重复提交材料，希望说明原因。"
TEXT = "在市场监管局窗口办理食品经营许可时，窗口人员要求重复提交同样的材料，希望改进。"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def items(locality: SimpleNamespace) -> SimpleNamespace:
    # 信访 is in the default lists (migration 0002): make sure it is a cue here.
    FilterWord.objects.update_or_create(
        reason="petition", word="信访", defaults={"category": "out_of_scope", "strength": "cue",
                                                "is_active": True,
                                                "updated_at": timezone.now()})
    triage = submission_receive(kind="complaint", channel="hotline", content=CUE,
                                subject=Subject(matter=locality.matter))
    dispatched = submission_receive(kind="inquiry", channel="web", content=TEXT,
                                    subject=Subject(matter=locality.matter))
    waiting = submission_receive(kind="suggestion", channel="box", content=TEXT + "建议",
                                 subject=Subject(text="大厅"))
    refused = submission_receive(kind="inquiry", channel="web", content="你好？",
                                 subject=Subject())
    assert (triage.status, dispatched.status, waiting.status, refused.status) == (
        "triage", "dispatched", "accepted", "refused")
    return SimpleNamespace(triage=triage, dispatched=dispatched, waiting=waiting,
                           refused=refused)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_office_sees_its_queues_with_counts(items: SimpleNamespace,
                                                personas: SimpleNamespace) -> None:
    client = client_for(personas.supervisor)
    page = client.get("/work/complaints/").content.decode()
    for key, count in (("triage", 1), ("refused", 1), ("accepted", 1), ("dispatched", 1),
                       ("reopened", 0), ("overdue", 0)):
        assert f'data-testid="count-{key}">{count}<' in page
    triage = client.get("/work/complaints/?queue=triage", **HX,
                        HTTP_HX_TARGET="cx-table").content.decode()
    assert items.triage.ref in triage
    assert items.dispatched.ref not in triage
    by_ref = client.get(f"/work/complaints/?ref={items.waiting.ref[-6:]}").content.decode()
    assert items.waiting.ref in by_ref
    assert items.triage.ref not in by_ref
    by_kind = client.get("/work/complaints/?kind=suggestion&channel=box").content.decode()
    assert items.waiting.ref in by_kind
    assert items.refused.ref not in by_kind
    item = client.get(f"/work/complaints/{items.triage.pk}/").content.decode()
    items.triage.refresh_from_db()
    assert items.triage.screening["explanation"]
    assert items.triage.screening["explanation"] in item
    assert 'data-action="refuse"' in item
    assert 'data-action="accept"' in item
    assert "尚未处理" in item  # first touch not yet


@pytest.mark.parametrize("who", ["handler", "head"])
def test_the_department_reads_its_items_without_actions(items: SimpleNamespace,
                                                        personas: SimpleNamespace,
                                                        who: str) -> None:
    client = client_for(getattr(personas, who))
    page = client.get("/work/complaints/").content.decode()
    assert items.dispatched.ref in page
    assert items.triage.ref not in page
    assert items.waiting.ref not in page
    item = client.get(f"/work/complaints/{items.dispatched.pk}/").content.decode()
    assert TEXT in item
    assert 'data-testid="actions"' not in item
    assert client.get(f"/work/complaints/{items.triage.pk}/").status_code == 404
    assert client.get("/work/complaints/spotchecks/").status_code == 403


@pytest.mark.parametrize("who", ["admin", "auditor", "monitor", "window_staff"])
def test_other_roles_are_refused(items: SimpleNamespace, personas: SimpleNamespace,
                                 who: str) -> None:
    client = client_for(getattr(personas, who))
    refused = client.get("/work/complaints/")
    assert refused.status_code == 403
    assert 'data-code="forbidden.role"' in refused.content.decode()
    home = client.get("/").content.decode()
    assert "/work/complaints/" not in home


def test_the_workbench_links_the_queue(personas: SimpleNamespace) -> None:
    assert "/work/complaints/" in client_for(personas.supervisor).get("/").content.decode()
    assert "/work/complaints/" in client_for(personas.handler).get("/").content.decode()


def test_htmx_refuse_and_overturn(items: SimpleNamespace, personas: SimpleNamespace,
                                  locality: SimpleNamespace) -> None:
    client = client_for(personas.supervisor)
    url = f"/work/complaints/{items.triage.pk}/act/refuse"
    before = list(Submission.objects.values()), SubmissionEvent.objects.count()
    bad = client.post(url, {"reason": "", "note": "x"}, **HX)
    assert bad.status_code == 422
    assert 'data-code="complaint.invalid_reason"' in bad.content.decode()
    assert (list(Submission.objects.values()), SubmissionEvent.objects.count()) == before
    done = client.post(url, {"reason": "petition", "note": "属于信访事项"}, **HX)
    assert done.status_code == 200
    assert 'data-status="refused"' in done.content.decode()
    assert "请向当地信访部门反映" in done.content.decode()
    again = client.post(f"/work/complaints/{items.triage.pk}/act/overturn",
                        {"note": "复核后受理", "org_id": str(locality.district_hr.pk)}, **HX)
    assert 'data-status="dispatched"' in again.content.decode()
    items.triage.refresh_from_db()
    assert items.triage.order is not None
    assert items.triage.order.org == locality.district_hr


def test_dispatch_merge_and_plain_post(items: SimpleNamespace, personas: SimpleNamespace,
                                       locality: SimpleNamespace) -> None:
    client = client_for(personas.supervisor)
    missing = client.post(f"/work/complaints/{items.waiting.pk}/act/dispatch", {}, **HX)
    assert 'data-code="complaint.invalid_org"' in missing.content.decode()
    plain = client.post(f"/work/complaints/{items.waiting.pk}/act/dispatch",
                        {"org_id": str(locality.market.pk)})
    assert plain.status_code == 302
    merged = client.post(f"/work/complaints/{items.triage.pk}/act/merge",
                         {"target_ref": items.waiting.ref}, **HX)
    assert 'data-status="merged"' in merged.content.decode()
    unknown = client.post(f"/work/complaints/{items.triage.pk}/act/delete", {}, **HX)
    assert unknown.status_code == 404


def test_reveal_is_the_office_s(items: SimpleNamespace, personas: SimpleNamespace) -> None:
    client = client_for(personas.supervisor)
    none = client.post(f"/work/complaints/{items.triage.pk}/reveal", {"purpose": "核实"})
    assert 'data-code="complaint.no_submitter"' in none.content.decode()


def test_spot_check_screen(items: SimpleNamespace, personas: SimpleNamespace) -> None:
    Submission.objects.filter(pk=items.dispatched.pk).update(status="closed",
                                                             closed_at=timezone.now())
    client = client_for(personas.supervisor)
    assert client.get("/work/complaints/spotchecks/").status_code == 200
    today = timezone.localdate().isoformat()
    bad = client.post("/work/complaints/spotchecks/", {"start": today, "end": "x"}, **HX)
    assert 'data-code="complaint.draw_period"' in bad.content.decode()
    drawn = client.post("/work/complaints/spotchecks/",
                        {"start": today, "end": today, "rate": "100", "seed": "t"}, **HX)
    assert drawn.status_code == 200
    # The item has no submitter to call: nothing to draw.
    assert "从 0 件中抽取 0 件" in drawn.content.decode()
