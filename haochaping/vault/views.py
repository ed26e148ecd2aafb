"""The office screen 个人信息清单 (``/work/privacy/``): the inventory of personal data
(vault.inventory) with the periods in force and how many raters the purge has erased.
Read-only; for the security and audit administrators (三员分立) and the supervising
office: the roles that read the accounts or the audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from haochaping.accounts import rules as access
from haochaping.accounts.roles import ROLE_LABELS, Role
from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.policies import policy_fields
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.vault.inventory import INVENTORY, SYSTEM
from haochaping.vault.models import Rater


def _readers(names: tuple[str, ...]) -> str:
    return "、".join("系统后台" if n == SYSTEM else ROLE_LABELS[Role(n)] for n in names)


@login_required
@require_GET
def inventory(request: HttpRequest) -> HttpResponse:
    actor = actor_for_user(request.user)
    if not (actor.allows(access.AUDIT_LOG, access.READ)
            or actor.allows(access.ACCOUNT, access.READ)):
        return render(request, "vault/inventory.html", {"refused": True}, status=403)
    policy = effective_policy(None)
    labels = {pf.name: pf.label for pf in policy_fields()}
    rows = [{"entry": e, "readers": _readers(e.readers),
             "period": f"{labels[e.retention]}：{getattr(policy, e.retention)}"
             if e.retention else e.kept_because} for e in INVENTORY]
    return render(request, "vault/inventory.html", {
        "rows": rows, "purged": Rater.objects.filter(purged_at__isnull=False).count()})
