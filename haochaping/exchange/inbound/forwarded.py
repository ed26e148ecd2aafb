"""咨询、投诉、建议、差评 forwarded by a remote (seed 004 §2–3: the province forwards them to
the district and expects the outcome back).

An item arrives as a :class:`ForwardedItem` (its submitter in the rater vault), the office
dispatches it to a handling department, which opens a complaint or inquiry work order
(``workorders.services.requests``); when that order closes, the engine's
``request_closed`` hook records the outcome on the item and, in the same transaction,
queues it in the outbox for that remote only (``services.outbox_answer``): a
``ComplaintRecord`` with ``reply`` and ``replied_at``, built when sent (``records``).
The complaints issue (seed 004) will replace this small model with the full complaint
handling.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Org
from haochaping.core.errors import Conflict, PermissionDenied, ValidationError
from haochaping.exchange.inbound.matching import addressee, handling_for
from haochaping.exchange.models import ForwardedItem, Remote
from haochaping.exchange.rules.canonical import Ack, ComplaintRecord, Identity, Kind
from haochaping.exchange.rules.inbound import (
    FORWARDED_KIND_LABELS,
    ORDER_KIND,
    ForwardedStatus,
    dispatch_refusal,
)
from haochaping.exchange.services import outbox_answer
from haochaping.vault.applicant import check_applicant
from haochaping.vault.services import identity_index_of, raters_upsert
from haochaping.workorders.models import Reply, WorkOrder
from haochaping.workorders.services.requests import workorder_open_request

NO_ORG = ("exchange.no_receiving_org", "本平台尚未配置任何机构，无法接收转办诉求")
_NAMES = {n: n for n in ("applicant_kind", "applicant_name", "applicant_id_no",
                         "applicant_phone")}


def _submitter(person: Identity) -> int | None:
    """The submitter's rater id in the vault (encrypted, blind-indexed); None when the
    remote sent no identity the vault accepts (the remote keeps it: the outcome goes back
    to the remote, which answers the submitter)."""
    if not (person.name or person.cert_no or person.phone):
        return None
    app, problems = check_applicant(person.user_prop, person.name, person.cert_type,
                                    person.cert_no, person.phone, _NAMES)
    if app is None:
        return None
    return raters_upsert({identity_index_of(app): app})[identity_index_of(app)]


def forwarded_accept(*, remote: Remote, key: str, record: ComplaintRecord,
                     now: datetime) -> Ack:
    """Take one forwarded item of an accepted request (in the request's transaction);
    the same remote id again is acknowledged and stores nothing."""
    if ForwardedItem.objects.filter(remote=remote, remote_ref=record.remote_id).exists():
        return Ack(key=key, ok=True, message="已接收")
    found = handling_for(record.proj_no, record.org_code)
    org = addressee(record.org_code, found.handling)
    if org is None:
        return Ack(key=key, ok=False, code=NO_ORG[0], message=NO_ORG[1])
    try:
        with transaction.atomic():
            ForwardedItem.objects.create(
                remote=remote, remote_ref=record.remote_id[:100], remote_key=key,
                kind=record.kind, content=record.content, org=org, org_path=org.path,
                org_code=record.org_code[:64], matter_code=record.matter_code[:64],
                proj_no=record.proj_no[:100], handling=found.handling,
                submitter_id=_submitter(record.submitter), received_at=record.received_at,
                arrived_at=now)
    except IntegrityError:  # a concurrent delivery of the same item stored it first
        if not ForwardedItem.objects.filter(remote=remote,
                                            remote_ref=record.remote_id).exists():
            raise
    return Ack(key=key, ok=True, message="已接收")


def forwarded_dispatch(*, actor: Actor, item: ForwardedItem, org: Org, ip: str | None = None,
                       now: datetime | None = None) -> ForwardedItem:
    """The office dispatches a received item to ``org``: a complaint or inquiry work
    order opens there (seed 004 §6: 按责交办) with the item's content as its request.
    Once only; the supervising office of the item's subtree; audited."""
    if actor.is_client or not actor.allows(access.SUPERVISION, access.WRITE):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以派发转办诉求")
    require(actor, access.SUPERVISION, access.WRITE, item.org_path)
    now = now or timezone.now()
    with transaction.atomic():
        fresh = ForwardedItem.objects.select_for_update().select_related("remote").get(
            pk=item.pk)
        refusal = dispatch_refusal(fresh.status)
        if refusal is not None:
            raise Conflict(refusal.code, refusal.message)
        source = f"{fresh.remote.label}转办{FORWARDED_KIND_LABELS[fresh.kind]}"
        order = workorder_open_request(actor=actor, kind=ORDER_KIND[fresh.kind], org=org,
                                       text=fresh.content, source=source,
                                       handling=fresh.handling, now=now)
        if not ForwardedItem.objects.filter(
                pk=fresh.pk, status=ForwardedStatus.RECEIVED.value).update(
                status=ForwardedStatus.DISPATCHED.value, work_order=order,
                dispatched_at=now, dispatched_by=actor.user):
            raise Conflict("exchange.forwarded_dispatched", "该诉求已派发，不能重复派发")
        audit_record(action="exchange.forwarded_dispatch", actor=actor.user,
                     actor_label=actor.label, obj=fresh, ip=ip,
                     before={"status": fresh.status},
                     after={"status": ForwardedStatus.DISPATCHED.value, "org": org.pk,
                            "work_order": order.pk})
    fresh.refresh_from_db()
    return fresh


def forwarded_on_request_closed(order_id: int) -> None:
    """workorders hook (in the closing transaction): the order of a forwarded item closed;
    its last reply is the outcome the remote gets back."""
    item = ForwardedItem.objects.filter(work_order_id=order_id).first()
    if item is None:
        return  # an order opened for something else
    order = WorkOrder.objects.only("closed_at").get(pk=order_id)
    reply = Reply.objects.filter(order_id=order_id).order_by("-at", "-pk").first()
    if reply is None:
        raise ValidationError("exchange.forwarded_no_reply", "工单没有答复内容，不能办结转办诉求")
    replied_at = order.closed_at or timezone.now()
    if ForwardedItem.objects.filter(pk=item.pk, status=ForwardedStatus.DISPATCHED.value).update(
            status=ForwardedStatus.CLOSED.value, reply=reply.text, replied_at=replied_at):
        # The outcome goes back to the remote that forwarded the item, and to it only.
        outbox_answer(remote_id=item.remote_id, kind=Kind.COMPLAINT, object_id=item.pk,
                      org_id=item.org_id, moment=replied_at)
        audit_record(action="exchange.forwarded_closed", actor_label="system:exchange",
                     obj=item, before={"status": item.status},
                     after={"status": ForwardedStatus.CLOSED.value, "work_order": order_id,
                            "replied_at": replied_at.isoformat()})


def forwarded_record(item: ForwardedItem) -> ComplaintRecord:
    """The record that answers ``item`` to its remote: as received, with the outcome.
    The submitter stays out (the remote has them; a profile that requires the fields
    gets them from the vault when the outbox sends it)."""
    return ComplaintRecord(
        remote_id=item.remote_ref, kind=item.kind, org_code=item.org_code,
        matter_code=item.matter_code, proj_no=item.proj_no, content=item.content,
        submitter=Identity(), received_at=item.received_at.replace(microsecond=0),
        reply=item.reply,
        replied_at=item.replied_at.replace(microsecond=0) if item.replied_at else None)
