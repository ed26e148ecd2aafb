"""Notify's part in the retention purge (vault.retention).

A rater is still needed while a message to them is queued or was created after the
cutoff. Past ``retention_messages`` the sealed address and parameters of delivered and
dead messages are emptied (the row stays: dedupe key, status, times), and so are the
sender's blind index and the text of received SMS replies (the rating a reply made is
stored with the rating itself).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import models, transaction
from django.db.models import Q

from haochaping.notify.models import InboundSms, OutboxMessage, RelayBinding
from haochaping.vault.retention import audit_batch

POLICY_KEY = "retention_messages"


def rater_activity(ids: list[int], cutoff: datetime) -> set[int]:
    """Raters with a message queued or recent, or a privacy-number binding still bound
    or recent (the relay dials the rater's phone from the vault)."""
    live = Q(status__in=["pending", "sending"]) | Q(created_at__gte=cutoff)
    found = set(OutboxMessage.objects.filter(live, rater_id__in=ids)
                .values_list("rater_id", flat=True))
    bound = Q(status="bound") | Q(created_at__gte=cutoff)
    return found | set(RelayBinding.objects.filter(bound, rater_id__in=ids)
                       .values_list("rater_id", flat=True))


def _batches(model: type[models.Model], label: str, due: models.QuerySet,  # type: ignore[type-arg]
             blank: dict[str, str], cutoff: datetime, batch_size: int, dry_run: bool) -> int:
    if dry_run:
        return due.count()
    total = 0
    while True:
        with transaction.atomic():
            ids = list(due.select_for_update().order_by("pk")
                       .values_list("pk", flat=True)[:batch_size])
            if not ids:
                return total
            model._default_manager.filter(pk__in=ids).update(**blank)
            audit_batch(label, POLICY_KEY, cutoff, len(ids))
        total += len(ids)


def outbox_purge(cutoff: datetime, batch_size: int, dry_run: bool) -> int:
    due = OutboxMessage.objects.filter(status__in=["sent", "dead"], created_at__lt=cutoff
                                       ).exclude(to_cipher="", params_cipher="")
    return _batches(OutboxMessage, "notify.OutboxMessage", due,
                    {"to_cipher": "", "params_cipher": ""}, cutoff, batch_size, dry_run)


def inbound_purge(cutoff: datetime, batch_size: int, dry_run: bool) -> int:
    due = InboundSms.objects.filter(received_at__lt=cutoff).exclude(phone_index="", body="")
    return _batches(InboundSms, "notify.InboundSms", due, {"phone_index": "", "body": ""},
                    cutoff, batch_size, dry_run)


PURGERS: dict[str, Callable[[datetime, int, bool], int]] = {
    "notify.OutboxMessage": outbox_purge, "notify.InboundSms": inbound_purge}
