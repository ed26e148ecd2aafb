"""The source queries of the complaints app's roll-ups (诉求件, seed 004 §8).

Like the rating sources (``sources``): one ORM ``GROUP BY`` per daily table, keyed by the
Shanghai day and the org the item is attributed to (``ATTRIBUTED``: the department of its
work order, else its subject org, else its receiving office), with the item's subject
hall, window, staff and matter and its kind. The counts read the item's status as it
stands (docs/metrics.md "Complaints").
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate

from haochaping.complaints.models import SpotCheck, Submission
from haochaping.complaints.rules.kinds import ACCEPTED_STATUSES, Status, SubmissionKind
from haochaping.stats import rules

ORG = "cx_org"  # the annotation the sources (and their bucket filter) key on
ACCEPTED = sorted(s.value for s in ACCEPTED_STATUSES)


def attributed(prefix: str = "") -> Coalesce:
    return Coalesce(F(f"{prefix}order__org_id"), F(f"{prefix}org_id"), F(f"{prefix}office_id"))


def _keys(day_field: str, prefix: str = "") -> dict[str, Any]:
    return {"k_day": TruncDate(day_field, tzinfo=rules.SHANGHAI), "k_org": F(ORG),
            "k_hall": F(f"{prefix}hall_id"), "k_window": F(f"{prefix}window_id"),
            "k_staff": F(f"{prefix}staff_id"), "k_matter": F(f"{prefix}matter_id"),
            "k_kind": F(f"{prefix}kind")}


def _counted(qs: QuerySet[Any], keys: dict[str, Any], counts: dict[str, Q]) -> QuerySet[Any]:
    return (qs.annotate(**keys).values(*keys)
            .annotate(**{f"c_{name}": Count("pk", filter=cond) for name, cond in counts.items()})
            .order_by())


# Which items each count counts (the drill-downs, stats.drill_items, use the same Q).
ITEM_COUNTS: dict[str, Q] = {
    **{f"items_{k.value}": Q(kind=k.value) for k in SubmissionKind},
    "items_accepted": Q(status__in=ACCEPTED),
    "items_refused": Q(status=Status.REFUSED.value),
    "complaints_accepted": Q(kind=SubmissionKind.COMPLAINT.value, status__in=ACCEPTED),
}
CLOSE_COUNTS: dict[str, Q] = {
    "items_closed": Q(),
    # no order, or an order that never passed a duty clock (WorkOrder.overdue_at)
    "items_closed_on_time": Q(order__overdue_at__isnull=True),
}
SPOT_COUNTS: dict[str, Q] = {
    "spot_reached": Q(reached=True),
    "spot_satisfied": Q(reached=True, satisfied=True),
}


def item_source(where: Q) -> QuerySet[Any]:
    qs = Submission.objects.annotate(**{ORG: attributed()}).filter(where)
    return _counted(qs, _keys("received_at"), ITEM_COUNTS)


def item_close_source(where: Q) -> QuerySet[Any]:
    qs = Submission.objects.annotate(**{ORG: attributed()}).filter(
        where, closed_at__isnull=False)
    return _counted(qs, _keys("closed_at"), CLOSE_COUNTS)


def spot_source(where: Q) -> QuerySet[Any]:
    qs = SpotCheck.objects.annotate(**{ORG: attributed("submission__")}).filter(
        where, called_at__isnull=False)
    return _counted(qs, _keys("called_at", "submission__"), SPOT_COUNTS)
