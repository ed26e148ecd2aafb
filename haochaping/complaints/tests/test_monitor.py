"""政务服务监督员: filing from their own account, their own items only, their landing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.complaints.entry.selectors import my_items
from haochaping.complaints.entry.services import EntryInput, SubjectIds, office_entry_receive
from haochaping.complaints.models import Submission
from haochaping.core.errors import PermissionDenied
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/work/complaints/mine/"
COMMENT = "走访市民服务中心发现，午间时段只开放两个综合窗口，排队群众较多，建议错峰安排午休。"


def _file(client: Client, user: Any, **fields: str) -> Any:
    client.force_login(user)
    return client.post(URL, {"kind": "comment", "content": COMMENT, "urgency": "normal",
                             **fields})


def test_monitor_lands_on_their_page_after_login(client: Client,
                                                 personas: SimpleNamespace) -> None:
    personas.monitor.set_password("Monitor-Pass-2026!")
    personas.monitor.save()
    response = client.post("/accounts/login/", {"username": "monitor",
                                                "password": "Monitor-Pass-2026!"},
                           follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "提交综合点评、建议或投诉" in response.content.decode()


def test_other_roles_keep_the_workbench(client: Client, personas: SimpleNamespace) -> None:
    client.force_login(personas.supervisor)
    response = client.get("/")
    assert response.status_code == 200
    assert "录入咨询投诉建议" in response.content.decode()


def test_monitor_files_a_comment_under_their_own_name(
        client: Client, personas: SimpleNamespace, locality: SimpleNamespace) -> None:
    personas.monitor.first_name = "李文斌"
    personas.monitor.phone = "13900001234"
    personas.monitor.save()
    response = _file(client, personas.monitor, org_id=str(locality.market.pk))
    assert response.status_code == 302
    item = Submission.objects.get()
    assert (item.kind, item.channel, item.filed_by, item.org) == (
        "comment", "monitor", personas.monitor, locality.market)
    assert item.submitter is not None
    assert item.submitter.name_masked.startswith("李")
    assert item.reply_channel == "app"
    assert AuditEvent.objects.filter(action="complaint.receive", actor_id=personas.monitor.pk,
                                     object_id=str(item.pk)).exists()
    page = client.get(URL).content.decode()
    assert item.ref in page
    assert item.get_status_display() in page


def test_a_monitor_may_name_the_cause(client: Client, personas: SimpleNamespace) -> None:
    client.force_login(personas.monitor)
    assert 'data-testid="cause"' in client.get(URL).content.decode()
    assert _file(client, personas.monitor, cause="queueing").status_code == 302
    assert Submission.objects.get().cause == "queueing"


def test_a_monitor_without_a_phone_files_without_a_vault_row(
        client: Client, personas: SimpleNamespace) -> None:
    _file(client, personas.monitor, kind="suggestion")
    item = Submission.objects.get()
    assert (item.submitter, item.phone_index, item.kind) == (None, "", "suggestion")


@pytest.mark.parametrize(("fields", "code"), [
    ({"kind": "inquiry"}, "complaint.entry.kind_not_allowed"),
    ({"kind": "bad_review"}, "complaint.entry.kind_not_allowed"),
    ({"content": ""}, "complaint.content_required"),
    ({"org_id": "999999"}, "complaint.entry.subject_out_of_scope"),
    ({"urgency": "now"}, "complaint.invalid_urgency"),
    ({"cause": "weather"}, "complaint.invalid_cause"),
])
def test_bad_filing_is_refused_unwritten(client: Client, personas: SimpleNamespace,
                                         fields: dict[str, str], code: str) -> None:
    response = _file(client, personas.monitor, **fields)
    assert response.status_code == 422
    assert f'data-code="{code}"' in response.content.decode()
    assert not Submission.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="complaint.").exists()


def test_a_monitor_never_sees_other_peoples_items(
        client: Client, personas: SimpleNamespace, locality: SimpleNamespace) -> None:
    other = f.make_user("monitor2", role="monitor", org=locality.city_office)
    _file(client, other, content="另一位监督员：大厅饮水机长期无水，建议安排专人定时检查补充。")
    office_entry_receive(actor=actor_for_user(personas.supervisor), entry=EntryInput(
        channel="hotline", kind="complaint", name="赵秀兰", phone="13600002222",
        content="热线来电：社保窗口工作人员态度生硬，办理退休手续时不解释原因。",
        subject=SubjectIds(org_id=locality.market.pk)))
    _file(client, personas.monitor)
    mine = my_items(actor_for_user(personas.monitor))
    assert [row.item.content for row in mine] == [COMMENT]
    page = client.get(URL).content.decode()
    assert "饮水机" not in page
    assert "社保窗口" not in page
    assert COMMENT[:20] in page


@pytest.mark.parametrize("who", ["handler", "head", "auditor", "window_staff", "admin"])
def test_roles_without_filing_may_not_use_the_page(client: Client, personas: SimpleNamespace,
                                                   who: str) -> None:
    user = getattr(personas, who)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert _file(client, user).status_code == 403
    assert not Submission.objects.exists()
    with pytest.raises(PermissionDenied):
        my_items(actor_for_user(user))
