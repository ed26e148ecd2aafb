"""Reads of the downward exchange for the supervising office's screen (上级转办): the
forwarded items and parked ratings of the actor's subtree, and the rejected-message log.

The office only (``supervision``): a forwarded item's content is confidential (seed 004
§10), read here by the office and, once dispatched, by the handlers of its work order on
the order's page. Submitters are shown masked; nothing here decrypts an identity.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, scope
from haochaping.core.errors import NotFound, PermissionDenied
from haochaping.exchange.inbound.matching import top_office
from haochaping.exchange.models import ForwardedItem, OutboxRecord, ParkedRating, RejectedMessage
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.inbound import ForwardedStatus, ParkedStatus


def office_check(actor: Actor) -> None:
    """The supervising office (and the system admin) reads this screen; no one else."""
    if actor.is_client or not actor.allows(access.SUPERVISION, access.READ):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以查看上级转办")


def forwarded_items(actor: Actor, status: str | None = None) -> QuerySet[ForwardedItem]:
    office_check(actor)
    qs = scope(ForwardedItem.objects.all(), actor, "org_path")
    if status:
        qs = qs.filter(status=status)
    # Where the outcome of a closed item is on its way back (its outbox row's status).
    # (the latest outcome: a refusal the office overturned is answered again, version 2)
    outcome = (OutboxRecord.objects.filter(remote=OuterRef("remote"), kind=Kind.COMPLAINT.value,
                                           object_id=OuterRef("pk"))
               .order_by("-version").values("status")[:1])
    return (qs.select_related("remote", "org", "submitter", "work_order",
                           "submission__merged_into")
            .annotate(outcome_status=Subquery(outcome)).order_by("-arrived_at", "-pk"))


def forwarded_get(actor: Actor, pk: int) -> ForwardedItem:
    item = forwarded_items(actor).filter(pk=pk).first()
    if item is None:
        raise NotFound("exchange.forwarded_not_found", "转办诉求不存在或不在本机构管辖范围内")
    return item


def parked_ratings(actor: Actor, status: str | None = None) -> QuerySet[ParkedRating]:
    office_check(actor)
    qs = scope(ParkedRating.objects.all(), actor, "org_path")
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("inbound__remote").order_by("-parked_at", "-pk")


def sees_deployment(actor: Actor) -> bool:
    """The rejected-message log concerns the deployment, not an org: the system admin
    and the top office's subtree-wide users read it."""
    if actor.scope_path is None:
        return True
    top = top_office()
    return top is not None and actor.covers(top.path)


def rejected_messages(actor: Actor) -> QuerySet[RejectedMessage]:
    office_check(actor)
    if not sees_deployment(actor):
        return RejectedMessage.objects.none()
    return RejectedMessage.objects.select_related("remote").order_by("-received_at", "-pk")


def tab_counts(actor: Actor) -> dict[str, int]:
    items = forwarded_items(actor)
    return {
        "received": items.filter(status=ForwardedStatus.RECEIVED.value).count(),
        "dispatched": items.filter(status=ForwardedStatus.DISPATCHED.value).count(),
        "closed": items.filter(status=ForwardedStatus.CLOSED.value).count(),
        "refused": items.filter(status=ForwardedStatus.REFUSED.value).count(),
        "parked": parked_ratings(actor, ParkedStatus.WAITING.value).count(),
        "rejected": rejected_messages(actor).count(),
    }
