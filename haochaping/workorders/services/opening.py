"""Opening work orders from bad reviews, and following newer ratings of the handling.

Evaluation creation queues :func:`workorder_on_rating_id` with ``transaction.on_commit``
(haochaping/evaluations/services.py): a rating must never fail because of its work order,
and the order must see the committed rating. A process killed between the two commits
loses nothing: :func:`sweep_missing_orders` (a periodic job) opens what is missing.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from haochaping.audit.services import audit_record
from haochaping.catalog.rules.standards import BAD_LEVEL_MAX
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.core.errors import AppError
from haochaping.evaluations.models import Evaluation
from haochaping.workorders.models import OPEN_VALUES, WorkOrder, WorkOrderEvent
from haochaping.workorders.rules import Action, Complexity, Kind, State
from haochaping.workorders.services.engine import SYSTEM, Ctx, workorder_transition
from haochaping.workorders.services.notices import notify_new
from haochaping.workorders.services.steps import start_clocks

SATISFIED_LEVEL_MIN = 4  # 满意及以上 (policy.satisfied_rerating_closes)


def is_open_worthy(evaluation: Evaluation) -> bool:
    return (evaluation.level <= BAD_LEVEL_MAX and evaluation.is_current
            and evaluation.invalidated_at is None and not evaluation.is_default)


def _open_order(evaluation: Evaluation) -> WorkOrder | None:
    """The open bad-review order of what ``evaluation`` rates: its handling as a whole,
    or one stage of it (a stage's ratings follow and close that stage's order only)."""
    return WorkOrder.objects.filter(handling_id=evaluation.handling_id,
                                    stage_id=evaluation.stage_id, kind=Kind.BAD_REVIEW.value,
                                    status__in=OPEN_VALUES).first()


def workorder_open_for_evaluation(evaluation: Evaluation, *,
                                  now: datetime | None = None) -> WorkOrder | None:
    """Open (or find) the order of a valid bad review, dispatched to the handling's org
    (谁办理谁负责). Idempotent: one order per evaluation, one open order per handling (and
    one per stage of it, for the ratings of a stage)."""
    if not is_open_worthy(evaluation):
        return None
    existing = WorkOrder.objects.filter(evaluation=evaluation).first()
    if existing is not None:
        return existing
    current = _open_order(evaluation)
    if current is not None:
        return workorder_transition(actor=SYSTEM, order=current, action=Action.RERATING_FOLLOW,
                                    payload={"evaluation_id": evaluation.pk}, now=now)
    now = now or timezone.now()
    org = evaluation.org
    order = WorkOrder(kind=Kind.BAD_REVIEW.value, evaluation=evaluation,
                      handling_id=evaluation.handling_id, stage_id=evaluation.stage_id,
                      org=org, org_path=org.path,
                      status=State.DISPATCHED.value, complexity=Complexity.COMPLEX.value,
                      created_at=now, dispatched_at=now, updated_at=now)
    ctx = Ctx(actor=SYSTEM, order=order, payload={}, now=now, policy=effective_policy(org),
              source=State.DISPATCHED, target=State.DISPATCHED)
    start_clocks(ctx, now)
    for name, value in ctx.updates.items():
        setattr(order, name, value)
    try:
        with transaction.atomic():
            order.save(force_insert=True)
            WorkOrderEvent.objects.create(
                order=order, action="open", from_status="", to_status=order.status,
                actor_label=SYSTEM.label, payload={"evaluation": evaluation.pk,
                                                   "org": org.pk}, at=now)
            audit_record(action="workorder.open", actor_label=SYSTEM.label, obj=order,
                         after={"status": order.status, "evaluation": evaluation.pk,
                                "org": org.pk})
            notify_new(order.pk, now)  # the department is told at once (seed 004 §9)
    except IntegrityError:
        # A concurrent call opened it first (workorder_one_per_evaluation).
        return WorkOrder.objects.filter(evaluation=evaluation).first()
    return order


def workorder_on_rating(evaluation: Evaluation, *,
                        now: datetime | None = None) -> WorkOrder | None:
    """A new rating of a handling: a bad one opens or updates the order; a satisfied one
    closes the open order when the policy says so (seed 003 §10: the latest rating wins);
    any other is noted on the open order."""
    if evaluation.level <= BAD_LEVEL_MAX:
        return workorder_open_for_evaluation(evaluation, now=now)
    current = _open_order(evaluation)
    if current is None:
        return None
    payload = {"evaluation_id": evaluation.pk}
    if (evaluation.level >= SATISFIED_LEVEL_MIN
            and effective_policy(current.org).satisfied_rerating_closes):
        return workorder_transition(actor=SYSTEM, order=current, action=Action.RERATING_CLOSE,
                                    payload=payload, now=now)
    return workorder_transition(actor=SYSTEM, order=current, action=Action.RERATING_FOLLOW,
                                payload=payload, now=now)


def workorder_on_rating_id(evaluation_id: int) -> None:
    """The on_commit hook of evaluation_submit (ids, not objects: STYLE.md §2)."""
    evaluation = Evaluation.objects.select_related("org").filter(pk=evaluation_id).first()
    if evaluation is not None:
        workorder_on_rating(evaluation)


def workorder_on_invalidated_id(evaluation_id: int, *, now: datetime | None = None) -> int:
    """The on_commit hook of evaluation_invalidate: void the open order of an evaluation
    invalidated outside an appeal (after an upheld appeal the order is voided already and
    nothing happens). Returns how many orders were voided; the repair job
    (clocks.sweep_voided_evaluations) catches what a crash or a race left open."""
    voided = 0
    for order in WorkOrder.objects.filter(evaluation_id=evaluation_id,
                                          status__in=OPEN_VALUES).order_by("pk"):
        try:
            workorder_transition(actor=SYSTEM, order=order, action=Action.EVALUATION_VOID,
                                 now=now)
        except AppError:
            continue  # closed or voided meanwhile
        voided += 1
    return voided


def sweep_missing_orders(now: datetime, *, limit: int = 500) -> str:
    """Open orders for valid current bad reviews that have none (a crash between the
    rating's commit and its on_commit hook). Idempotent."""
    rows = list(Evaluation.objects.filter(
        level__lte=BAD_LEVEL_MAX, is_current=True, invalidated_at__isnull=True,
        is_default=False, work_orders__isnull=True).select_related("org")
        .order_by("created_at")[:limit])
    opened = sum(workorder_open_for_evaluation(e, now=now) is not None for e in rows)
    return f"work orders: {opened} opened"

