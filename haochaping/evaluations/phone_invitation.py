"""电话邀约 (seed 004 §11) around the rating itself: which handling a supervising-office user
may open on the phone screen, and the audited reveal of the rater's phone to dial.

The vault lets a handler of the rated department reveal a rater for a work-order call-back
(seed 003 §18); that is a separate purpose. Rater identity is never shown to window staff
or to the department being rated for a phone invitation: this purpose is the supervising
office's only (the roles that may enter a phone rating, ``rules.PHONE_ENTRY_ROLES``, that
the vault also lets reveal: the system admin enters but never reveals), needs the org's
``phone_invitation`` policy switch, a handling still waiting for its rating, and reveals
the phone alone (docs/privacy.md).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.core.errors import Conflict, NotFound, PermissionDenied
from haochaping.evaluations import rules
from haochaping.handlings.models import Handling
from haochaping.vault.services import RaterIdentity, rater_reveal

REVEAL_PURPOSE = "电话邀约评价（政务服务管理机构）"
REVEAL_FIELDS = ("phone",)  # what placing the call needs; never the name or ID number


def _office(actor: Actor) -> None:
    if actor.is_client or not actor.allows(access.PHONE_ENTRY, access.WRITE):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以电话邀约评价")


def may_reveal(actor: Actor) -> bool:
    """Does the phone screen offer this user the reveal button?"""
    return (not actor.is_client and actor.allows(access.PHONE_ENTRY, access.WRITE)
            and actor.allows(access.IDENTITY_REVEAL, access.READ))


def phone_handling(actor: Actor, handling_id: int) -> Handling:
    """The handling behind the phone screen: a supervising-office user only
    (``forbidden.role``), inside the user's subtree (``handling.not_found``), where the
    org's policy has phone invitations on (``evaluation.phone_disabled``)."""
    _office(actor)
    found = (scope(Handling.objects.select_related("matter", "org", "window", "rater"), actor)
             .filter(pk=handling_id).first())
    if found is None:
        raise NotFound("handling.not_found", "办件不存在或不在本机构管辖范围内")
    if not effective_policy(found.org).phone_invitation:
        raise PermissionDenied("evaluation.phone_disabled", "本地区未开通电话邀约评价")
    return found


def phone_reveal(actor: Actor, handling_id: int, *, now: datetime | None = None
                 ) -> RaterIdentity:
    """The rater's phone, to place the invitation call; audited by the vault
    (``rater.reveal``, fields ``phone``). Only while the handling is on the work list:
    completed, unrated, its rating window open (``evaluation.phone_not_pending``)."""
    handling = phone_handling(actor, handling_id)
    now = now or timezone.now()
    waiting = (handling.status == rules.STATUS_COMPLETED and handling.rated_at is None
               and (handling.rating_closes_at is None or handling.rating_closes_at >= now))
    if not waiting:
        raise Conflict("evaluation.phone_not_pending", "该办件已评价或已超过评价期限，无需电话邀约")
    return rater_reveal(actor=actor, rater=handling.rater, purpose=REVEAL_PURPOSE,
                        fields=REVEAL_FIELDS, subject=f"handling:{handling.pk}")
