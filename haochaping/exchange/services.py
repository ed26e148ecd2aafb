"""Writes of the office's exchange screen and the ``exchange resend`` command: re-send
refused and dead records, and 补报 (re-send a date range and/or an org on demand,
creating the rows of objects written before the remote existed). Keyword-only, atomic,
scoped to the actor's org subtree, audited (STYLE.md §2).

A re-send re-uses the row and its key: the remote de-duplicates what it already has, so
re-sending is always safe. It gives the record a fresh attempt budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require, scope_q
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Org
from haochaping.core.errors import Conflict, PermissionDenied, ValidationError
from haochaping.core.localtime import local_day
from haochaping.exchange import backfill, routes
from haochaping.exchange.models import OutboxRecord, Remote
from haochaping.exchange.rules import delivery as rules
from haochaping.exchange.rules.canonical import Event, Kind, record_key

MAX_RANGE_DAYS = 366  # one 补报 covers at most a year (a longer one is several)


def _writer(actor: Actor) -> None:
    if actor.is_client or not actor.allows(access.EXCHANGE, access.WRITE):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以重新上报")


def requeue_fields(now: datetime) -> dict[str, object]:
    """A re-sent row: pending now, a fresh attempt budget, the same key (also the
    reconciliation's re-send, ``reconcile_services``)."""
    return {"status": rules.PENDING, "attempts": 0, "next_attempt_at": now,
            "locked_until": None, "error_code": "", "last_error": ""}


def outbox_resend(*, actor: Actor, record: OutboxRecord, ip: str | None = None,
                  now: datetime | None = None) -> OutboxRecord:
    """Send one refused or dead record again, under its key."""
    _writer(actor)
    org = Org.objects.filter(pk=record.org_id).values_list("path", flat=True).first()
    require(actor, access.EXCHANGE, access.WRITE, org or "")
    now = now or timezone.now()
    with transaction.atomic():
        if not OutboxRecord.objects.filter(pk=record.pk, status__in=rules.RESENDABLE).update(
                **requeue_fields(now)):
            raise Conflict("exchange.not_resendable", "该记录不是拒收或死信状态，无需重新上报")
        audit_record(action="exchange.resend", actor=actor.user, actor_label=actor.label,
                     obj=record, ip=ip,
                     before={"status": record.status, "error": record.error_code},
                     after={"status": rules.PENDING, "key": record.record_key,
                            "remote": record.remote_id})
    record.refresh_from_db()
    return record


def outbox_resend_all(*, actor: Actor, remote: Remote, statuses: tuple[str, ...] = (
        rules.REFUSED, rules.DEAD), ip: str | None = None, now: datetime | None = None) -> int:
    """Send every refused and/or dead record of a remote in the actor's subtree again."""
    _writer(actor)
    if not statuses or not set(statuses) <= rules.RESENDABLE:
        raise ValidationError("exchange.bad_status", "只能重新上报拒收或死信记录", "status")
    now = now or timezone.now()
    with transaction.atomic():
        count = OutboxRecord.objects.filter(
            _in_scope(actor), remote=remote, status__in=statuses).update(**requeue_fields(now))
        audit_record(action="exchange.resend_all", actor=actor.user, actor_label=actor.label,
                     obj=remote, ip=ip, after={"statuses": list(statuses), "count": count,
                                               "scope": actor.scope_path or "*"})
    return count


def _in_scope(actor: Actor) -> Q:
    if actor.scope_path is None:
        return Q()
    return Q(org_id__in=Org.objects.filter(scope_q(actor, "path")).values("pk"))


@dataclass
class BackfillResult:
    requeued: int = 0
    created: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.requeued + sum(self.created.values())


def outbox_backfill(*, actor: Actor, remote: Remote, day_from: date, day_to: date,
                    org: Org | None = None, ip: str | None = None,
                    now: datetime | None = None) -> BackfillResult:
    """补报: every record of the remote's kinds whose day falls in [day_from, day_to]
    (Shanghai days) in ``org``'s subtree (the actor's, without one) leaves again. Rows that
    exist (sent, refused, dead) are re-queued under their keys; objects that have none for
    this remote (written before it existed, or before its route for the kind) get one."""
    _writer(actor)
    if day_to < day_from:
        raise ValidationError("exchange.bad_range", "结束日期不能早于开始日期", "to")
    if (day_to - day_from).days >= MAX_RANGE_DAYS:
        raise ValidationError("exchange.range_too_long",
                              f"一次补报最多 {MAX_RANGE_DAYS} 天，请分段补报", "to")
    if org is not None:
        require(actor, access.EXCHANGE, access.WRITE, org.path)
    if not remote.is_active:
        raise Conflict("exchange.remote_inactive", "该对接平台已停用")
    path = org.path if org is not None else actor.scope_path
    now = now or timezone.now()
    routes.routes_sync(remote_id=remote.pk)
    kinds = list(remote.routes.values_list("kind", flat=True))
    result = BackfillResult()
    with transaction.atomic():
        rows = OutboxRecord.objects.filter(remote=remote, day__gte=day_from, day__lte=day_to)
        if path is not None:
            rows = rows.filter(org_id__in=Org.objects.filter(path__startswith=path).values("pk"))
        result.requeued = rows.exclude(status__in=[rules.PENDING, rules.SENDING]).update(
            **requeue_fields(now))
        for kind in rules.UPWARD_KINDS:
            if kind.value in kinds:
                result.created[kind.value] = backfill.create_missing(
                    remote, kind, day_from, day_to, path, now)
        audit_record(action="exchange.backfill", actor=actor.user, actor_label=actor.label,
                     obj=remote, ip=ip, after={
                         "from": day_from.isoformat(), "to": day_to.isoformat(),
                         "org": org.code if org is not None else None,
                         "scope": path or "*", "requeued": result.requeued,
                         "created": result.created})
    return result


# --- the downward exchange's two entries (exchange.inbound) ------------------------------


def outbox_settle_echo(*, remote_id: int, kind: Kind, object_id: int, now: datetime) -> int:
    """A record that came from a remote (a rating made on its platform) is not sent back
    to it: its row for that remote, which the trigger wrote in the caller's transaction,
    is acknowledged at once. The other remotes still receive it."""
    return OutboxRecord.objects.filter(
        remote_id=remote_id, kind=kind.value, object_id=object_id,
        status=rules.PENDING).update(status=rules.ACKED, acked_at=now, error_code="",
                                     last_error="", locked_until=None)


def outbox_answer(*, remote_id: int, kind: Kind, object_id: int, org_id: int,
                  moment: datetime, version: int = 1) -> OutboxRecord:
    """A record for one remote only, in the caller's transaction: the outcome of an item
    it forwarded (closed), never routed to the others. Idempotent on the change
    (``exchange_outbox_once``); ``version`` 2 is a second outcome (a refusal the office
    overturned, then handled and closed)."""
    row, _ = OutboxRecord.objects.get_or_create(
        remote_id=remote_id, kind=kind.value, object_id=object_id, event=Event.CLOSED.value,
        version=version, defaults={
            "record_key": record_key(kind, str(object_id), Event.CLOSED, version),
            "org_id": org_id,
            "day": local_day(moment), "status": rules.PENDING, "next_attempt_at": moment,
            "created_at": moment})
    return row
