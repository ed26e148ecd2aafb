"""The complaints' part in the retention purge (vault.retention).

A submitter (a rater of the vault) is still needed while one of their items is not
closed or changed after the cutoff. The blind index of the phone that follows an item
(tracking, duplicates) is emptied once the item has been closed for
``retention_contacts``; the item's content stays with the case file (vault.inventory).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q

from haochaping.complaints.models import Submission
from haochaping.complaints.rules.kinds import Status
from haochaping.vault.retention import audit_batch

MODEL = "complaints.Submission"


def rater_activity(ids: list[int], cutoff: datetime) -> set[int]:
    live = ~Q(status=Status.CLOSED.value) | Q(updated_at__gte=cutoff)
    return set(Submission.objects.filter(live, submitter_id__in=ids)
               .values_list("submitter_id", flat=True))


def contacts_purge(cutoff: datetime, batch_size: int, dry_run: bool) -> int:
    due = Submission.objects.filter(status=Status.CLOSED.value, closed_at__lt=cutoff,
                                    updated_at__lt=cutoff).exclude(phone_index="")
    if dry_run:
        return due.count()
    total = 0
    while True:
        with transaction.atomic():
            ids = list(due.select_for_update().order_by("pk")
                       .values_list("pk", flat=True)[:batch_size])
            if not ids:
                return total
            # .update() leaves updated_at alone: the item's own history is unchanged.
            Submission.objects.filter(pk__in=ids).update(phone_index="")
            audit_batch(MODEL, "retention_contacts", cutoff, len(ids))
        total += len(ids)
