"""电话邀约 (seed 004 §11): the supervising office calls raters who have not rated and
records the rating they give on the phone. Staff screens (login required) of the
supervising office only, where the policy has phone invitations on
(``evaluations.phone_invitation``); the rating is entered through the same
``evaluation_submit`` as every channel, marked ``phone`` with the entering user, who can
never be the staff member who served (seed 003 §15)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from haochaping.accounts.scoping import actor_for_user, scope
from haochaping.catalog.models import Org
from haochaping.catalog.rules.standards import Channel
from haochaping.core import listing
from haochaping.core.bounds import is_key
from haochaping.core.errors import AppError
from haochaping.evaluations import phone_invitation
from haochaping.evaluations.selectors import unrated_handlings
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.views.common import (
    chosen_of,
    client_ip,
    form_context,
    rating_from_post,
    user_agent,
)
from haochaping.vault import blind_index


def _refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    return render(request, "evaluations/staff_error.html", {"error": exc}, status=exc.status)


PAGE_SIZE = 30
FILTERS = ("org",)
# The shared list helper's columns (core.listing).
SORTS = {"completed": ("completed_at",), "closes": ("rating_closes_at",),
         "org": ("org__path",), "matter": ("matter__name",), "proj": ("proj_no",)}


def _phone_hash(phone: str) -> str:
    return blind_index("phone", phone)


@login_required
@require_http_methods(["GET", "POST"])
def phone_list(request: HttpRequest) -> HttpResponse:
    """The work list: completed, unrated handlings in the user's subtree (masked),
    searched by case number, matter or the rater's phone (its blind index: the search
    form is a POST, core.listing), filtered by department, sorted and paged."""
    if request.method == "POST" or listing.phone_in_query(request.GET):
        form = request.POST if request.method == "POST" else request.GET
        target = listing.search_target(form, hasher=_phone_hash, filters=FILTERS)
        return redirect(f"{request.path}?{target}" if target else request.path)
    lq = listing.parse_list(request.GET, sorts=SORTS, default_sort="completed",
                            filters=FILTERS)
    try:
        actor = actor_for_user(request.user)
        qs = unrated_handlings(actor, now=timezone.now(), limit=None)
    except AppError as exc:
        return _refused(request, exc)
    orgs = scope(Org.objects.filter(kind="handling"), actor).order_by("path")
    if is_key(lq.filters["org"]):
        org = orgs.filter(pk=int(lq.filters["org"])).first()
        qs = qs.filter(org__path__startswith=org.path) if org else qs.none()
    qs = listing.apply(qs, lq, text_fields=("proj_no", "matter__name"),
                       phone_fields=("rater__phone_index",), sorts=SORTS)
    page = listing.page_of(qs, lq, PAGE_SIZE)
    return render(request, "evaluations/phone_list.html",
                  {"rows": page.object_list, "page": page, "lq": lq, "orgs": orgs})


@login_required
@require_http_methods(["GET", "POST"])
def phone_rate(request: HttpRequest, handling_id: int) -> HttpResponse:
    try:
        actor = actor_for_user(request.user)
        handling = phone_invitation.phone_handling(actor, handling_id)
        context = {"handling": handling, "chosen": chosen_of(None),
                   "can_reveal": phone_invitation.may_reveal(actor), **form_context(handling)}
    except AppError as exc:
        return _refused(request, exc)
    if request.method == "POST":
        try:
            rating = rating_from_post(request.POST, context["form"], context["indicators"])
            evaluation_submit(handling=handling, rating=rating, channel=Channel.PHONE,
                              entered_by=request.user, ip=client_ip(request),
                              user_agent=user_agent(request))
        except AppError as exc:
            context.update(error=exc, chosen=chosen_of(request.POST))
            return render(request, "evaluations/phone_rate.html", context, status=exc.status)
        messages.success(request, f"已录入办件 {handling.proj_no} 的电话邀约评价。")
        return redirect("evaluations:phone_list")
    return render(request, "evaluations/phone_rate.html", context)


@login_required
@require_POST
def phone_reveal(request: HttpRequest, handling_id: int) -> HttpResponse:
    """Show the rater's phone to dial: an explicit, audited action of the supervising
    office, the phone alone (docs/privacy.md)."""
    try:
        identity = phone_invitation.phone_reveal(actor_for_user(request.user), handling_id)
    except AppError as exc:
        return render(request, "evaluations/partials/phone_reveal.html", {"error": exc},
                      status=exc.status)
    return render(request, "evaluations/partials/phone_reveal.html", {"identity": identity})
