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

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.standards import Channel
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


def _refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    return render(request, "evaluations/staff_error.html", {"error": exc}, status=exc.status)


@login_required
def phone_list(request: HttpRequest) -> HttpResponse:
    """The work list: completed, unrated handlings in the user's subtree (masked)."""
    try:
        rows = list(unrated_handlings(actor_for_user(request.user), now=timezone.now()))
    except AppError as exc:
        return _refused(request, exc)
    return render(request, "evaluations/phone_list.html", {"rows": rows})


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
