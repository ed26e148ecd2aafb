"""The work orders' part in the retention purge (vault.retention): a rater is still
needed while a work order of their rating or handling is open or changed after the
cutoff (a call-back may still need the number)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from haochaping.workorders.models import OPEN_VALUES, WorkOrder


def rater_activity(ids: list[int], cutoff: datetime) -> set[int]:
    live = Q(status__in=OPEN_VALUES) | Q(updated_at__gte=cutoff)
    found: set[int] = set()
    for path in ("evaluation__rater_id", "handling__rater_id"):
        found |= set(WorkOrder.objects.filter(live, **{f"{path}__in": ids})
                     .values_list(path, flat=True))
    return found
