"""Reads of office entry and the 监督员's page, scoped by the acting user.

The subject pickers offer only what lies inside the office's org subtree
(``accounts.scoping``); a 监督员 sees the items they filed themselves and nothing else
(seed 004 §10: content and submitter stay with the handlers and the office).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.models import Matter, Org, Staff, Window
from haochaping.complaints.models import Submission, SubmissionEvent
from haochaping.complaints.rules.kinds import Channel, Status
from haochaping.core.errors import PermissionDenied
from haochaping.workorders.models import Reply

MINE_LIMIT = 200
ANSWERED = frozenset({Status.ANSWERED.value, Status.REOPENED.value, Status.CLOSED.value})


def office_check(actor: Actor) -> None:
    """Office entry is the supervising office's (``complaint:write``)."""
    if actor.is_client or not actor.allows(access.COMPLAINT, access.WRITE):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以录入诉求")


def filing_check(actor: Actor) -> None:
    """Filing from one's own account (政务服务监督员: ``complaint_filing:write``)."""
    if actor.is_client or actor.user is None \
            or not actor.allows(access.COMPLAINT_FILING, access.WRITE):
        raise PermissionDenied("forbidden.role", "只有政务服务监督员可以在此提交诉求")


def picker_check(actor: Actor) -> None:
    """The subject pickers serve both the office's entry and the 监督员's form."""
    if not actor.is_client and actor.allows(access.COMPLAINT, access.WRITE):
        return
    filing_check(actor)


def subject_orgs(actor: Actor) -> QuerySet[Org]:
    return scope(Org.objects.filter(is_active=True), actor).order_by("path")


@dataclass(frozen=True)
class OrgChoices:
    """The windows, staff and matters of one org, for the dependent pickers."""

    windows: list[Window]
    staff: list[Staff]
    matters: list[Matter]


EMPTY = OrgChoices([], [], [])


def org_choices(actor: Actor, org_id: int | None) -> OrgChoices:
    if org_id is None:
        return EMPTY
    org = subject_orgs(actor).filter(pk=org_id).first()
    if org is None:
        return EMPTY
    return OrgChoices(
        windows=list(Window.objects.filter(org=org, is_active=True)
                     .select_related("hall").order_by("hall_id", "number")),
        staff=list(Staff.objects.filter(org=org, is_active=True).order_by("staff_no")),
        matters=list(Matter.objects.filter(org=org, is_active=True).order_by("name")),
    )


def in_scope(actor: Actor, model: type[Any], pk: int) -> Any:
    """The row ``pk`` of ``model`` if its org lies inside the actor's subtree, else None."""
    qs = model.objects.filter(pk=pk)
    return scope(qs, actor).first()


@dataclass(frozen=True)
class MineRow:
    item: Submission
    answer: str  # the department's reply, once the office's QA passed it
    note: str  # what the submitter was told last (refused: why and where to go instead)


def my_items(actor: Actor) -> list[MineRow]:
    """The items this user filed from their own account (never anyone else's)."""
    filing_check(actor)
    items = list(Submission.objects.filter(filed_by=actor.user, channel=Channel.MONITOR.value)
                 .order_by("-received_at", "-pk")[:MINE_LIMIT])
    notes: dict[int, str] = {}
    for pk, note in (SubmissionEvent.objects.filter(submission__in=items)
                     .exclude(public_note="").order_by("at", "pk")
                     .values_list("submission_id", "public_note")):
        notes[pk] = note  # the last one wins
    found = answers(items)
    return [MineRow(i, found.get(i.pk, ""), notes.get(i.pk, "")) for i in items]


def answers(items: list[Submission]) -> dict[int, str]:
    """The answer the submitter has for each item: the order's last reply once the item
    is answered (the office's QA passed it)."""
    orders = {i.order_id: i.pk for i in items
              if i.order_id and i.status in ANSWERED}
    found: dict[int, str] = {}
    for order_id, text in (Reply.objects.filter(order_id__in=orders)
                           .order_by("at", "pk").values_list("order_id", "text")):
        found[orders[order_id]] = text  # the last one wins
    return found
