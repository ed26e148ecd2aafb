"""Reads of the office's exchange screen, scoped to the acting user's org subtree: per
remote, the outbox counts by status, the breaker, the oldest waiting change, and the
refused and dead records with their errors. The canonical records themselves are built
by ``records`` (selectors of the delivery).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, scope_q
from haochaping.catalog.models import Org
from haochaping.core.errors import NotFound, PermissionDenied
from haochaping.exchange import breaker
from haochaping.exchange.models import OutboxRecord, Remote
from haochaping.exchange.remote_codec import RemoteUnusable, codec_for
from haochaping.exchange.rules import delivery as rules


def reader(actor: Actor) -> Actor:
    if actor.is_client or not actor.allows(access.EXCHANGE, access.READ):
        raise PermissionDenied("forbidden.role", "当前角色无权查看数据上报情况")
    return actor


def in_scope(actor: Actor) -> Q:
    """Outbox rows of the actor's subtree (by the row's org)."""
    if actor.scope_path is None:
        return Q()
    return Q(org_id__in=Org.objects.filter(scope_q(actor, "path")).values("pk"))


@dataclass(frozen=True)
class RemoteSummary:
    remote: Remote
    counts: dict[str, int]  # by status, every status present
    breaker: rules.Breaker
    oldest_pending_at: datetime | None
    problem: str  # why the remote cannot be sent to ("" when it can)

    @property
    def breaker_label(self) -> str:
        return rules.BREAKER_LABELS[self.breaker.state]

    @property
    def waiting(self) -> int:
        return self.counts[rules.PENDING] + self.counts[rules.SENDING]


def _oldest_pending(remote: Remote, scoped: Q) -> datetime | None:
    """The change of the first due row of each kind (the delivery's order), the oldest of
    them: read through the due index, never a scan of the backlog."""
    found = []
    for kind in rules.UPWARD_KINDS:
        first = (OutboxRecord.objects.filter(scoped, remote=remote, kind=kind.value,
                                             status=rules.PENDING)
                 .order_by("next_attempt_at", "pk").values_list("created_at", flat=True)
                 .first())
        if first is not None:
            found.append(first)
    return min(found) if found else None


def _problem(remote: Remote) -> str:
    if not remote.is_active:
        return "已停用"
    try:
        codec_for(remote)
    except RemoteUnusable as exc:
        return exc.message
    return ""


def remote_summaries(actor: Actor) -> list[RemoteSummary]:
    reader(actor)
    scoped = in_scope(actor)
    summaries = []
    for remote in Remote.objects.order_by("name"):
        counts = dict.fromkeys(rules.STATUS_LABELS, 0)
        counts.update(dict(OutboxRecord.objects.filter(scoped, remote=remote)
                           .values_list("status").annotate(n=Count("pk")).order_by()))
        summaries.append(RemoteSummary(
            remote=remote, counts=counts, breaker=breaker.current(remote.pk),
            oldest_pending_at=_oldest_pending(remote, scoped), problem=_problem(remote)))
    return summaries


def remote_get(actor: Actor, pk: int) -> Remote:
    reader(actor)
    remote = Remote.objects.filter(pk=pk).first()
    if remote is None:
        raise NotFound("exchange.remote_not_found", "对接平台不存在")
    return remote


def problem_records(actor: Actor, remote: Remote, status: str) -> QuerySet[OutboxRecord]:
    """The refused or dead records of a remote in the actor's subtree, newest first."""
    reader(actor)
    if status not in rules.RESENDABLE:
        status = rules.DEAD
    return (OutboxRecord.objects.filter(in_scope(actor), remote=remote, status=status)
            .select_related("org").order_by("-pk"))


def record_get(actor: Actor, pk: int) -> OutboxRecord:
    reader(actor)
    record = OutboxRecord.objects.filter(in_scope(actor), pk=pk).select_related(
        "org", "remote").first()
    if record is None:
        raise NotFound("exchange.record_not_found", "上报记录不存在或不在本机构管辖范围内")
    return record


def backfill_orgs(actor: Actor) -> QuerySet[Org]:
    reader(actor)
    return Org.objects.filter(scope_q(actor, "path"), is_active=True).order_by("path")
