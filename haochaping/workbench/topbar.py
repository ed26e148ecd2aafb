"""The top bar of every staff page (core/base.html): the role's navigation and the
person's unread notification count. Nothing for an anonymous visitor."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import actor_for_user
from haochaping.notify.selectors import inbox_unread_count
from haochaping.workbench.nav import nav_for


def topbar(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "role", "") not in {
            r.value for r in Role}:
        return {}
    actor = actor_for_user(user)
    entries = nav_for(actor, request.path)
    return {"topnav": entries, "topnav_more": any(e["more"] for e in entries),
            "inbox_unread": inbox_unread_count(user)}
