"""The one transition function: every state change and step of a work order goes here.

``workorder_transition`` checks the party (workorders.rules) and the org subtree
(accounts.scoping), asks the table for the next state, lets the action's step function
validate the payload and write its record, swaps the status (compare and swap: 0 rows
means someone else moved the order first), appends the WorkOrderEvent and the audit row,
all in one transaction. Nothing is written when anything refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.catalog.rules.policies import Duration, Policy
from haochaping.catalog.selectors.policy import deadline, effective_policy
from haochaping.core.errors import AppError, Conflict, PermissionDenied, ValidationError
from haochaping.workorders import hooks, rules
from haochaping.workorders.models import WorkOrder, WorkOrderEvent
from haochaping.workorders.rules import Action, Party, State

# The platform acting on its own (ratings, policy): never a user, never scoped.
SYSTEM = Actor(role=None, scope_path=None, label="system:workorders")

_STAMP = {State.DISPATCHED: "dispatched_at", State.SIGNED: "signed_at",
          State.APPROVING: "submitted_at", State.REPLIED: "replied_at",
          State.RETURNED: "returned_at", State.APPEALING: "appealed_at",
          State.CLOSED: "closed_at", State.VOIDED: "voided_at"}


DEPARTMENT = frozenset({Party.HANDLER, Party.HEAD})  # whose acts are a first touch


def party_of(actor: Actor) -> Party:
    if actor == SYSTEM:
        return Party.SYSTEM
    if actor.is_client:
        raise PermissionDenied("forbidden.role", "业务系统不能办理工单")
    # The office party is whoever supervises work orders; the department head approves
    # (审阅) for the department; any other writer handles them (accounts.rules decides
    # who may write at all).
    if actor.allows(access.SUPERVISION, access.WRITE):
        return Party.OFFICE
    if actor.role is Role.DEPT_HEAD and actor.allows(access.WORK_ORDER, access.WRITE):
        return Party.HEAD
    if actor.allows(access.WORK_ORDER, access.WRITE):
        return Party.HANDLER
    raise PermissionDenied("forbidden.role", "当前角色无权办理工单")


def refusal_error(exc: rules.TransitionRefused) -> AppError:
    if exc.code == "workorder.wrong_party":
        return PermissionDenied(exc.code, exc.message, exc.field)
    if exc.code in ("workorder.invalid_transition", "workorder.extension_pending"):
        return Conflict(exc.code, exc.message, exc.field)
    return ValidationError(exc.code, exc.message, exc.field)


@dataclass
class Ctx:
    """What a step function sees; it adds field updates, event payload and a note."""

    actor: Actor
    order: WorkOrder
    payload: dict[str, Any]
    now: datetime
    policy: Policy
    source: State
    target: State
    updates: dict[str, Any] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    then: list[Callable[[], None]] = field(default_factory=list)

    def text(self, key: str, label: str, *, required: bool = True, limit: int = 2000) -> str:
        value = self.payload.get(key, "")
        if not isinstance(value, str):
            raise ValidationError("workorder.invalid_text", f"“{label}”须为文字", key)
        value = value.strip()
        if required and not value:
            raise ValidationError("workorder.text_required", f"请填写“{label}”", key)
        if len(value) > limit:
            raise ValidationError("workorder.text_too_long", f"“{label}”不能超过 {limit} 字", key)
        return value

    def flag(self, key: str, label: str, default: bool | None = None) -> bool:
        value = self.payload.get(key, default)
        if not isinstance(value, bool):
            raise ValidationError("workorder.invalid_flag", f"“{label}”须为是或否", key)
        return value

    def due(self, duration: Duration, start: datetime | None = None) -> datetime:
        return deadline(start or self.now, duration)


StepFn = Callable[[Ctx], None]
STEPS: dict[Action, StepFn] = {}


def step(action: Action) -> Callable[[StepFn], StepFn]:
    def register(fn: StepFn) -> StepFn:
        STEPS[action] = fn
        return fn
    return register


def _check_scope(actor: Actor, party: Party, order: WorkOrder) -> None:
    if party is Party.SYSTEM:
        return
    require(actor, access.WORK_ORDER, access.WRITE, order.org_path)


def workorder_transition(*, actor: Actor, order: WorkOrder, action: Action | str,
                         payload: dict[str, Any] | None = None,
                         now: datetime | None = None) -> WorkOrder:
    """Take ``action`` on ``order`` as ``actor``; returns the order as it now is."""
    try:
        action = Action(action)
    except ValueError:
        raise ValidationError("workorder.unknown_action", "未知的工单操作", "action") from None
    party = party_of(actor)
    _check_scope(actor, party, order)
    now = now or timezone.now()
    with transaction.atomic():
        fresh = WorkOrder.objects.select_related("org").get(pk=order.pk)
        source = State(fresh.status)
        try:
            target = rules.next_state(source, action, party)
        except rules.TransitionRefused as exc:
            raise refusal_error(exc) from None
        tr = rules.TRANSITIONS[action]
        ctx = Ctx(actor=actor, order=fresh, payload=dict(payload or {}), now=now,
                  policy=effective_policy(fresh.org), source=source, target=target)
        for clock in tr.stops:
            ctx.updates[clock.field] = None
        STEPS[action](ctx)
        if target is not source:
            ctx.updates[_STAMP[target]] = now
        if party in DEPARTMENT and fresh.first_touch_at is None:
            ctx.updates["first_touch_at"] = now  # the department's first act (stats)
        ctx.updates["updated_at"] = now
        if not WorkOrder.objects.filter(pk=fresh.pk, status=source.value).update(
                status=target.value, **ctx.updates):
            raise Conflict("workorder.concurrent", "工单状态已变化，请刷新后重试")
        user = actor.user
        WorkOrderEvent.objects.create(
            order=fresh, action=action.value, from_status=source.value,
            to_status=target.value, actor=user, actor_label=actor.label, note=ctx.note,
            payload=ctx.record, at=now)
        audit_record(action=f"workorder.{action.value}", actor=user, actor_label=actor.label,
                     obj=fresh, before={"status": source.value},
                     after={"status": target.value, **ctx.record})
        for follow_up in ctx.then:  # request_answered, an automatic close…
            follow_up()
        if target is State.CLOSED and fresh.evaluation_id is None:
            # A request's outcome goes back where it came from (exchange, complaints).
            hooks.fire(hooks.request_closed, fresh.pk)
    fresh.refresh_from_db()
    return fresh
