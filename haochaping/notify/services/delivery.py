"""Delivering the outbox: at-least-once, with back-off and a dead-letter state.

A batch at a time: claim due messages by conditional update (pending and due → sending
with a lease), render and address them, send them concurrently OUTSIDE any transaction
(a thread pool of ``HCP_SMS_CONCURRENCY`` sends: a slow gateway does not serialise them),
then record each outcome fenced on the attempt number the claim set, so a worker that
overran its lease cannot overwrite the result of the worker that took the message over.
A message whose worker died stays ``sending`` until its lease ends and then goes back to
pending: it is delivered again (never lost), and the gateway receives the same
``message_id`` (our row id) so it can drop the copy.
"""

from __future__ import annotations

import logging
import random
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from haochaping.notify import rules
from haochaping.notify.backends import SendResult, SmsBackend, SmsMessage, get_backend
from haochaping.notify.models import MessageTemplate, OutboxMessage
from haochaping.notify.sealing import TO_FIELD
from haochaping.vault import VaultError, decrypt_field
from haochaping.vault.services import rater_phone_for_delivery

logger = logging.getLogger("haochaping.notify")

LOST_WORKER_ERROR = "发送进程中断（租约过期）"
MAX_ERROR_CHARS = 500


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    reclaimed: int = 0
    ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (f"sent={self.sent} retried={self.retried} dead={self.dead} "
                f"reclaimed={self.reclaimed}")


def retry_policy() -> rules.RetryPolicy:
    return rules.RetryPolicy(base_seconds=settings.HCP_SMS_RETRY_BASE_SECONDS,
                             cap_seconds=settings.HCP_SMS_RETRY_CAP_SECONDS,
                             max_attempts=settings.HCP_SMS_MAX_ATTEMPTS)


def lease_seconds() -> int:
    # A claimed message must be sent and recorded within a margin over the HTTP timeout.
    return int(settings.HCP_SMS_TIMEOUT_SECONDS) + int(settings.HCP_SMS_LEASE_MARGIN_SECONDS)


def reclaim_expired(now: datetime) -> int:
    """Messages left ``sending`` by a worker that died go back to pending (or dead once
    their attempts are spent, so a message that kills its worker cannot loop forever)."""
    expired = OutboxMessage.objects.filter(status="sending", locked_until__lt=now)
    dead = expired.filter(attempts__gte=settings.HCP_SMS_MAX_ATTEMPTS).update(
        status="dead", locked_until=None, last_error=LOST_WORKER_ERROR)
    back = expired.update(status="pending", locked_until=None, next_attempt_at=now,
                          last_error=LOST_WORKER_ERROR)
    return dead + back


def claim_next(now: datetime) -> tuple[int, int] | None:
    """Claim one due message: (id, attempt number) or None when nothing is due."""
    with transaction.atomic():
        due = (OutboxMessage.objects.filter(status="pending", next_attempt_at__lte=now)
               .order_by("next_attempt_at", "pk"))
        if connection.vendor == "postgresql":
            # Concurrent workers skip each other's candidates instead of queueing on them.
            due = due.select_for_update(skip_locked=True)
        for pk, attempts in due.values_list("pk", "attempts")[:8]:
            claimed = OutboxMessage.objects.filter(pk=pk, status="pending").update(
                status="sending", attempts=F("attempts") + 1,
                locked_until=now + timedelta(seconds=lease_seconds()))
            if claimed == 1:
                return pk, attempts + 1
    return None


def _recipient(message: OutboxMessage) -> str:
    if message.rater is not None:
        return rater_phone_for_delivery(message.rater)
    return decrypt_field(TO_FIELD, message.to_cipher)


def claim_batch(now: datetime, size: int, *, templates: frozenset[str] | None = None,
                ) -> list[tuple[int, int]]:
    """Claim up to ``size`` due messages (of ``templates`` only, when given): their
    (id, attempt number)."""
    with transaction.atomic():
        due = OutboxMessage.objects.filter(status="pending", next_attempt_at__lte=now)
        if templates is not None:
            due = due.filter(template__in=templates)
        due = due.order_by("next_attempt_at", "pk")
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True)
        candidates = dict(due.values_list("pk", "attempts")[:size])
        if not candidates:
            return []
        claimed = OutboxMessage.objects.filter(pk__in=candidates, status="pending")
        claimed.update(status="sending", attempts=F("attempts") + 1,
                       locked_until=now + timedelta(seconds=lease_seconds()))
        return [(pk, attempts + 1) for pk, attempts in sorted(candidates.items())]


def _send(message: OutboxMessage, backend: SmsBackend) -> SendResult:
    """Render and send; a message that cannot be rendered or addressed fails for good."""
    prepared = prepare(message)
    return prepared if isinstance(prepared, SendResult) else backend.send(prepared)


def prepare(message: OutboxMessage,
            templates: dict[str, MessageTemplate | None] | None = None,
            ) -> SmsMessage | SendResult:
    """The message to hand to the gateway, or the permanent failure that stops it.
    ``templates`` memoises the template rows for one delivery run."""
    templates = {} if templates is None else templates
    if message.template not in templates:
        templates[message.template] = MessageTemplate.objects.filter(
            code=message.template, is_active=True).first()
    template = templates[message.template]
    if template is None:
        return SendResult(ok=False, error=f"模板“{message.template}”不存在或已停用")
    try:
        params = message.params
    except VaultError:
        return SendResult(ok=False, error="消息参数无法解密（密钥不匹配）")
    try:
        text = rules.render(template.body, params)
        phone = _recipient(message)
    except rules.TemplateError as exc:
        return SendResult(ok=False, error=exc.message)
    except VaultError:
        return SendResult(ok=False, error="收件人地址无法解密（密钥不匹配）")
    if not phone:
        return SendResult(ok=False, error="收件人没有手机号")
    return SmsMessage(to=phone, template=message.template,
                      template_id=template.gateway_template_id, params=params, text=text,
                      message_id=str(message.pk))


def record_result(pk: int, attempt: int, result: SendResult, now: datetime,
                  jitter: float) -> str:
    """Store the outcome of attempt ``attempt``: "sent", "retried", "dead" or "stale"
    (the lease was lost to another worker; its result stands)."""
    mine = OutboxMessage.objects.filter(pk=pk, status="sending", attempts=attempt)
    if result.ok:
        updated = mine.update(status="sent", sent_at=now, locked_until=None, last_error="",
                              provider_id=result.provider_id[:64])
        return "sent" if updated else "stale"
    error = (result.error or "发送失败")[:MAX_ERROR_CHARS]
    decision = rules.retry_after(attempt, retry_policy(), jitter)
    if not result.retryable or decision.dead:
        updated = mine.update(status="dead", locked_until=None, last_error=error)
        return "dead" if updated else "stale"
    updated = mine.update(status="pending", locked_until=None, last_error=error,
                          next_attempt_at=now + timedelta(seconds=decision.delay_seconds))
    return "retried" if updated else "stale"


Batch = tuple[list[tuple[int, int]], dict[int, "SmsMessage | SendResult"],
              dict[int, "Future[SendResult]"]]


def deliver_due(now: datetime, limit: int = 100, *, backend: SmsBackend | None = None,
                templates: frozenset[str] | None = None,
                concurrency: int | None = None) -> DeliveryReport:
    """Send up to ``limit`` due messages (of ``templates`` only, when given), up to
    ``concurrency`` at once (default ``HCP_SMS_CONCURRENCY``). The next batch is claimed
    and rendered while the current one is with the gateway, and the last one recorded
    meanwhile: the database work of one batch overlaps the sends of the other."""
    backend = backend or get_backend()
    width = max(1, concurrency or int(settings.HCP_SMS_CONCURRENCY))
    report = DeliveryReport(reclaimed=reclaim_expired(now))
    memo: dict[str, MessageTemplate | None] = {}
    claimed_so_far = 0
    in_flight: Batch | None = None
    with ThreadPoolExecutor(max_workers=width, thread_name_prefix="sms") as pool:
        while True:
            batch: Batch | None = None
            claimed = (claim_batch(now, min(width, limit - claimed_so_far), templates=templates)
                       if claimed_so_far < limit else [])
            if claimed:
                claimed_so_far += len(claimed)
                rows = OutboxMessage.objects.select_related("rater").in_bulk(
                    [pk for pk, _ in claimed])
                prepared = {pk: prepare(rows[pk], memo) for pk, _ in claimed}
                # Only the gateway calls run in the pool: no database connection in a thread.
                batch = (claimed, prepared, {
                    pk: pool.submit(backend.send, p) for pk, p in prepared.items()
                    if isinstance(p, SmsMessage)})
            if in_flight is not None:
                _record(report, in_flight, now)
            in_flight = batch
            if in_flight is None:
                break
    return report


def _record(report: DeliveryReport, batch: Batch, now: datetime) -> None:
    claimed, prepared, sends = batch
    for pk, attempt in claimed:
        result = sends[pk].result() if pk in sends else prepared[pk]
        assert isinstance(result, SendResult)
        _tally(report, pk, attempt, result, record_result(
            pk, attempt, result, now, jitter=random.random()))  # noqa: S311


def _tally(report: DeliveryReport, pk: int, attempt: int, result: SendResult,
           outcome: str) -> None:
    report.ids.append(pk)
    if outcome == "sent":
        report.sent += 1
    elif outcome == "retried":
        report.retried += 1
    elif outcome == "dead":
        report.dead += 1
        logger.warning("outbox message %s dead after %s attempts: %s", pk, attempt,
                       result.error)


def due_count(now: datetime, templates: frozenset[str] | None = None) -> int:
    due = OutboxMessage.objects.filter(status="pending", next_attempt_at__lte=now)
    if templates is not None:
        due = due.filter(template__in=templates)
    return due.count()
