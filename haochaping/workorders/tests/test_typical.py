"""Typical cases in two steps: 发布预览 strips personal data (the rater's name and phone,
decrypted for this purpose and audited, salutations, numbers) and shows what it took
out; the office confirms (possibly edited) text, which is checked again and stored as
confirmed; the public page then never shows the rater's name or phone. Un-marking
withdraws the case; bad input changes nothing; the back-fill command publishes orders
marked before the text was stored."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.core.errors import Conflict, PermissionDenied, ValidationError
from haochaping.evaluations.tests import factories as ef
from haochaping.vault import encrypt_field
from haochaping.vault.models import Rater
from haochaping.workorders import services as s
from haochaping.workorders.models import WorkOrder, WorkOrderEvent
from haochaping.workorders.tests.conftest import START, snapshot
from haochaping.workorders.typical_rules import PUBLIC_TEXT_LIMIT
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
RATER = "李建国"
REPLY = (f"李先生您好，已核实，回访电话{ef.PHONE}，证件{ef.ID_NO}，感谢监督。"
         f"{RATER}反映的问题已整改。")
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def closed(settings: Any, w: SimpleNamespace) -> WorkOrder:
    settings.HCP_POLICY_PRESET = "xinxiang"  # QA by the office (004 §6(二))
    Rater.objects.filter(pk=w.rater.pk).update(name_cipher=encrypt_field("name", RATER))
    w.rate()
    staff = w.loc.staff.name
    order = s.workorder_sign(actor=w.handler, order=WorkOrder.objects.get())
    order = s.workorder_rectify(actor=w.handler, order=order,
                                measures=f"对窗口人员{staff}批评教育，增设材料样本展示架",
                                result="已整改到位")
    order = s.workorder_reply(actor=w.handler, order=order, text=REPLY)
    return s.workorder_review(actor=w.supervisor, order=order, passed=True)


def secrets(w: SimpleNamespace) -> tuple[str, ...]:
    return (RATER, "李先生", w.loc.staff.name, ef.PHONE, ef.ID_NO, "多次被要求补充材料")


def test_preview_strips_and_shows_what_it_took_out(closed: WorkOrder,
                                                  w: SimpleNamespace) -> None:
    before = WorkOrder.objects.values().get()
    shown = s.typical_preview(actor=w.supervisor, order=closed)
    assert shown.text.startswith("问题类别：")
    assert "增设材料样本展示架（已整改到位）" in shown.text
    assert shown.text.endswith(
        "部门答复：\n您好，已核实，回访电话***，证件***，感谢监督。群众反映的问题已整改。")
    for secret in secrets(w):
        assert secret not in shown.text
    kinds = [f.kind for f in shown.findings]
    assert kinds == ["staff_name", "salutation", "rater_phone", "id_number", "rater_name"]
    assert [f.shown for f in shown.findings if f.kind.startswith(("rater", "staff"))] == [
        "", "", ""]  # what the vault knows is never displayed
    assert WorkOrder.objects.values().get() == before  # a preview publishes nothing
    [redact] = AuditEvent.objects.filter(action="rater.redact")
    assert redact.actor_id == w.people.supervisor.pk
    assert redact.after == {"purpose": "典型案例公示前去除评价人个人信息",
                            "fields": ["name", "phone"], "work_order": closed.pk}


def test_confirming_stores_exactly_the_confirmed_text_and_audits(
        closed: WorkOrder, w: SimpleNamespace) -> None:
    shown = s.typical_preview(actor=w.supervisor, order=closed)
    confirmed = shown.text + "\n（本案例经管理机构审核）"
    now = START + timedelta(hours=1)
    order = s.workorder_mark_typical(actor=w.supervisor, order=closed,
                                     public_text=confirmed, now=now)
    assert (order.typical_case, order.public_summary, order.published_at) == (
        True, confirmed, now)
    event = WorkOrderEvent.objects.filter(order=order).latest("pk")
    assert event.payload["typical_case"] is True
    assert event.payload["chars"] == len(confirmed)
    published = AuditEvent.objects.get(action="workorder.mark_typical")
    assert published.actor_id == w.people.supervisor.pk
    assert published.after["sha256"] == event.payload["sha256"]


@pytest.mark.parametrize(("text", "code"), [
    ("", "workorder.preview_required"),
    (REPLY, "workorder.public_text_personal"),  # the raw reply is never published
    (f"经回访，{RATER}满意。", "workorder.public_text_personal"),
    ("问题已整改，联系电话0371-65123456。", "workorder.public_text_personal"),
    ("字" * (PUBLIC_TEXT_LIMIT + 1), "workorder.text_too_long"),
])
def test_unconfirmed_or_personal_text_is_refused_and_changes_nothing(
        closed: WorkOrder, w: SimpleNamespace, text: str, code: str) -> None:
    before = snapshot()
    with pytest.raises((ValidationError, Conflict)) as refused:
        s.workorder_mark_typical(actor=w.supervisor, order=closed, public_text=text)
    assert refused.value.code == code
    assert snapshot() == before  # no text, no event, no audit row


def test_unmarking_withdraws_the_text(closed: WorkOrder, w: SimpleNamespace) -> None:
    s.workorder_mark_typical(actor=w.supervisor, order=closed, public_text="已整改。")
    order = s.workorder_mark_typical(actor=w.supervisor, order=closed, typical=False)
    assert (order.typical_case, order.public_summary, order.published_at) == (False, "", None)


def test_a_handler_can_neither_preview_nor_publish(closed: WorkOrder,
                                                  w: SimpleNamespace) -> None:
    before = snapshot()
    with pytest.raises(PermissionDenied):
        s.typical_preview(actor=w.handler, order=closed)
    with pytest.raises(PermissionDenied):
        s.workorder_mark_typical(actor=w.handler, order=closed, public_text="已整改。")
    assert snapshot() == before
    client = logged_in(w.people.handler)
    assert client.post(f"/work/orders/{closed.pk}/typical/preview", **HX).status_code == 403


def test_order_page_preview_then_confirm(closed: WorkOrder, w: SimpleNamespace) -> None:
    client = logged_in(w.people.supervisor)
    page = client.get(f"/work/orders/{closed.pk}/").content.decode()
    assert 'data-form="typical-preview"' in page
    preview = client.post(f"/work/orders/{closed.pk}/typical/preview", **HX)
    html = preview.content.decode()
    assert preview.status_code == 200
    assert 'data-testid="typical-preview"' in html
    assert '<mark data-kind="salutation"' in html
    assert "<del>李先生您好</del><ins>您好</ins>" in html
    for secret in (RATER, ef.PHONE, ef.ID_NO):
        assert secret not in html
    assert WorkOrder.objects.get().published_at is None
    # An edit that puts a name back is refused and shown as a new preview.
    again = client.post(f"/work/orders/{closed.pk}/typical/confirm",
                        {"public_text": "王女士您好，已整改。"}, **HX)
    assert again.status_code == 409
    assert 'data-code="workorder.public_text_personal"' in again.content.decode()
    assert "<del>王女士您好</del><ins>您好</ins>" in again.content.decode()
    assert WorkOrder.objects.get().published_at is None
    done = client.post(f"/work/orders/{closed.pk}/typical/confirm",
                       {"public_text": "您好，已整改。"}, **HX)
    assert done.status_code == 200
    assert done["HX-Retarget"] == "#order-body"
    assert 'data-testid="published"' in done.content.decode()
    assert WorkOrder.objects.get().public_summary == "您好，已整改。"
    # Without JavaScript the preview opens on the order page and confirming redirects.
    plain = client.post(f"/work/orders/{closed.pk}/typical/preview",
                        {"public_text": "李先生您好"})
    assert plain.status_code == 200
    assert 'data-testid="typical-preview"' in plain.content.decode()
    assert client.post(f"/work/orders/{closed.pk}/typical/confirm",
                       {"public_text": "您好"}).status_code == 302


def test_public_page_never_shows_the_rater(closed: WorkOrder, w: SimpleNamespace) -> None:
    shown = s.typical_preview(actor=w.supervisor, order=closed)
    s.workorder_mark_typical(actor=w.supervisor, order=closed, public_text=shown.text)
    page = Client().get("/gongshi/anli/").content.decode()
    assert "您好，已核实" in page
    for secret in secrets(w):
        assert secret not in page


def test_api_previews_then_publishes(closed: WorkOrder, w: SimpleNamespace) -> None:
    client = Client()
    client.force_login(w.people.supervisor)
    url = f"/api/v1/workorders/{closed.pk}/typical"
    preview = client.post(f"{url}/preview", {"public_text": f"{RATER}先生您好，已满意。"},
                          content_type="application/json").json()
    assert preview["text"] == "您好，已满意。"
    assert preview["findings"] == [{"kind": "rater_name", "label": "评价人姓名", "shown": "",
                                    "replacement": "您好", "start": 0, "end": 2}]
    refused = client.post(url, {"typical": True}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["code"] == "workorder.preview_required"
    body = client.post(url, {"typical": True, "public_text": preview["text"]},
                       content_type="application/json").json()
    assert body["public_summary"] == "您好，已满意。"
    assert body["published_at"] is not None
    too_long = client.post(f"{url}/preview", {"public_text": "字" * (PUBLIC_TEXT_LIMIT + 1)},
                           content_type="application/json")
    assert too_long.status_code == 422
    assert too_long.json()["code"] == "workorder.text_too_long"


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
    for secret in secrets(w):
        assert secret not in order.public_summary
    call_command("publish_typical_cases", "--user", w.people.supervisor.username)
    assert WorkOrder.objects.filter(published_at__isnull=False).count() == 1
