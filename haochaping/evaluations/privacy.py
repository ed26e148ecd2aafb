"""The ratings' part in the retention purge (vault.retention).

A rater is still needed while one of their ratings was made, superseded or invalidated
after the cutoff. The ratings themselves are insert-only and never purged (their free
text and network address stay with the record, vault.inventory). The SMS-code
challenges of phone verification are deleted past ``retention_messages``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q

from haochaping.evaluations.models import Evaluation, PhoneChallenge
from haochaping.vault.retention import audit_batch

CHALLENGE = "evaluations.PhoneChallenge"


def rater_activity(ids: list[int], cutoff: datetime) -> set[int]:
    recent = Q(created_at__gte=cutoff) | Q(superseded_at__gte=cutoff) | Q(
        invalidated_at__gte=cutoff)
    return set(Evaluation.objects.filter(recent, rater_id__in=ids)
               .values_list("rater_id", flat=True))


def challenges_purge(cutoff: datetime, batch_size: int, dry_run: bool) -> int:
    due = PhoneChallenge.objects.filter(expires_at__lt=cutoff)
    if dry_run:
        return due.count()
    total = 0
    while True:
        with transaction.atomic():
            ids = list(due.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                return total
            PhoneChallenge.objects.filter(pk__in=ids).delete()
            audit_batch(CHALLENGE, "retention_messages", cutoff, len(ids))
        total += len(ids)
