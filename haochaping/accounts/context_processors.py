"""``may`` in every template: what the logged-in user's role may do, read from the one
role × resource × action table (``accounts.rules``), so no template restates a role set.

``{% if may.phone_entry %}`` is "may write phone_entry"; ``may.work_order_read`` reads.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from haochaping.accounts import rules
from haochaping.accounts.roles import Role


def may(request: HttpRequest) -> dict[str, Any]:
    role = getattr(getattr(request, "user", None), "role", None)
    grants: dict[str, bool] = {}
    if role in {r.value for r in Role}:
        for resource in rules.RESOURCES:
            grants[resource] = rules.role_allows(role, resource, rules.WRITE)
            grants[f"{resource}_read"] = rules.role_allows(role, resource, rules.READ)
    return {"may": grants}
