"""Writing to the outbox and administering it: enqueue, retry a dead message, edit a
template. Delivery is in ``notify.services.delivery``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.core.errors import Conflict, ValidationError
from haochaping.notify import rules
from haochaping.notify.models import MessageTemplate, OutboxMessage
from haochaping.notify.sealing import TO_FIELD, seal_params
from haochaping.vault import encrypt_field
from haochaping.vault.models import Rater


def _template_error(exc: rules.TemplateError) -> ValidationError:
    return ValidationError(exc.code, exc.message, field="template")


def outbox_enqueue(*, template: str, rater: Rater | None = None, to: str | None = None,
                   params: dict[str, Any], dedupe_key: str,
                   not_before: datetime | None = None) -> OutboxMessage | None:
    """Queue one message in the caller's transaction; None when ``dedupe_key`` exists.

    The recipient is a rater (phone decrypted only at delivery) or an address ``to``
    (stored encrypted). The template must exist, be active and find every placeholder in
    ``params``, so a message that can never be rendered is refused here, not at delivery.
    The parameters are stored sealed (``notify.sealing``). The insert runs in a savepoint:
    a duplicate key rolls back only the savepoint and the caller's transaction goes on.
    """
    if (rater is None) == (to is None):
        raise ValidationError("notify.recipient_required", "须且只能指定一个收件人",
                              field="to")
    body = (MessageTemplate.objects.filter(code=template, is_active=True)
            .values_list("body", flat=True).first())
    if body is None:
        raise ValidationError("notify.template_unknown", f"消息模板“{template}”不存在或已停用",
                              field="template")
    str_params = {key: str(value) for key, value in params.items()}
    try:
        rules.render(body, str_params)
    except rules.TemplateError as exc:
        raise _template_error(exc) from exc
    if OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    message = OutboxMessage(
        template=template, rater=rater, params_cipher=seal_params(str_params),
        dedupe_key=dedupe_key,
        to_cipher=encrypt_field(TO_FIELD, to) if to is not None else "",
        next_attempt_at=not_before or timezone.now())
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        if OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
            return None  # a concurrent caller queued it first
        raise
    # Its delivery task commits with it (or neither does): nothing sends in the request.
    from haochaping.notify.tasks import queue_drain

    queue_drain(urgent=template in rules.URGENT_TEMPLATES)
    return message


def _require_deployment_admin(actor: Actor) -> None:
    # Templates and the outbox are deployment-wide, like global policy: system admin only.
    require(actor, access.POLICY, access.WRITE, org_path=None)


def outbox_retry(*, actor: Actor, message: OutboxMessage, now: datetime | None = None,
                 ip: str | None = None) -> OutboxMessage:
    """Put a dead message back in the queue with a fresh attempt budget (audited)."""
    _require_deployment_admin(actor)
    now = now or timezone.now()
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(pk=message.pk, status="dead").update(
            status="pending", attempts=0, next_attempt_at=now, locked_until=None)
        if updated != 1:
            raise Conflict("notify.not_dead", "只能重发处于死信状态的消息")
        audit_record(action="notify.outbox_retry", actor=actor.user,
                     actor_label=actor.label, obj=message, ip=ip,
                     before={"status": "dead", "attempts": message.attempts,
                             "last_error": message.last_error},
                     after={"status": "pending", "attempts": 0})
    message.refresh_from_db()
    return message


def template_update(*, actor: Actor, template: MessageTemplate, name: str, body: str,
                    gateway_template_id: str, is_active: bool,
                    ip: str | None = None) -> MessageTemplate:
    """Change a template after checking its placeholders (audited)."""
    _require_deployment_admin(actor)
    try:
        rules.check_template(template.code, body)
    except rules.TemplateError as exc:
        raise ValidationError(exc.code, exc.message, field="body") from exc
    fields = ("name", "body", "gateway_template_id", "is_active")
    with transaction.atomic():
        current = MessageTemplate.objects.select_for_update().get(pk=template.pk)
        before = {f: getattr(current, f) for f in fields}
        after = {"name": name, "body": body, "gateway_template_id": gateway_template_id,
                 "is_active": is_active}
        for attr, value in after.items():
            setattr(current, attr, value)
        current.save(update_fields=[*fields, "updated_at"])
        audit_record(action="notify.template_update", actor=actor.user,
                     actor_label=actor.label, obj=current, ip=ip,
                     before=before, after=after)
    return current
