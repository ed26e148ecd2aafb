"""Dispatch of accepted items to a handling department (seed 004 §6: 按责交办).

:func:`submission_dispatch` opens the item's work order through the engine
(``workorders.services.requests.workorder_open_request``: the complaint clocks of the
department's policy) and moves the item to ``dispatched`` in the same transaction;
:func:`submission_auto_dispatch` asks ``rules.routing`` right after acceptance and
dispatches as the platform itself when the department is certain, else leaves the item in
the office's 待交办 queue with the reason. :func:`submission_redispatch` moves a
dispatched item's order to another department (the engine's 改派).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Org, Region
from haochaping.complaints.models import Submission, SubmissionOrder
from haochaping.complaints.rules.kinds import (
    ORDER_KIND,
    Channel,
    Status,
    SubmissionKind,
    Urgency,
)
from haochaping.complaints.rules.routing import Known, Route, Unit, route
from haochaping.complaints.services.moves import submission_move, submission_note
from haochaping.core.errors import Conflict, PermissionDenied, ValidationError
from haochaping.workorders.services import workorder_redispatch
from haochaping.workorders.services.engine import SYSTEM
from haochaping.workorders.services.requests import workorder_open_request

DISPATCHABLE = frozenset({Status.ACCEPTED, Status.REOPENED})
MAX_NOTE = 500


def office_check(actor: Actor, item: Submission) -> None:
    """The supervising office whose subtree received the item (or the platform)."""
    if actor == SYSTEM:
        return
    if actor.is_client:
        raise PermissionDenied("forbidden.role", "业务系统不能处理诉求件")
    require(actor, access.COMPLAINT, access.WRITE, item.office_path)


def _unit(org: Org | None) -> Unit | None:
    if org is None:
        return None
    return Unit(id=org.pk, name=org.name, kind=org.kind, path=org.path,
                region_path=org.region.path if org.region_id else "", active=org.is_active)


def _locked(item: Submission) -> Submission:
    return Submission.objects.select_for_update().get(pk=item.pk)


def known_of(item: Submission) -> Known:
    """What routing needs to know of ``item``, read from the catalog."""
    def org(pk: int | None) -> Org | None:
        return Org.objects.select_related("region").filter(pk=pk).first() if pk else None

    window = item.window
    village = item.channel == Channel.VILLAGE_QR.value and bool(item.hall_id or item.region_id)
    region: Region | None = item.region or (item.hall.region if item.hall else None)
    local: list[Unit] = []
    if village and region is not None:
        chain = [region.path[:i + 1] for i, ch in enumerate(region.path) if ch == "/"]
        rows = (Org.objects.select_related("region")
                .filter(kind="handling", is_active=True, path__startswith=item.office_path,
                        region__path__in=[region.path, *chain]))
        local = [u for u in (_unit(o) for o in rows) if u is not None]
    return Known(
        office_path=item.office_path,
        window_org=_unit(org(window.org_id)) if window else None,
        staff_org=_unit(org(item.staff.org_id)) if item.staff_id and item.staff else None,
        matter_org=_unit(org(item.matter.org_id)) if item.matter_id and item.matter else None,
        subject_org=_unit(org(item.org_id)), village=village,
        hall_org=_unit(org(item.hall.org_id)) if item.hall_id and item.hall else None,
        region_path=region.path if region is not None else "", local=local)


def route_of(item: Submission) -> Route:
    return route(known_of(item))


def _follow(item: Submission, *, action: str, now: datetime, public_note: str) -> None:
    """Items merged into ``item`` follow it: their submitters see its progress."""
    for merged in Submission.objects.filter(merged_into=item):
        submission_note(merged, action=action, now=now, public_note=public_note,
                        payload={"target": item.ref})


def submission_dispatch(item: Submission, *, actor: Actor, org: Org, now: datetime,
                        note: str = "") -> Submission:
    """Open the item's work order at ``org`` and move it to 办理中, in one transaction.
    From 已受理待交办, or 未解决待复核 (a new order for the reopened item)."""
    office_check(actor, item)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError("complaint.note_too_long", f"说明不能超过 {MAX_NOTE} 字", "note")
    if not org.path.startswith(item.office_path):
        raise PermissionDenied("forbidden.scope", "只能交办给受理机构管辖范围内的部门")
    with transaction.atomic():
        fresh = _locked(item)
        if Status(fresh.status) not in DISPATCHABLE:
            raise Conflict("complaint.not_dispatchable",
                           f"诉求件当前为“{Status(fresh.status).label}”，不能交办")
        kind = SubmissionKind(fresh.kind)
        order = workorder_open_request(
            actor=actor, kind=ORDER_KIND[kind], org=org, text=fresh.content,
            source=f"{Channel(fresh.channel).label} {fresh.ref}",
            urgent=fresh.urgency == Urgency.URGENT, staff=fresh.staff, now=now)
        SubmissionOrder.objects.create(submission=fresh, order=order, at=now)
        submission_move(fresh, Status.DISPATCHED, action="dispatch", now=now,
                        actor=actor.user, actor_label=actor.label,
                        public_note="已交办承办部门办理", note=note,
                        updates={"order": order},
                        payload={"org": org.pk, "order": order.pk})
        _follow(fresh, action="follow_dispatch", now=now,
                public_note=f"您反映的问题已随 {fresh.ref} 交办承办部门办理")
    return fresh


def submission_auto_dispatch(item: Submission, now: datetime) -> Submission:
    """Route an accepted item as the platform (right after acceptance): dispatched when
    the department is certain, else left 待交办 with the reason on its timeline.

    An item the provincial platform forwarded is not routed here: the province addressed
    it already, and the office confirms that address when it dispatches the item on the
    上级转办 screen (exchange), which records the dispatch for the remote too."""
    if item.status != Status.ACCEPTED.value or item.channel == Channel.PROVINCE.value:
        return item
    decision = route_of(item)
    if decision.needs_office:
        submission_note(item, action="route", now=now, actor_label=SYSTEM.label,
                        note=decision.basis, payload={"route": None})
        return item
    org = Org.objects.get(pk=decision.org_id or 0)
    return submission_dispatch(item, actor=SYSTEM, org=org, now=now, note=decision.basis)


def submission_redispatch(item: Submission, *, actor: Actor, org: Org, note: str,
                          now: datetime) -> Submission:
    """The office moves a dispatched item's order to another department (改派)."""
    office_check(actor, item)
    if actor == SYSTEM:
        raise PermissionDenied("forbidden.role", "改派须由政务服务管理机构决定")
    if not org.path.startswith(item.office_path):
        raise PermissionDenied("forbidden.scope", "只能交办给受理机构管辖范围内的部门")
    with transaction.atomic():
        fresh = _locked(item)
        if fresh.status != Status.DISPATCHED.value or fresh.order is None:
            raise Conflict("complaint.not_dispatched", "只有办理中的诉求件可以改派")
        before = fresh.order.org_id
        workorder_redispatch(actor=actor, order=fresh.order, org_id=org.pk, note=note,
                             now=now)
        submission_note(fresh, action="redispatch", now=now, actor=actor.user,
                        actor_label=actor.label, public_note="已改派承办部门办理",
                        note=note, payload={"from_org": before, "to_org": org.pk})
        audit_record(action="complaint.redispatch", actor=actor.user,
                     actor_label=actor.label, obj=fresh,
                     before={"org": before}, after={"org": org.pk, "order": fresh.order_id})
    return fresh


def on_request_closed(order_id: int) -> None:
    """workorders hook (inside the closing transition's transaction): the current order
    of an item closed, QA passed, so the item is 已答复 and the items merged into it follow
    (the target's answer reaches both). An order opened for anything else is ignored."""
    item = (Submission.objects.select_for_update().filter(order_id=order_id)
            .filter(status=Status.DISPATCHED.value).first())
    if item is None:
        return
    now = item.order.closed_at if item.order and item.order.closed_at else item.updated_at
    submission_move(item, Status.ANSWERED, action="answer", now=now,
                    actor_label="system:complaints", public_note="已答复",
                    payload={"order": order_id})
    _follow(item, action="follow_answer", now=now,
            public_note=f"您反映的问题已随 {item.ref} 答复，可查看答复内容")
