"""Office entry (/work/complaints/entry/): who may enter, what a good entry writes, and
every bad field refused with its code and Chinese message, nothing written."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.complaints.models import Submission, SubmissionEvent
from haochaping.vault.models import Rater
from haochaping.vault.services import phone_index_of
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/work/complaints/entry/"
CLEAR = "来电反映在市民服务中心办理营业执照变更时，窗口要求重复提交同样的材料，希望说明原因。"


def _post(client: Client, user: Any, **fields: str) -> Any:
    data = {"channel": "hotline", "kind": "complaint", "content": CLEAR, "name": "张建华",
            "phone": "13812345678", "reply_channel": "sms", "urgency": "normal",
            **fields}
    client.force_login(user)
    return client.post(URL, data)


def _nothing_written() -> None:
    assert not Submission.objects.exists()
    assert not SubmissionEvent.objects.exists()
    assert not Rater.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="complaint.").exists()


def test_hotline_complaint_is_stored_with_submitter_in_the_vault(
        client: Client, personas: SimpleNamespace, locality: SimpleNamespace) -> None:
    response = _post(client, personas.supervisor, org_id=str(locality.market.pk),
                     window_id=str(locality.window.pk), staff_id=str(locality.staff.pk),
                     matter_id=str(locality.matter.pk), urgency="urgent")
    item = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{URL}{item.ref}/"
    assert (item.kind, item.channel, item.status, item.urgency) == (
        "complaint", "hotline", "dispatched", "urgent")
    assert (item.org, item.window, item.staff, item.matter) == (
        locality.market, locality.window, locality.staff, locality.matter)
    assert item.hall == locality.hall
    assert item.filed_by == personas.supervisor
    assert item.submitter is not None
    assert item.submitter.phone_masked == "138****5678"
    assert "13812345678" not in item.submitter.phone_cipher
    assert item.phone_index == phone_index_of("13812345678")
    audit = AuditEvent.objects.get(action="complaint.receive")
    assert audit.actor_id == personas.supervisor.pk
    page = client.get(response["Location"]).content.decode()
    assert item.ref in page
    assert item.get_status_display() in page
    assert "13812345678" not in page


def test_anonymous_suggestion_box_comment_needs_no_submitter(
        client: Client, personas: SimpleNamespace) -> None:
    response = _post(client, personas.supervisor, channel="box", kind="comment", name="",
                     phone="", reply_channel="sms",
                     content="意见箱：大厅的指引标识不够清楚，第一次来的群众找不到取号机，建议增加引导员。")
    assert response.status_code == 302
    item = Submission.objects.get()
    assert (item.kind, item.channel, item.submitter, item.phone_index) == (
        "comment", "box", None, "")
    assert item.reply_channel == "app"  # an anonymous card is answered on the tracking page
    assert item.ref.startswith("DP")


def test_forum_entry_with_a_named_speaker(client: Client, personas: SimpleNamespace) -> None:
    _post(client, personas.supervisor, channel="forum", kind="suggestion",
          phone="0371-66881234", reply_channel="phone")
    item = Submission.objects.get()
    assert item.channel == "forum"
    assert item.reply_channel == "phone"
    assert item.submitter is not None


@pytest.mark.parametrize(("fields", "code", "field"), [
    ({"channel": "web"}, "complaint.entry.invalid_channel", "channel"),
    ({"channel": ""}, "complaint.entry.invalid_channel", "channel"),
    ({"kind": "comment"}, "complaint.entry.kind_not_allowed", "kind"),
    ({"kind": "bad_review"}, "complaint.entry.kind_not_allowed", "kind"),
    ({"kind": "praise"}, "complaint.entry.kind_not_allowed", "kind"),
    ({"name": ""}, "complaint.entry.name_required", "name"),
    ({"name": "张" * 51}, "complaint.entry.name_too_long", "name"),
    ({"phone": ""}, "complaint.entry.phone_required", "phone"),
    ({"phone": "12345"}, "complaint.entry.phone_invalid", "phone"),
    ({"channel": "box", "kind": "comment", "phone": ""}, "complaint.entry.phone_required",
     "phone"),
    ({"channel": "box", "kind": "comment", "name": ""}, "complaint.entry.name_required",
     "name"),
    ({"reply_channel": "remote"}, "complaint.invalid_reply_channel", "reply_channel"),
    ({"urgency": "asap"}, "complaint.invalid_urgency", "urgency"),
    ({"content": "  "}, "complaint.content_required", "content"),
    ({"content": "长" * 4001}, "complaint.content_too_long", "content"),
    ({"org_id": "abc"}, "complaint.entry.subject_invalid", "org_id"),
    ({"org_id": "999999"}, "complaint.entry.subject_out_of_scope", "org_id"),
    ({"matter_id": "999999"}, "complaint.entry.subject_out_of_scope", "matter_id"),
    ({"subject_text": "对" * 201}, "complaint.subject_too_long", "subject"),
])
def test_bad_field_is_refused_and_nothing_is_written(
        client: Client, personas: SimpleNamespace, locality: SimpleNamespace,
        fields: dict[str, str], code: str, field: str) -> None:
    fields.setdefault("org_id", str(locality.market.pk))
    response = _post(client, personas.supervisor, **fields)
    assert response.status_code == 422
    page = response.content.decode()
    assert f'data-code="{code}"' in page
    assert f'data-field="{field}"' in page
    typed = fields.get("name", "张建华")  # the form keeps what was typed
    assert f'name="name" maxlength="50" value="{typed}"' in page
    _nothing_written()


def test_a_complaint_needs_a_subject(client: Client, personas: SimpleNamespace) -> None:
    response = _post(client, personas.supervisor)
    assert response.status_code == 422
    assert "complaint.entry.subject_required" in response.content.decode()
    _nothing_written()


def test_window_of_another_department_is_refused(client: Client, personas: SimpleNamespace,
                                                 locality: SimpleNamespace) -> None:
    other = f.make_window(locality.hall, locality.district_hr, number="9")
    response = _post(client, personas.supervisor, org_id=str(locality.market.pk),
                     window_id=str(other.pk))
    assert response.status_code == 422
    assert 'data-code="complaint.entry.subject_mismatch"' in response.content.decode()
    _nothing_written()


def test_subject_outside_the_offices_subtree_is_refused(
        client: Client, personas: SimpleNamespace, locality: SimpleNamespace) -> None:
    response = _post(client, personas.district_supervisor, org_id=str(locality.market.pk))
    assert response.status_code == 422
    assert 'data-code="complaint.entry.subject_out_of_scope"' in response.content.decode()
    _nothing_written()


@pytest.mark.parametrize("who", ["admin", "handler", "head", "auditor", "window_staff",
                                 "monitor", "outsider"])
def test_roles_without_complaint_write_may_not_enter(
        client: Client, personas: SimpleNamespace, locality: SimpleNamespace,
        who: str) -> None:
    user = getattr(personas, who)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    response = _post(client, user, org_id=str(locality.market.pk))
    assert response.status_code == 403
    assert 'data-code="forbidden.role"' in response.content.decode()
    _nothing_written()


def test_the_office_gets_the_form_and_the_pickers_of_its_subtree(
        client: Client, personas: SimpleNamespace, locality: SimpleNamespace) -> None:
    client.force_login(personas.district_supervisor)
    page = client.get(URL).content.decode()
    assert locality.district_hr.name in page
    assert locality.market.name not in page  # above the district office
    client.force_login(personas.supervisor)
    partial = client.get(f"{URL}subject", {"org_id": locality.market.pk}).content.decode()
    assert locality.matter.name in partial
    assert locality.staff.name in partial
    client.force_login(personas.district_supervisor)
    hidden = client.get(f"{URL}subject", {"org_id": locality.market.pk}).content.decode()
    assert locality.matter.name not in hidden


def test_saved_page_is_the_receiving_offices_only(
        client: Client, personas: SimpleNamespace, locality: SimpleNamespace) -> None:
    _post(client, personas.supervisor, org_id=str(locality.market.pk))
    item = Submission.objects.get()
    client.force_login(personas.district_supervisor)
    assert client.get(f"{URL}{item.ref}/").status_code == 404
    client.force_login(personas.handler)
    assert client.get(f"{URL}{item.ref}/").status_code == 403


def test_refused_entry_tells_the_office_why(client: Client, personas: SimpleNamespace) -> None:
    response = _post(client, personas.supervisor, kind="inquiry", content="你好在吗")
    item = Submission.objects.get()
    assert item.status == "refused"
    page = client.get(response["Location"]).content.decode()
    assert "不予受理" in page
    assert "请补充" in page
