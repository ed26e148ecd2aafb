"""Call-backs without the rater's number (issue 17, seed 003 §18: 差评回访率 100 %): the
handler calls through a privacy-number relay (``notify.services.relay``), sees only the
virtual number and the rater's masked name, and the platform's call record becomes the
call-back's evidence. The unmasked reveal stays for the supervising office and, for the
handler, only where the policy allows it (``reveal_by_handler``) or the relay failed;
always with a stated purpose, once per order and person (``vault.access``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.core.errors import PermissionDenied, ValidationError
from haochaping.notify.models import RelayBinding, RelayCall
from haochaping.notify.services.relay import relay_bind, relay_calls_sync, relay_failed
from haochaping.vault.services import RaterIdentity, rater_relay_record, rater_reveal
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.rules import Party, State
from haochaping.workorders.services.engine import party_of

CALLING_STATES = (State.SIGNED, State.RETURNED)
RELAY_PURPOSE = "差评回访（隐私号通话）"


def subject_of(order: WorkOrder) -> str:
    """The order as the vault and the relay name it."""
    return f"workorder:{order.pk}"


def _handler_calling(actor: Actor, order: WorkOrder, what: str) -> None:
    """The assigned department's handler, while the order is being handled."""
    if party_of(actor) is not Party.HANDLER:
        raise PermissionDenied("rater.reveal_forbidden", f"只有承办部门经办人可以{what}")
    require(actor, access.WORK_ORDER, access.WRITE, order.org_path)
    if State(order.status) not in CALLING_STATES or order.evaluation is None:
        raise ValidationError("workorder.reveal_not_now", f"签收后、反馈前才能{what}")


def callback_relay(*, actor: Actor, order: WorkOrder,
                   now: datetime | None = None) -> RelayBinding:
    """通过隐私号回访: bind the handler's phone (their account's) to the rater; the answer
    holds the virtual number and its expiry only. A platform refusal comes back as a
    ``failed`` binding (the view says so, and the handler's reveal opens)."""
    _handler_calling(actor, order, "通过隐私号回访")
    phone = getattr(actor.user, "phone", "") or ""
    if not phone:
        raise ValidationError("workorder.relay_no_phone",
                              "您的账号未登记手机号，无法绑定隐私号；请联系管理员在账号中登记手机号",
                              "phone")
    assert order.evaluation is not None
    rater = order.evaluation.rater
    now = now or timezone.now()
    binding, created = relay_bind(ref=subject_of(order), rater=rater,
                                  caller_id=actor.user.pk, caller_phone=phone, now=now)
    if created:  # a new binding (or a new refusal), not the live one handed out again
        with transaction.atomic():
            if binding.status == "bound":
                rater_relay_record(actor=actor, rater=rater, subject=subject_of(order),
                                   purpose=RELAY_PURPOSE, now=now)
            audit_record(action="workorder.relay_bind", actor=actor.user,
                         actor_label=actor.label, obj=order,
                         after={"binding": binding.pk, "status": binding.status,
                                "expires_at": binding.expires_at.isoformat()})
    return binding


def handler_may_reveal(actor: Actor, order: WorkOrder) -> bool:
    """The policy lets departments reveal, or the relay failed for this handler."""
    return (effective_policy(order.org).reveal_by_handler
            or relay_failed(subject_of(order), actor.user.pk))


def order_reveal(*, actor: Actor, order: WorkOrder, purpose: str,
                 now: datetime | None = None) -> RaterIdentity:
    """The rater's name and phone (never the ID number), unmasked, with a stated purpose,
    once per order and person: for the supervising office, and for the assigned handler
    only as :func:`handler_may_reveal` allows."""
    if order.evaluation is None:
        raise ValidationError("workorder.no_rater", "该工单没有评价人")
    if party_of(actor) is Party.OFFICE:
        require(actor, access.WORK_ORDER, access.READ, order.org_path)
    else:
        _handler_calling(actor, order, "查看回访电话")
        if not handler_may_reveal(actor, order):
            raise PermissionDenied(
                "rater.reveal_by_relay",
                "请通过隐私号回访：承办部门仅在隐私号呼叫失败时可查看评价人电话")
    return rater_reveal(actor=actor, rater=order.evaluation.rater, purpose=purpose,
                        fields=("name", "phone"), found_in_scope=True,
                        subject=subject_of(order), now=now)


def latest_relay_call(order: WorkOrder, now: datetime | None = None) -> dict[str, Any] | None:
    """The newest call record of the order's bindings (fetched from the platform first),
    as the call-back step stores it; None when no call was made."""
    calls = relay_calls_sync(subject_of(order), now=now)
    if not calls:
        return None
    call: RelayCall = calls[-1]
    return {"id": call.pk, "started_at": call.started_at, "seconds": call.seconds,
            "outcome": call.outcome}
