"""Typical cases: marking composes, redacts and stores the public text under the office's
audited action; an edit is redacted again; un-marking withdraws it; bad input changes
nothing; the back-fill command publishes orders marked before the text was stored."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.core.errors import PermissionDenied, ValidationError
from haochaping.evaluations.tests import factories as ef
from haochaping.workorders import services as s
from haochaping.workorders.models import WorkOrder, WorkOrderEvent
from haochaping.workorders.tests.conftest import START, snapshot
from haochaping.workorders.typical_rules import PUBLIC_TEXT_LIMIT, REDACTED
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
RATER = "张三"  # ef.make_rater's default name


@pytest.fixture
def closed(settings: Any, w: SimpleNamespace) -> WorkOrder:
    settings.HCP_POLICY_PRESET = "xinxiang"  # QA by the office (004 §6(二))
    w.rate()
    staff = w.loc.staff.name
    order = s.workorder_sign(actor=w.handler, order=WorkOrder.objects.get())
    order = s.workorder_rectify(actor=w.handler, order=order,
                                measures=f"对窗口人员{staff}批评教育，增设材料样本展示架",
                                result="已整改到位")
    order = s.workorder_reply(actor=w.handler, order=order, text=(
        f"{RATER}您好，已核实，回访电话{ef.PHONE}，证件{ef.ID_NO}，感谢监督。"))
    return s.workorder_review(actor=w.supervisor, order=order, passed=True)


def test_marking_stores_the_redacted_text_and_audits_the_office(
        closed: WorkOrder, w: SimpleNamespace) -> None:
    now = START + timedelta(hours=1)
    order = s.workorder_mark_typical(actor=w.supervisor, order=closed, now=now)
    text = order.public_summary
    assert order.typical_case is True
    assert order.published_at == now
    assert text.startswith("问题类别：")
    assert "增设材料样本展示架（已整改到位）" in text
    assert "您好，已核实" in text
    for secret in (RATER, w.loc.staff.name, ef.PHONE, ef.ID_NO, "多次被要求补充材料"):
        assert secret not in text
    assert text.count(REDACTED) == 4
    [redact] = AuditEvent.objects.filter(action="rater.redact")
    assert redact.actor_id == w.people.supervisor.pk
    assert redact.object_id == str(w.rater.pk)
    assert redact.after == {"purpose": "典型案例公示前去除评价人姓名", "fields": ["name"],
                            "work_order": order.pk}
    event = WorkOrderEvent.objects.filter(order=order).latest("pk")
    assert event.payload == {"typical_case": True, "edited": False, "chars": len(text)}


def test_the_office_edit_is_redacted_again(closed: WorkOrder, w: SimpleNamespace) -> None:
    edited = f"  经回访，{RATER}（{ef.PHONE}）反映的等候问题已通过增开窗口解决。  "
    order = s.workorder_mark_typical(actor=w.supervisor, order=closed, public_text=edited)
    assert order.public_summary == (
        f"经回访，{REDACTED}（{REDACTED}）反映的等候问题已通过增开窗口解决。")


def test_too_long_text_is_refused_and_changes_nothing(closed: WorkOrder,
                                                      w: SimpleNamespace) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        s.workorder_mark_typical(actor=w.supervisor, order=closed,
                                 public_text="字" * (PUBLIC_TEXT_LIMIT + 1))
    assert refused.value.code == "workorder.text_too_long"
    assert str(PUBLIC_TEXT_LIMIT) in refused.value.message
    assert snapshot() == before  # no text, no event, no rater.redact audit row


def test_unmarking_withdraws_the_text(closed: WorkOrder, w: SimpleNamespace) -> None:
    s.workorder_mark_typical(actor=w.supervisor, order=closed)
    order = s.workorder_mark_typical(actor=w.supervisor, order=closed, typical=False)
    assert (order.typical_case, order.public_summary, order.published_at) == (False, "", None)
    assert AuditEvent.objects.filter(action="rater.redact").count() == 1


def test_a_handler_cannot_publish(closed: WorkOrder, w: SimpleNamespace) -> None:
    before = snapshot()
    with pytest.raises(PermissionDenied):
        s.workorder_mark_typical(actor=w.handler, order=closed)
    assert snapshot() == before


def test_order_page_form_publishes_the_edited_text(closed: WorkOrder,
                                                   w: SimpleNamespace) -> None:
    client = logged_in(w.people.supervisor)
    page = client.get(f"/work/orders/{closed.pk}/").content.decode()
    assert 'name="public_text"' in page
    response = client.post(f"/work/orders/{closed.pk}/act/typical",
                           {"typical": "1", "public_text": f"{RATER}反映的问题已整改。"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="published"' in html
    assert f"{REDACTED}反映的问题已整改。" in html
    assert WorkOrder.objects.get().public_summary == f"{REDACTED}反映的问题已整改。"


def test_api_publishes_and_shows_the_text(closed: WorkOrder, w: SimpleNamespace) -> None:
    client = Client()
    client.force_login(w.people.supervisor)
    url = f"/api/v1/workorders/{closed.pk}/typical"
    body = client.post(url, {"typical": True, "public_text": f"{RATER}已满意。"},
                       content_type="application/json").json()
    assert body["public_summary"] == f"{REDACTED}已满意。"
    assert body["published_at"] is not None
    refused = client.post(url, {"public_text": "字" * (PUBLIC_TEXT_LIMIT + 1)},
                          content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["code"] == "workorder.text_too_long"
    assert WorkOrder.objects.get().public_summary == f"{REDACTED}已满意。"


def test_backfill_command_publishes_orders_marked_before(closed: WorkOrder,
                                                         w: SimpleNamespace) -> None:
    WorkOrder.objects.filter(pk=closed.pk).update(typical_case=True)  # as migration 0003 left it
    with pytest.raises(CommandError):
        call_command("publish_typical_cases", "--user", "nobody")
    call_command("publish_typical_cases", "--user", w.people.supervisor.username, "--dry-run")
    assert WorkOrder.objects.get().published_at is None
    call_command("publish_typical_cases", "--user", w.people.supervisor.username)
    order = WorkOrder.objects.get()
    assert order.published_at is not None
    assert "增设材料样本展示架" in order.public_summary
    assert RATER not in order.public_summary
    assert AuditEvent.objects.get(action="rater.redact").actor_id == w.people.supervisor.pk
    call_command("publish_typical_cases", "--user", w.people.supervisor.username)
    assert AuditEvent.objects.filter(action="rater.redact").count() == 1
