"""The queue cards of the role homes as data. Each source is a test of the actor and a
function giving ``(label, count, url)`` tuples, counted by the owning app's selectors
(never recomputed here); the home shows the cards of every source whose test passes.

To add cards from another app, append one ``CardSource`` to ``HOME_CARDS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor
from haochaping.core.errors import PermissionDenied
from haochaping.workorders import queues
from haochaping.workorders.rules import Party
from haochaping.workorders.services.engine import party_of

Card = tuple[str, int, str]  # (label, count, url)


@dataclass(frozen=True)
class CardSource:
    when: Callable[[Actor], bool]
    cards: Callable[[Actor], Iterable[Card]]


def _url(name: str, **query: object) -> str:
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def _is_office(actor: Actor) -> bool:
    try:
        return party_of(actor) is Party.OFFICE
    except PermissionDenied:  # a role that takes no step of a work order
        return False


def _department(actor: Actor) -> Iterable[Card]:
    counts = queues.department_counts(queues.department_rows(actor))
    queue = "workorders:queue"
    yield ("退回重办", counts["returned"], _url(queue, status="returned"))
    yield ("待签收", counts["dispatched"], _url(queue, status="dispatched"))
    yield ("办理中", counts["working"], _url(queue, status="signed"))
    yield ("待部门审阅", counts["approving"], _url(queue, status="approving"))
    yield ("24小时内到期", counts["due_soon"], _url(queue))
    yield ("已逾期", counts["overdue"], _url(queue, overdue=1))


def _office_orders(actor: Actor) -> Iterable[Card]:
    for tab, label, count in queues.office_counts(actor):
        yield (label, count, _url("workorders:console", tab=tab))


def _complaints(actor: Actor) -> Iterable[Card]:
    from haochaping.complaints.selectors import queue_counts

    for row in queue_counts(actor, timezone.now()):
        if row["key"] in ("triage", "accepted", "reopened", "overdue"):
            yield (f"诉求{row['label']}", row["count"],
                   _url("complaints:office_queue", queue=row["key"]))


def _phone(actor: Actor) -> Iterable[Card]:
    from haochaping.evaluations.selectors import unrated_handlings

    count = unrated_handlings(actor, now=timezone.now(), limit=1000).count()
    yield ("电话邀约待评价", count, _url("evaluations:phone_list"))


def _forwarded(actor: Actor) -> Iterable[Card]:
    from haochaping.exchange.inbound.selectors import tab_counts

    yield ("上级转办待派发", tab_counts(actor)["received"], _url("exchange_inbound:page"))


def _spot_checks(actor: Actor) -> Iterable[Card]:
    from haochaping.supervision.selectors import visible_plans

    count = visible_plans(actor).filter(published_at__isnull=True).count()
    yield ("核查抽查未发布通报", count, _url("supervision:index"))


def _issue15(actor: Actor) -> Iterable[Card]:
    """共性问题, 防刷评, 自评与第三方评估 and 绩效考核: each app's own counts, empty for a
    role that has no part in them."""
    from haochaping.appraisal.selectors import office_counts
    from haochaping.assessment.selectors import pending_counts
    from haochaping.integrity.selectors import queue_counts
    from haochaping.problems.selectors import open_counts

    for source in (open_counts, queue_counts, pending_counts, office_counts):
        yield from source(actor)


def _roles(*roles: Role) -> Callable[[Actor], bool]:
    return lambda actor: actor.role in roles


def _may(resource: str, action: str) -> Callable[[Actor], bool]:
    return lambda actor: actor.allows(resource, action)


def _office_may(resource: str, action: str) -> Callable[[Actor], bool]:
    return lambda actor: actor.role is Role.SUPERVISOR and actor.allows(resource, action)


HOME_CARDS: list[CardSource] = [
    CardSource(_roles(Role.HANDLER, Role.DEPT_HEAD), _department),
    CardSource(_is_office, _office_orders),
    CardSource(_office_may(access.COMPLAINT, access.WRITE), _complaints),
    CardSource(_office_may(access.PHONE_ENTRY, access.WRITE), _phone),
    CardSource(_office_may(access.SUPERVISION, access.READ), _forwarded),
    CardSource(_office_may(access.SUPERVISION, access.WRITE), _spot_checks),
    CardSource(_roles(Role.SUPERVISOR, Role.HANDLER, Role.DEPT_HEAD, Role.AUDITOR), _issue15),
]


def cards_for(actor: Actor) -> list[Card]:
    """Every card the actor's home shows, in the order of ``HOME_CARDS``."""
    return [card for source in HOME_CARDS if source.when(actor)
            for card in source.cards(actor)]
