"""Staff never rate their own org's handlings through a public link (issue 17; seed 003
§15, §24: 工作人员不得代替办事群众评价).

The public rating pages — the invitation link ``/r/<token>`` and the window-QR flow
``/q/w/<code>/h/<id>`` — are for raters, who never sign in. A browser that carries a staff
session (every login of this product is staff) whose org subtree holds the handling's org
is refused on opening the page and on posting it: a Chinese page
(``evaluation.staff_own_org``, 403), nothing written, and the attempt recorded in the audit
log (``evaluation.staff_own_org_refused``) and the security-event stream
(``rating.staff_own_org``).

Staff of an org outside that subtree are citizens there like anybody else and rate as
raters do (the link or the verified phone still ties the rating to the handling's
applicant). The deployment-wide administrators have no org: their scope is every org, so
they are refused everywhere. Evaluator pads and kiosks are devices (their own key), the app
API authenticates the app by its key, and a phone rating (电话录入) is the office's own
channel (``rules.check_phone_entry``): none of them carry a rater's session, so none pass
here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.audit.services import audit_record
from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import PermissionDenied
from haochaping.core.logs import security_event
from haochaping.handlings.models import Handling

CODE = "evaluation.staff_own_org"
MESSAGE = "工作人员不能为本单位办件评价"


def _staff_actor(request: HttpRequest) -> Actor | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    try:
        return actor_for_user(user)
    except (ValueError, AttributeError):  # a role this version does not know: no scope
        return None


def own_org_handling(request: HttpRequest, handlings: Iterable[Handling]) -> Handling | None:
    """The first of ``handlings`` whose org lies in the signed-in staff member's subtree
    (None: nobody signed in, or every handling is another org's)."""
    actor = _staff_actor(request)
    if actor is None:
        return None
    return next((h for h in handlings if actor.covers(h.org.path)), None)


def staff_own_org_refusal(request: HttpRequest, handlings: Iterable[Handling], *,
                          channel: str) -> PermissionDenied | None:
    """The refusal to show when a staff session opens or posts a public rating page of
    its own org's handling (recorded in the audit log and the security stream), or None
    to go on."""
    handling = own_org_handling(request, handlings)
    if handling is None:
        return None
    _record(request, handling, channel=channel)
    return PermissionDenied(CODE, MESSAGE)


def _record(request: HttpRequest, handling: Handling, *, channel: str) -> None:
    user: Any = request.user
    ip = client_ip_or_none(request)
    facts = {"channel": channel, "method": request.method, "handling": handling.pk,
             "org": handling.org_id, "user_org": user.org_id, "role": str(user.role)}
    with transaction.atomic():
        audit_record(action="evaluation.staff_own_org_refused", actor=user, obj=handling,
                     after=facts, ip=ip)
    security_event("rating.staff_own_org", level=logging.WARNING, user_id=user.pk,
                   ip=ip, path=request.path, **facts)
