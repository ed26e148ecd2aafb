"""The retention purge of raters (docs/privacy.md, "Retention and purge").

A rater whose last activity (every app's ``retention.activity`` source) is older than the
policy's ``retention_identity`` loses its identity: the three ciphertexts and the blind
indexes are emptied (the unique identity index becomes ``purged:<id>``, so the same
person rating again later is a new rater), the masks become 已清除 and ``purged_at`` is
set. The row stays: ratings, handlings, work orders and the statistics that count them
keep pointing at it and do not change.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from haochaping.vault.inventory import PURGED_MASK
from haochaping.vault.models import Rater
from haochaping.vault.retention import active_raters, audit_batch

POLICY_KEY = "retention_identity"
MODEL = "handlings.Rater"


def _masked(value: str) -> str:
    return PURGED_MASK if value else ""


def _candidates(cutoff: datetime, after_pk: int, limit: int) -> list[int]:
    return list(Rater.objects.filter(pk__gt=after_pk, purged_at__isnull=True,
                                     updated_at__lt=cutoff)
                .order_by("pk").values_list("pk", flat=True)[:limit])


def _purge_batch(ids: list[int], cutoff: datetime) -> int:
    """Purge the raters of ``ids`` that nobody needs any more, in one transaction with
    its audit event; the rows are locked and checked again, so a rater used meanwhile
    is kept."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(Rater.objects.select_for_update()
                    .filter(pk__in=ids, purged_at__isnull=True, updated_at__lt=cutoff)
                    .order_by("pk"))
        keep = active_raters([r.pk for r in rows], cutoff)
        due = [r for r in rows if r.pk not in keep]
        for rater in due:
            rater.name_cipher = rater.id_no_cipher = rater.phone_cipher = ""
            rater.id_no_index = rater.phone_index = ""
            rater.identity_index = f"purged:{rater.pk}"
            rater.name_masked = PURGED_MASK
            rater.id_no_masked = _masked(rater.id_no_masked)
            rater.phone_masked = _masked(rater.phone_masked)
            rater.purged_at = rater.updated_at = now
        if due:
            Rater.objects.bulk_update(due, [
                "name_cipher", "id_no_cipher", "phone_cipher", "id_no_index", "phone_index",
                "identity_index", "name_masked", "id_no_masked", "phone_masked", "purged_at",
                "updated_at"])
            audit_batch(MODEL, POLICY_KEY, cutoff, len(due))
    return len(due)


def raters_purge(cutoff: datetime, batch_size: int, dry_run: bool) -> int:
    """Purge (or with ``dry_run`` count) every rater due at ``cutoff``, batch by batch in
    primary-key order."""
    total, last = 0, 0
    while ids := _candidates(cutoff, last, batch_size):
        last = ids[-1]
        if dry_run:
            total += len(ids) - len(active_raters(ids, cutoff))
        else:
            total += _purge_batch(ids, cutoff)
    return total
