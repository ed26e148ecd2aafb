"""Orders without a rating: a complaint, inquiry or suggestion the supervising office
dispatches to a handling department (seed 004 §6: 按责交办、限时办结): the provincial
platform's forwarded items (exchange) and the complaints app's items open them.

The order runs the one state machine with the complaint clocks of the org's policy
(contact, investigate, close: ``rules.clock_limits``; an urgent item the urgent ones);
the request's text is kept beside the order (``OrderRequest``) and shown to its
handlers, their head and the office only (``selectors.order_detail``). The department is
told at once (``notices.notify_new``). When its reply is released
``hooks.request_answered`` fires, and ``hooks.request_closed`` when it closes.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Org, Staff
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.core.errors import PermissionDenied, ValidationError
from haochaping.handlings.models import Handling
from haochaping.workorders.models import OrderRequest, WorkOrder, WorkOrderEvent
from haochaping.workorders.rules import REQUEST_KINDS, Complexity, Kind, Party, State
from haochaping.workorders.services.engine import SYSTEM, Ctx, party_of
from haochaping.workorders.services.notices import notify_new
from haochaping.workorders.services.steps import start_clocks

__all__ = ["REQUEST_KINDS", "workorder_open_request"]
MAX_SOURCE = 100


def workorder_open_request(*, actor: Actor, kind: Kind | str, org: Org, text: str,
                           source: str, handling: Handling | None = None,
                           urgent: bool = False, staff: Staff | None = None,
                           now: datetime | None = None) -> WorkOrder:
    """Open a complaint, inquiry or suggestion order at ``org`` (a handling department
    inside the office's subtree), dispatched now, with ``text`` as its request;
    ``urgent`` runs the urgent limits, ``staff`` is the staff member it is about (never
    shown the order). The supervising office only (or the platform itself, ``SYSTEM``);
    audited. Call inside the caller's transaction when it records the dispatch elsewhere
    too."""
    try:
        kind = Kind(kind)
    except ValueError:
        kind = Kind.BAD_REVIEW
    if kind not in REQUEST_KINDS:
        raise ValidationError("workorder.invalid_kind", "只能派发咨询、投诉或建议工单", "kind")
    # The platform itself (SYSTEM) opens the order of an item it routed on acceptance
    # (complaints.services.dispatch: the caller checked the org against the item's office).
    party = Party.SYSTEM if actor == SYSTEM else None
    if party is None and (actor.is_client or party_of(actor) is not Party.OFFICE):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以派发工单")
    if org.kind != "handling" or not org.is_active:
        raise ValidationError("workorder.invalid_org", "请选择承办部门", "org_id")
    try:
        if party is None:
            require(actor, access.WORK_ORDER, access.WRITE, org.path)
    except PermissionDenied:
        raise PermissionDenied("forbidden.scope", "只能派发给本机构管辖范围内的部门") from None
    text = text.strip()
    if not text:
        raise ValidationError("workorder.text_required", "诉求内容不能为空", "text")
    now = now or timezone.now()
    order = WorkOrder(kind=kind.value, handling=handling, org=org, org_path=org.path,
                      status=State.DISPATCHED.value, complexity=Complexity.COMPLEX.value,
                      urgent=bool(urgent), created_at=now, dispatched_at=now, updated_at=now)
    source = source.strip()[:MAX_SOURCE]
    ctx = Ctx(actor=actor, order=order, payload={}, now=now, policy=effective_policy(org),
              source=State.DISPATCHED, target=State.DISPATCHED)
    start_clocks(ctx, now)
    for name, value in ctx.updates.items():
        setattr(order, name, value)
    with transaction.atomic():
        order.save(force_insert=True)
        OrderRequest.objects.create(order=order, text=text, source=source, staff=staff)
        after = {"status": order.status, "kind": kind.value, "org": org.pk, "source": source,
                 "urgent": order.urgent}
        WorkOrderEvent.objects.create(order=order, action="open", from_status="",
                                      to_status=order.status, actor=actor.user,
                                      actor_label=actor.label, payload=after, at=now)
        audit_record(action="workorder.open_request", actor=actor.user,
                     actor_label=actor.label, obj=order, after=after)
        notify_new(order.pk, now)
    return order
