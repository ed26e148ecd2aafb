"""The handlings' part in the retention purge (vault.retention): a rater is still needed
while one of their handlings changed after the cutoff."""

from __future__ import annotations

from datetime import datetime

from haochaping.handlings.models import Handling


def rater_activity(ids: list[int], cutoff: datetime) -> set[int]:
    return set(Handling.objects.filter(rater_id__in=ids, updated_at__gte=cutoff)
               .values_list("rater_id", flat=True))
