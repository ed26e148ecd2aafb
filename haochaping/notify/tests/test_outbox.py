"""Outbox writes: enqueue with dedupe inside the caller's transaction, the dead-message
retry and the template edit (both audited)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.core.errors import Conflict, PermissionDenied, ValidationError
from haochaping.handlings.models import Rater
from haochaping.notify.models import MessageTemplate, OutboxMessage
from haochaping.notify.sealing import TO_FIELD
from haochaping.notify.services import outbox_enqueue, outbox_retry, template_update
from haochaping.notify.tests.factories import PHONE, make_rater
from haochaping.vault import VaultError, decrypt_field

pytestmark = pytest.mark.django_db

INVITE_PARAMS = {"org": "市市场监管局", "matter": "食品经营许可", "link": "http://x/r/t"}


def test_templates_are_seeded() -> None:
    codes = set(MessageTemplate.objects.values_list("code", flat=True))
    assert {"evaluation_invite", "bad_reason_followup", "sms_code", "rectification_reply",
            "deadline_warning"} <= codes
    invite = MessageTemplate.objects.get(code="evaluation_invite")
    assert invite.body.startswith("【政务服务好差评】您办理的“{matter}”已办结")


def test_enqueue_twice_in_one_transaction_queues_once_and_keeps_the_transaction() -> None:
    rater = make_rater()
    with transaction.atomic():
        first = outbox_enqueue(template="evaluation_invite", rater=rater,
                               params=INVITE_PARAMS, dedupe_key="invite:1")
        second = outbox_enqueue(template="evaluation_invite", rater=rater,
                                params=INVITE_PARAMS, dedupe_key="invite:1")
        # The caller's transaction is still usable after the duplicate.
        Rater.objects.filter(pk=rater.pk).update(name_masked="李*")
    assert first is not None
    assert second is None
    assert OutboxMessage.objects.filter(dedupe_key="invite:1").count() == 1
    assert Rater.objects.get(pk=rater.pk).name_masked == "李*"
    assert first.status == "pending"
    assert first.attempts == 0
    # No phone is ever copied into the outbox.
    assert PHONE not in str(OutboxMessage.objects.values().get(pk=first.pk))


def test_enqueue_rolls_back_with_the_caller() -> None:
    rater = make_rater()

    def caller() -> None:
        with transaction.atomic():
            outbox_enqueue(template="evaluation_invite", rater=rater, params=INVITE_PARAMS,
                           dedupe_key="invite:2")
            raise RuntimeError("caller failed")

    with pytest.raises(RuntimeError):
        caller()
    assert not OutboxMessage.objects.exists()


def test_enqueue_to_an_address_stores_it_encrypted() -> None:
    message = outbox_enqueue(template="sms_code", to="13900139000",
                             params={"code": "123456", "minutes": 5}, dedupe_key="code:1",
                             not_before=timezone.now() + timedelta(minutes=1))
    assert message is not None
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.to_cipher
    assert "13900139000" not in row.to_cipher
    assert row.params == {"code": "123456", "minutes": "5"}


def test_params_are_stored_sealed_not_in_plain_text() -> None:
    """An SMS code or an invitation link is a live credential: the table holds only its
    ciphertext, bound to the column (a ciphertext moved to another column does not open)."""
    message = outbox_enqueue(template="sms_code", to="13900139000",
                             params={"code": "654321", "minutes": 5}, dedupe_key="code:2")
    assert message is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notify_outboxmessage WHERE id = %s", [message.pk])
        raw = " ".join(str(value) for value in cursor.fetchone())
    assert "654321" not in raw
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.params_cipher.startswith("v1:")
    with pytest.raises(VaultError):
        decrypt_field(TO_FIELD, row.params_cipher)


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"template": "no_such", "params": INVITE_PARAMS}, "notify.template_unknown"),
    ({"template": "evaluation_invite", "params": {"org": "x"}}, "notify.missing_param"),
    ({"template": "evaluation_invite", "params": INVITE_PARAMS, "to": "13900139000"},
     "notify.recipient_required"),
])
def test_enqueue_refuses_bad_input_and_writes_nothing(kwargs: dict[str, Any],
                                                      code: str) -> None:
    rater = make_rater()
    with pytest.raises(ValidationError) as exc:
        outbox_enqueue(rater=rater, dedupe_key="k", **kwargs)
    assert exc.value.code == code
    assert not OutboxMessage.objects.exists()


def test_enqueue_refuses_an_inactive_template() -> None:
    MessageTemplate.objects.filter(code="sms_code").update(is_active=False)
    with pytest.raises(ValidationError) as exc:
        outbox_enqueue(template="sms_code", to="13900139000",
                       params={"code": "1", "minutes": "5"}, dedupe_key="k")
    assert exc.value.code == "notify.template_unknown"
    assert not OutboxMessage.objects.exists()


def _dead_message() -> OutboxMessage:
    message = outbox_enqueue(template="evaluation_invite", rater=make_rater(),
                             params=INVITE_PARAMS, dedupe_key="invite:dead")
    assert message is not None
    OutboxMessage.objects.filter(pk=message.pk).update(status="dead", attempts=6,
                                                       last_error="HTTP 400")
    message.refresh_from_db()
    return message


def test_retry_dead_message_requeues_and_audits(personas: SimpleNamespace) -> None:
    message = _dead_message()
    outbox_retry(actor=actor_for_user(personas.admin), message=message)
    row = OutboxMessage.objects.get(pk=message.pk)
    assert (row.status, row.attempts) == ("pending", 0)
    event = AuditEvent.objects.get(action="notify.outbox_retry")
    assert event.object_id == str(message.pk)
    assert event.before["status"] == "dead"
    assert event.after["status"] == "pending"


def test_retry_refuses_a_message_that_is_not_dead(personas: SimpleNamespace) -> None:
    message = outbox_enqueue(template="evaluation_invite", rater=make_rater(),
                             params=INVITE_PARAMS, dedupe_key="invite:live")
    assert message is not None
    with pytest.raises(Conflict) as exc:
        outbox_retry(actor=actor_for_user(personas.admin), message=message)
    assert exc.value.code == "notify.not_dead"
    assert OutboxMessage.objects.get(pk=message.pk).status == "pending"
    assert not AuditEvent.objects.filter(action="notify.outbox_retry").exists()


def test_template_update_is_checked_and_audited(personas: SimpleNamespace) -> None:
    template = MessageTemplate.objects.get(code="sms_code")
    template_update(actor=actor_for_user(personas.admin), template=template, name="验证码",
                    body="【好差评】验证码{code}，{minutes}分钟有效。",
                    gateway_template_id="SMS_1", is_active=True)
    row = MessageTemplate.objects.get(code="sms_code")
    assert row.body == "【好差评】验证码{code}，{minutes}分钟有效。"
    assert row.gateway_template_id == "SMS_1"
    event = AuditEvent.objects.get(action="notify.template_update")
    assert event.before["body"] == template.body
    assert event.after["gateway_template_id"] == "SMS_1"


def test_template_update_refuses_unknown_placeholder(personas: SimpleNamespace) -> None:
    template = MessageTemplate.objects.get(code="sms_code")
    with pytest.raises(ValidationError) as exc:
        template_update(actor=actor_for_user(personas.admin), template=template, name=template.name,
                        body="验证码{code}，手机{phone}", gateway_template_id="",
                        is_active=True)
    assert exc.value.code == "notify.template_unknown_placeholder"
    assert MessageTemplate.objects.get(code="sms_code").body == template.body
    assert not AuditEvent.objects.filter(action="notify.template_update").exists()


def test_only_the_system_admin_administers_notifications(personas: SimpleNamespace) -> None:
    message = _dead_message()
    template = MessageTemplate.objects.get(code="sms_code")
    supervisor = actor_for_user(personas.supervisor)
    with pytest.raises(PermissionDenied) as exc:
        outbox_retry(actor=supervisor, message=message)
    assert exc.value.code == "forbidden.scope"
    with pytest.raises(PermissionDenied) as exc:
        template_update(actor=actor_for_user(personas.handler), template=template,
                        name="x", body="验证码{code}", gateway_template_id="", is_active=True)
    assert exc.value.code == "forbidden.role"
    assert OutboxMessage.objects.get(pk=message.pk).status == "dead"
    assert MessageTemplate.objects.get(code="sms_code").body == template.body
    assert not AuditEvent.objects.filter(action__startswith="notify.").exists()
