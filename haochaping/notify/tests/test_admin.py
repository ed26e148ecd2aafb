"""The notify admin: pages render, the dead-message retry and the template edit go
through the services (audited)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.notify.models import MessageTemplate, OutboxMessage
from haochaping.notify.services import outbox_enqueue
from haochaping.notify.tests.factories import make_rater

pytestmark = pytest.mark.django_db

OUTBOX = "/admin/notify/outboxmessage/"
TEMPLATES = "/admin/notify/messagetemplate/"


def _dead() -> OutboxMessage:
    message = outbox_enqueue(template="bad_reason_followup", rater=make_rater(),
                             params={"matter": "食品经营许可"}, dedupe_key="followup:1")
    assert message is not None
    OutboxMessage.objects.filter(pk=message.pk).update(status="dead", attempts=3,
                                                       last_error="HTTP 400")
    return message


def test_pages_render_with_the_recipient_masked(client: Client,
                                               personas: SimpleNamespace) -> None:
    client.force_login(personas.admin)
    message = _dead()
    page = client.get(OUTBOX).content.decode()
    assert "138****8000" in page
    assert "13800138000" not in page
    change = client.get(f"{OUTBOX}{message.pk}/change/")
    assert change.status_code == 200
    assert "食品经营许可" not in change.content.decode()  # parameters stay sealed
    assert "已加密" in change.content.decode()
    assert client.get(TEMPLATES).status_code == 200
    assert client.get("/admin/notify/inboundsms/").status_code == 200


def test_retry_action_requeues_a_dead_message(client: Client,
                                              personas: SimpleNamespace) -> None:
    client.force_login(personas.admin)
    message = _dead()
    response = client.post(OUTBOX, {"action": "retry_dead", "_selected_action": [message.pk]},
                           follow=True)
    assert "已重新排队 1 条消息" in response.content.decode()
    assert OutboxMessage.objects.get(pk=message.pk).status == "pending"
    assert AuditEvent.objects.filter(action="notify.outbox_retry").count() == 1


def test_template_edit_goes_through_the_service(client: Client,
                                                personas: SimpleNamespace) -> None:
    client.force_login(personas.admin)
    template = MessageTemplate.objects.get(code="sms_code")
    url = f"{TEMPLATES}{template.pk}/change/"
    data = {"name": "验证码", "body": "验证码{code}，{minutes}分钟内有效。",
            "gateway_template_id": "SMS_9", "is_active": "on"}
    assert client.post(url, data).status_code == 302
    assert MessageTemplate.objects.get(pk=template.pk).gateway_template_id == "SMS_9"
    assert AuditEvent.objects.filter(action="notify.template_update").count() == 1


def test_template_edit_with_unknown_placeholder_is_refused(
        client: Client, personas: SimpleNamespace) -> None:
    client.force_login(personas.admin)
    template = MessageTemplate.objects.get(code="sms_code")
    url = f"{TEMPLATES}{template.pk}/change/"
    response = client.post(url, {"name": "验证码", "body": "验证码{code}{phone}",
                                 "gateway_template_id": "", "is_active": "on"})
    assert response.status_code == 200
    assert "调用方不提供的占位符" in response.content.decode()
    assert MessageTemplate.objects.get(pk=template.pk).body == template.body
    assert not AuditEvent.objects.filter(action="notify.template_update").exists()


def test_supervisor_cannot_edit_templates(client: Client, personas: SimpleNamespace) -> None:
    personas.supervisor.is_superuser = True  # admin-site access is not the business role
    personas.supervisor.save()
    client.force_login(personas.supervisor)
    template = MessageTemplate.objects.get(code="sms_code")
    url = f"{TEMPLATES}{template.pk}/change/"
    client.post(url, {"name": "x", "body": "验证码{code}", "gateway_template_id": "",
                      "is_active": "on"})
    assert MessageTemplate.objects.get(pk=template.pk).body == template.body
    assert not AuditEvent.objects.filter(action="notify.template_update").exists()
