"""The time-limit sweeps run by the worker (core.jobs; docs/workorders.md "Time-limit
sweeps"): warn before a duty clock runs out, mark and escalate (督办) when it has, and
repair orders whose evaluation was invalidated outside an appeal.

Every sweep walks open orders in primary-key batches and handles each order in its own
transaction whose first write is an insert under a unique constraint (Notification for a
warning, Escalation for an overdue level). A second worker's insert fails and it moves on;
a worker killed mid-order rolls the whole order back and the next run does it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from haochaping.accounts.models import User
from haochaping.accounts.roles import Role
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Org
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.catalog.selectors.policy import ancestor_paths, calendar_overrides
from haochaping.notify.services import outbox_enqueue
from haochaping.notify.services.inbox import sms_wanted
from haochaping.workorders import sweep_rules
from haochaping.workorders.models import (
    OPEN_VALUES,
    Escalation,
    Notification,
    WorkOrder,
    WorkOrderEvent,
)
from haochaping.workorders.rules import CLOCK_LABELS, Clock, Party
from haochaping.workorders.services.engine import SYSTEM
from haochaping.workorders.services.notices import handlers_to_text, people_of, tell
from haochaping.workorders.services.opening import workorder_on_invalidated_id

BATCH = 200
# Far enough ahead to hold the warning window across the longest holiday run.
WARNING_HORIZON = timedelta(days=21)


IdRange = tuple[int, int]  # [low, high) of work-order ids: one chunk of a sweep
ALL_IDS: IdRange = (1, 2**63 - 1)


def open_order_ids() -> list[int]:
    """Ids of the open orders, which the clock sweeps split into chunks."""
    return list(WorkOrder.objects.filter(status__in=OPEN_VALUES).order_by("pk")
                .values_list("pk", flat=True))


def warning_working_days() -> int:
    return int(getattr(settings, "HCP_WORKORDER_WARNING_WORKING_DAYS",
                       sweep_rules.WARNING_WORKING_DAYS))


def _overrides(now: datetime) -> dict[date, bool]:
    year = now.astimezone(SHANGHAI).year
    return calendar_overrides(range(year - 1, year + 2))


def _batches(clock: Clock, ids: IdRange,
             **filters: object) -> Iterator[list[tuple[int, datetime]]]:
    """(pk, due) of open orders in ``ids`` matching ``filters`` on the clock's column."""
    field, last = clock.field, ids[0] - 1
    while True:
        rows = list(WorkOrder.objects.filter(status__in=OPEN_VALUES, pk__gt=last,
                                             pk__lt=ids[1],
                                             **{f"{field}__isnull": False}, **filters)
                    .order_by("pk").values_list("pk", field)[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def owner_org(order: WorkOrder, clock: Clock) -> Org:
    """Who owes the step: the handling department, or the nearest supervising office of
    the order's subtree for a ruling (the order's own org when there is none)."""
    if sweep_rules.DUTY_CLOCKS[clock] is Party.HANDLER:
        return order.org
    office = (Org.objects.filter(kind="supervising", path__in=ancestor_paths(order.org_path))
              .order_by("-path").first())
    return office or order.org


def _owners(order: WorkOrder, org: Org, clock: Clock) -> list[User]:
    """Who owes the step, told in their own inbox: the department's handlers (never the
    staff member the order is about), or the office's supervisors for a ruling."""
    if sweep_rules.DUTY_CLOCKS[clock] is Party.HANDLER:
        return people_of(order)
    return list(User.objects.filter(org=org, role=Role.SUPERVISOR.value, is_active=True)
                .order_by("pk"))


def _assignees(order: WorkOrder, org: Org, clock: Clock) -> list[User]:
    """Who is texted: the owers with a phone who keep SMS reminders on."""
    if sweep_rules.DUTY_CLOCKS[clock] is Party.HANDLER:
        return handlers_to_text(order)
    return sms_wanted([u for u in _owners(order, org, clock) if u.phone])


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"


def _locked(pk: int, clock: Clock, due: datetime) -> WorkOrder | None:
    """The order if it is still open with this deadline (the sweep's snapshot may be stale)."""
    return (WorkOrder.objects.select_related("org")
            .filter(pk=pk, status__in=OPEN_VALUES, **{clock.field: due}).first())


# --- warnings ---------------------------------------------------------------------------

def sweep_deadline_warnings(now: datetime, ids: IdRange = ALL_IDS) -> str:
    """Warn the owing org (in-app) and its users (SMS) once per (order, clock, due time)
    when at most ``HCP_WORKORDER_WARNING_WORKING_DAYS`` working days are left; orders
    with ids in [low, high) (a chunk of the sweep)."""
    overrides, days, warned = _overrides(now), warning_working_days(), 0
    for clock in sweep_rules.DUTY_CLOCKS:
        for rows in _warning_batches(clock, now, ids):
            for pk, due in rows:
                if sweep_rules.warning_due(now, due, days, overrides):
                    warned += _warn_one(pk, clock, due, now)
    return f"deadline warnings: {warned} sent"


def _warning_batches(clock: Clock, now: datetime,
                     ids: IdRange) -> Iterator[list[tuple[int, datetime]]]:
    """Open orders due within the horizon that hold no warning for this deadline yet."""
    field, last = clock.field, ids[0] - 1
    already = Notification.objects.filter(order=OuterRef("pk"), kind="warning",
                                          clock=clock.value, due_at=OuterRef(field))
    while True:
        rows = list(WorkOrder.objects.filter(
            ~Exists(already), status__in=OPEN_VALUES, pk__gt=last, pk__lt=ids[1],
            **{f"{field}__gt": now, f"{field}__lte": now + WARNING_HORIZON})
            .order_by("pk").values_list("pk", field)[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def _warn_one(pk: int, clock: Clock, due: datetime, now: datetime) -> bool:
    with transaction.atomic():
        order = _locked(pk, clock, due)
        if order is None:
            return False
        org = owner_org(order, clock)
        text = f"工单 {order.number} 的{CLOCK_LABELS[clock]}将于 {_local(due)} 到期"
        try:
            with transaction.atomic():
                Notification.objects.create(
                    org=org, order=order, kind="warning", clock=clock.value, due_at=due,
                    text=text, created_at=now)
        except IntegrityError:
            return False  # another worker warned first
        stamp = f"{due.astimezone(SHANGHAI):%Y%m%d%H%M}"
        tell(order, _owners(order, org, clock), "warning", text,
             f"wo-warn:{order.pk}:{clock.value}:{stamp}", now, urgent=True)
        for user in _assignees(order, org, clock):
            outbox_enqueue(template="deadline_warning", to=user.phone,
                           params={"ticket": order.number, "deadline": _local(due)},
                           dedupe_key=f"wo-warn:{order.pk}:{clock.value}:{stamp}:{user.pk}")
        audit_record(action="workorder.deadline_warning", actor_label=SYSTEM.label, obj=order,
                     after={"clock": clock.value, "due_at": due.isoformat(), "org": org.pk})
    return True


# --- overdue and escalation (督办) -------------------------------------------------------

def sweep_overdue(now: datetime, ids: IdRange = ALL_IDS) -> str:
    """Mark orders whose duty clock ran out and escalate them to the supervising office:
    level 1 when the limit passes, one more level per further working day overdue;
    orders with ids in [low, high) (a chunk of the sweep)."""
    overrides, escalated = _overrides(now), 0
    for clock in sweep_rules.DUTY_CLOCKS:
        for rows in _batches(clock, ids, **{f"{clock.field}__lte": now}):
            done = set(Escalation.objects.filter(
                order_id__in=[pk for pk, _ in rows], kind="overdue", clock=clock.value)
                .values_list("order_id", "period"))
            for pk, due in rows:
                level = sweep_rules.escalation_level(due, now, overrides)
                period = sweep_rules.escalation_period(due, level)
                if (pk, period) not in done:
                    escalated += _escalate_one(pk, clock, due, level, period, now)
    return f"overdue escalations: {escalated} created"


def _escalate_one(pk: int, clock: Clock, due: datetime, level: int, period: str,
                  now: datetime) -> bool:
    with transaction.atomic():
        order = _locked(pk, clock, due)
        if order is None:
            return False
        note = f"{CLOCK_LABELS[clock]}已于 {_local(due)} 届满，{level} 级督办"
        try:
            with transaction.atomic():
                row = Escalation.objects.create(order=order, kind="overdue", clock=clock.value,
                                                period=period, level=level, note=note, at=now)
        except IntegrityError:
            return False  # another worker escalated this level first
        status = order.status
        first = WorkOrder.objects.filter(pk=pk, overdue_at__isnull=True).update(overdue_at=now)
        if first:
            WorkOrderEvent.objects.create(order=order, action="overdue", from_status=status,
                                          to_status=status, actor_label=SYSTEM.label,
                                          note=f"{CLOCK_LABELS[clock]}已逾期",
                                          payload={"clock": clock.value,
                                                   "due_at": due.isoformat()}, at=now)
        org, text = owner_org(order, clock), f"工单 {order.number} 的{CLOCK_LABELS[clock]}已逾期"
        _row, told = Notification.objects.get_or_create(
            order=order, kind="overdue", clock=clock.value, due_at=due,
            defaults={"org": org, "created_at": now, "text": text})
        if told:
            tell(order, _owners(order, org, clock), "overdue", text,
                 f"wo-overdue:{order.pk}:{clock.value}:{due:%Y%m%d%H%M}", now, urgent=True)
        record = {"escalation": row.pk, "clock": clock.value, "level": level,
                  "due_at": due.isoformat()}
        WorkOrderEvent.objects.create(order=order, action="escalate", from_status=status,
                                      to_status=status, actor_label=SYSTEM.label, note=note,
                                      payload=record, at=now)
        audit_record(action="workorder.escalate", actor_label=SYSTEM.label, obj=order,
                     after=record)
    return True


# --- repair -----------------------------------------------------------------------------

def sweep_voided_evaluations(now: datetime) -> str:
    """Void open orders whose evaluation was invalidated (the on_commit hook of
    evaluation_invalidate may have been lost to a crash). Idempotent."""
    ids = list(WorkOrder.objects.filter(status__in=OPEN_VALUES,
                                        evaluation__invalidated_at__isnull=False)
               .order_by("pk").values_list("evaluation_id", flat=True)[:BATCH])
    voided = sum(workorder_on_invalidated_id(pk, now=now) for pk in ids if pk is not None)
    return f"voided orders: {voided}"
