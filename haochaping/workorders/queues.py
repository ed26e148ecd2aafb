"""Reads behind the role homes (workbench) and the office's console: the office's queues
as narrowings of ``selectors.queue_for`` (one definition, counted on the home and listed
in the console), and a department's own orders in the order its day should take them:
returned ones first, then those nearly overdue, then by the soonest deadline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from haochaping.accounts.scoping import Actor
from haochaping.workorders import selectors
from haochaping.workorders.models import OPEN_VALUES, WorkOrder
from haochaping.workorders.rules import State

Narrow = Callable[[QuerySet[WorkOrder]], QuerySet[WorkOrder]]
# "Nearly overdue" on a home: a running deadline within this window.
DUE_SOON = timedelta(hours=24)
HOME_ROWS = 20


def _overdue(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    now = timezone.now()
    return qs.filter(Q(rectify_due_at__lt=now) | Q(ruling_due_at__lt=now)
                     | Q(escalations__isnull=False), status__in=OPEN_VALUES).distinct()


# The supervising office's console tabs (workorders.views.console) and home cards.
TABS: dict[str, tuple[str, Narrow]] = {
    "dispatch": ("派单改派", lambda qs: qs.filter(status__in=[
        State.DISPATCHED, State.SIGNED, State.RETURNED])),
    "qa": ("质检审核", lambda qs: qs.filter(status=State.REPLIED)),  # after the head's 审阅
    "appeals": ("申诉复核", lambda qs: qs.filter(status=State.APPEALING)),
    "overdue": ("逾期督办", _overdue),
    "extensions": ("延期审批", lambda qs: qs.filter(extension__status="requested")),
    "typical": ("典型案例", lambda qs: qs.filter(status=State.CLOSED)),
}


def office_counts(actor: Actor) -> list[tuple[str, str, int]]:
    """(tab, label, count) of every console tab but the typical cases (not a duty)."""
    base = selectors.queue_for(actor)
    return [(key, label, narrow(base).count()) for key, (label, narrow) in TABS.items()
            if key != "typical"]


def _running_due(order: WorkOrder) -> datetime | None:
    return min((d for d in (order.contact_due_at, order.investigate_due_at,
                            order.rectify_due_at, order.ruling_due_at,
                            order.appeal_file_due_at) if d), default=None)


@dataclass(frozen=True)
class HomeRow:
    order: WorkOrder
    due: datetime | None
    overdue: bool
    due_soon: bool


def _urgency(row: HomeRow) -> tuple[int, datetime]:
    first = (0 if row.order.status == State.RETURNED else 1 if row.overdue
             else 2 if row.due_soon else 3)
    return first, row.due or datetime.max.replace(tzinfo=UTC)


def department_rows(actor: Actor, *, states: frozenset[State] | None = None,
                    now: datetime | None = None) -> list[HomeRow]:
    """The actor's open orders (or those in ``states``), returned first, then overdue,
    then due within ``DUE_SOON``, then by the soonest running deadline."""
    now = now or timezone.now()
    qs = selectors.queue_for(actor, selectors.QueueFilters(open_only=True))
    if states is not None:
        qs = qs.filter(status__in=[s.value for s in states])
    rows = []
    for order in qs[:500]:
        due = _running_due(order)
        rows.append(HomeRow(order, due, due is not None and due < now,
                            due is not None and now <= due < now + DUE_SOON))
    return sorted(rows, key=_urgency)


def department_counts(rows: list[HomeRow]) -> dict[str, int]:
    """The home's cards of a department, counted over ``department_rows``."""
    status = [r.order.status for r in rows]
    return {"dispatched": status.count(State.DISPATCHED), "returned":
            status.count(State.RETURNED), "approving": status.count(State.APPROVING),
            "working": status.count(State.SIGNED), "overdue": sum(r.overdue for r in rows),
            "due_soon": sum(r.due_soon for r in rows), "open": len(rows)}
