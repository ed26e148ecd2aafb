"""The staff workbench (home page) and its htmx matter-search partial."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.roles import ADMIN_ROLES, Role
from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.catalog.rules.codes import MatterCategory
from haochaping.catalog.rules.policies import display_value
from haochaping.catalog.rules.policy_presets import PRESET_LABELS
from haochaping.catalog.selectors.policy import calendar_coverage_warnings, effective_policy
from haochaping.core.errors import PermissionDenied
from haochaping.disclosure.views import home as public_home
from haochaping.notify.selectors import inbox_for
from haochaping.workbench import homes
from haochaping.workbench.cards import cards_for
from haochaping.workbench.nav import nav_for
from haochaping.workbench.selectors import matter_search, workbench_counts


def _matter_context(request: HttpRequest, actor: Actor) -> dict[str, Any]:
    text = request.GET.get("q", "")
    category = request.GET.get("category", "")
    rows, total = matter_search(actor, text=text, category=category)
    return {"matters": rows, "matter_total": total, "q": text, "category": category}


def _policy_context(actor: Actor) -> dict[str, Any]:
    """Policy values need ``policy:read`` (window staff see only the preset name)."""
    preset = settings.HCP_POLICY_PRESET
    context: dict[str, Any] = {"preset_name": PRESET_LABELS.get(preset, preset),
                               "preset_code": preset, "policy_rows": [],
                               "calendar_warnings": []}
    if actor.allows(access.POLICY, access.READ):
        org = actor.user.org if actor.user.org_id else None
        policy = effective_policy(org)
        context["policy_rows"] = [
            ("差评整改时限", display_value(policy.rectify_limit)),
            ("未评价默认等级", display_value(policy.default_rating_level)),
            ("允许差评申诉", display_value(policy.appeal_enabled)),
        ]
        context["calendar_warnings"] = calendar_coverage_warnings(timezone.localdate())
    return context


# Roles whose work is one page land there instead of the workbench (the login redirect
# is "/"): a 政务服务监督员 files and follows their own items (issue 14).
LANDING = {Role.MONITOR: "complaints:mine"}


def _catalog_context(request: HttpRequest, actor: Actor) -> dict[str, Any]:
    return {
        "actor": actor,
        "org": request.user.org,  # type: ignore[union-attr]
        "counts": workbench_counts(actor),
        "categories": list(MatterCategory),
        **_policy_context(actor),
        **_matter_context(request, actor),
    }


def home(request: HttpRequest) -> HttpResponse:
    """The start of each role's day (issue 16): its queue cards (``cards.HOME_CARDS``) and
    what its work starts with (``homes``); an anonymous visitor gets the public home
    (rate a service, follow a case, see results), which links the staff login."""
    if not request.user.is_authenticated:
        return public_home(request)
    actor = actor_for_user(request.user)
    if actor.role in LANDING:
        return redirect(LANDING[actor.role])
    today = timezone.localdate()
    context: dict[str, Any] = {
        "actor": actor, "org": request.user.org,  # type: ignore[union-attr]
        "cards": cards_for(actor), "now": timezone.now(),
        "inbox": inbox_for(request.user, unread_only=True, limit=5),
    }
    if actor.role in (Role.HANDLER, Role.DEPT_HEAD):
        context.update(homes.department(actor))
    if actor.role in (Role.SUPERVISOR, Role.AUDITOR, Role.DEPT_HEAD):
        context.update(homes.headline(actor, today))
    if actor.allows(access.STATS, access.READ):
        context.update(homes.spot_checks(actor))
    if actor.role is Role.WINDOW_STAFF:
        context.update(homes.own_standing(actor, today))
    if actor.role in ADMIN_ROLES:
        context["admin_links"] = homes.admin_links(actor)
    if actor.role is Role.AUDITOR:
        context["readable"] = [e for e in nav_for(actor) if e["url"] != "/"]
    return render(request, "workbench/home.html", context)


@login_required
def catalog(request: HttpRequest) -> HttpResponse:
    """服务目录: the catalog summary, the policy in force and the matter search (the old
    home page, for those who need it)."""
    actor = actor_for_user(request.user)
    try:
        context = _catalog_context(request, actor)
    except PermissionDenied as exc:
        return render(request, "workbench/refused.html", {"error": exc}, status=exc.status)
    return render(request, "workbench/catalog.html", context)


@login_required
def matter_table(request: HttpRequest) -> HttpResponse:
    """htmx partial: the matter table filtered by the search box and category."""
    actor = actor_for_user(request.user)
    return render(request, "workbench/partials/matter_table.html", _matter_context(request, actor))
