"""咨询、投诉、建议、差评 forwarded by a remote (seed 004 §2–3: the province forwards them to
the district and expects the outcome back).

An item arrives as a :class:`ForwardedItem` (the remote's ids, its submitter in the rater
vault) and, in the same transaction, becomes a complaints item (``Submission``, channel
``province``, answered through the remote) through ``complaints.services.intake``: the
acceptance filter of seed 004 §5 judges it there. A refused item's reason goes back to the
remote at once as its outcome; an accepted or triaged one is dispatched by the office (on
the 上级转办 screen, :func:`forwarded_dispatch`, which opens the work order and moves the
submission); when that order closes, the engine's ``request_closed`` hook records the
outcome on the item and, in the same transaction, queues it in the outbox for that remote
only (``services.outbox_answer``): a ``ComplaintRecord`` with ``reply`` and
``replied_at``, built when sent (``records``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Matter, Org
from haochaping.complaints.models import Submission
from haochaping.complaints.rules.kinds import Channel, ReplyChannel, Status
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.complaints.services.moves import submission_move
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
from haochaping.handlings.models import Handling
from haochaping.vault.applicant import check_applicant
from haochaping.vault.services import identity_index_of, raters_upsert
from haochaping.workorders.models import Reply, WorkOrder
from haochaping.workorders.services.requests import workorder_open_request

OPEN_FORWARDED = [ForwardedStatus.RECEIVED.value, ForwardedStatus.DISPATCHED.value,
                  ForwardedStatus.REFUSED.value]
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


def _subject(record: ComplaintRecord, org: Org, handling: Handling | None) -> Subject:
    """What the item is about: the org it is addressed to, and the handling's matter,
    window and staff when it names one of ours (a complaint about a staff member is then
    kept from that staff member, seed 004 §10)."""
    if handling is not None:
        return Subject(org=org, matter=handling.matter, window=handling.window,
                       staff=handling.staff)
    matter = (Matter.objects.filter(code=record.matter_code).order_by("pk").first()
              if record.matter_code else None)
    return Subject(org=org, matter=matter)


def forwarded_accept(*, remote: Remote, key: str, record: ComplaintRecord,
                     now: datetime) -> Ack:
    """Take one forwarded item of an accepted request (in the request's transaction);
    the same remote id again is acknowledged and stores nothing. The item becomes a
    complaints item at once; content the intake refuses to store (empty, too long) is
    refused to the remote with the intake's code, and nothing is written."""
    if ForwardedItem.objects.filter(remote=remote, remote_ref=record.remote_id).exists():
        return Ack(key=key, ok=True, message="已接收")
    found = handling_for(record.proj_no, record.org_code)
    org = addressee(record.org_code, found.handling)
    if org is None:
        return Ack(key=key, ok=False, code=NO_ORG[0], message=NO_ORG[1])
    try:
        with transaction.atomic():
            submitter_id = _submitter(record.submitter)
            item = ForwardedItem.objects.create(
                remote=remote, remote_ref=record.remote_id[:100], remote_key=key,
                kind=record.kind, content=record.content, org=org, org_path=org.path,
                org_code=record.org_code[:64], matter_code=record.matter_code[:64],
                proj_no=record.proj_no[:100], handling=found.handling,
                submitter_id=submitter_id, received_at=record.received_at,
                arrived_at=now)
            submission = submission_receive(
                kind=record.kind, channel=Channel.PROVINCE, content=record.content,
                subject=_subject(record, org, found.handling), submitter_id=submitter_id,
                reply_channel=ReplyChannel.REMOTE, actor_label=f"{remote.label}转办",
                now=now)
            ForwardedItem.objects.filter(pk=item.pk).update(submission=submission)
            item.submission = submission
            if submission.status == Status.REFUSED:
                _answer_refusal(item, submission, now)
    except ValidationError as exc:
        return Ack(key=key, ok=False, code=exc.code, message=exc.message)
    except IntegrityError:  # a concurrent delivery of the same item stored it first
        if not ForwardedItem.objects.filter(remote=remote,
                                            remote_ref=record.remote_id).exists():
            raise
    return Ack(key=key, ok=True, message="已接收")


def _refusal_text(submission: Submission) -> str:
    """What the submitter is told (the refusal's public note: the reason and where to go
    instead, seed 004 §5)."""
    event = submission.events.filter(to_status=Status.REFUSED.value).order_by("-at", "-pk").first()
    return event.public_note if event is not None and event.public_note else "不予受理"


def _answer_refusal(item: ForwardedItem, submission: Submission, now: datetime) -> None:
    """A refused item's outcome is the refusal: it goes back to the remote at once."""
    text = _refusal_text(submission)
    if ForwardedItem.objects.filter(pk=item.pk, status=ForwardedStatus.RECEIVED.value).update(
            status=ForwardedStatus.REFUSED.value, reply=text, replied_at=now):
        outbox_answer(remote_id=item.remote_id, kind=Kind.COMPLAINT, object_id=item.pk,
                      org_id=item.org_id, moment=now)
        audit_record(action="exchange.forwarded_refused", actor_label="system:exchange",
                     obj=item, before={"status": ForwardedStatus.RECEIVED.value},
                     after={"status": ForwardedStatus.REFUSED.value,
                            "submission": submission.ref, "reason": submission.reason})


def forwarded_on_submission_refused(submission_id: int) -> None:
    """The office refused a forwarded item after triage: answer the refusal back
    (``complaints.hooks.submission_refused``, registered in ``ExchangeConfig.ready``)."""
    item = ForwardedItem.objects.filter(submission_id=submission_id).select_related(
        "submission").first()
    if item is not None and item.submission is not None \
            and item.submission.status == Status.REFUSED:
        _answer_refusal(item, item.submission, timezone.now())


def _dispatchable(submission: Submission) -> None:
    if submission.status == Status.MERGED:
        target = submission.merged_into
        raise Conflict("exchange.forwarded_merged",
                       f"该诉求已并入 {target.ref if target else '另一诉求件'} 一并办理，无需派发")
    if submission.status not in (Status.TRIAGE, Status.ACCEPTED):
        label = Status(submission.status).label
        raise Conflict("exchange.forwarded_dispatched",
                       f"诉求件 {submission.ref} 当前为“{label}”，不能派发")


def forwarded_dispatch(*, actor: Actor, item: ForwardedItem, org: Org, ip: str | None = None,
                       now: datetime | None = None) -> ForwardedItem:
    """The office dispatches a received item to ``org``: a work order of the item's kind
    opens there (seed 004 §6: 按责交办) with the item's content as its request, and its
    complaints item moves to 办理中 with that order. Once only; the supervising office of
    the item's subtree; audited."""
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
        submission = None
        if fresh.submission_id is not None:
            # (of self: PostgreSQL locks no nullable side of the outer join)
            submission = Submission.objects.select_for_update(of=("self",)).select_related(
                "merged_into").get(pk=fresh.submission_id)
            _dispatchable(submission)
        source = f"{fresh.remote.label}转办{FORWARDED_KIND_LABELS[fresh.kind]}"
        # the staff member a complaint is about never sees its order (seed 004 §10)
        order = workorder_open_request(actor=actor, kind=ORDER_KIND[fresh.kind], org=org,
                                       text=fresh.content, source=source,
                                       handling=fresh.handling, now=now,
                                       staff=submission.staff if submission else None)
        if not ForwardedItem.objects.filter(
                pk=fresh.pk, status=ForwardedStatus.RECEIVED.value).update(
                status=ForwardedStatus.DISPATCHED.value, work_order=order,
                dispatched_at=now, dispatched_by=actor.user):
            raise Conflict("exchange.forwarded_dispatched", "该诉求已派发，不能重复派发")
        if submission is not None:
            submission_move(submission, Status.DISPATCHED, action="dispatch", now=now,
                            actor=actor.user, actor_label=actor.label,
                            public_note="已交承办部门办理", updates={"order": order},
                            payload={"org": org.pk, "work_order": order.pk})
        audit_record(action="exchange.forwarded_dispatch", actor=actor.user,
                     actor_label=actor.label, obj=fresh, ip=ip,
                     before={"status": fresh.status},
                     after={"status": ForwardedStatus.DISPATCHED.value, "org": org.pk,
                            "work_order": order.pk})
    fresh.refresh_from_db()
    return fresh


def forwarded_on_request_closed(order_id: int) -> None:
    """workorders hook (in the closing transaction): the order of a forwarded item closed
    (dispatched here, or from the complaints screens: found through its submission, and
    through the items merged into it); its last reply is the outcome the remote gets back."""
    items = list(ForwardedItem.objects.filter(
        Q(work_order_id=order_id) | Q(submission__order_id=order_id)
        | Q(submission__merged_into__order_id=order_id)).order_by("pk"))
    if not items:
        return  # an order opened for something else
    order = WorkOrder.objects.only("closed_at").get(pk=order_id)
    reply = Reply.objects.filter(order_id=order_id).order_by("-at", "-pk").first()
    if reply is None:
        raise ValidationError("exchange.forwarded_no_reply", "工单没有答复内容，不能办结转办诉求")
    replied_at = order.closed_at or timezone.now()
    for item in items:
        if not ForwardedItem.objects.filter(pk=item.pk, status__in=OPEN_FORWARDED).update(
                status=ForwardedStatus.CLOSED.value, reply=reply.text, replied_at=replied_at):
            continue
        # The outcome goes back to the remote that forwarded the item, and to it only; a
        # refusal already answered and then overturned makes this the second outcome.
        version = 2 if item.status == ForwardedStatus.REFUSED else 1
        outbox_answer(remote_id=item.remote_id, kind=Kind.COMPLAINT, object_id=item.pk,
                      org_id=item.org_id, moment=replied_at, version=version)
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
