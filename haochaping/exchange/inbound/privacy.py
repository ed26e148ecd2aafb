"""The exchange's part in the retention purge (vault.retention): the submitter of a
forwarded item is still needed until the item was answered, and for the period after."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from haochaping.exchange.models import ForwardedItem


def rater_activity(ids: list[int], cutoff: datetime) -> set[int]:
    live = Q(replied_at__isnull=True) | Q(replied_at__gte=cutoff) | Q(arrived_at__gte=cutoff)
    return set(ForwardedItem.objects.filter(live, submitter_id__in=ids)
               .values_list("submitter_id", flat=True))
