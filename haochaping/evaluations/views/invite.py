"""Channel 1: the invitation link page ``/r/<token>`` (one handling or a batch), and the
per-handling invitation QR code. Plain HTML form POST; htmx only swaps partials. A rating
is recorded with the channel the invitation went out through (link: web, SMS, QR code)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from haochaping.core.errors import AppError, NotFound
from haochaping.evaluations.followup import followup_context
from haochaping.evaluations.invitations import invitation_resolve, rating_channel
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.public import invitation_handlings, rating_closed
from haochaping.evaluations.qr import invitation_url, qr_response_body
from haochaping.evaluations.selectors import stage_choices
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.staff_guard import staff_own_org_refusal
from haochaping.evaluations.throttle import throttle
from haochaping.evaluations.views.common import (
    chosen_of,
    client_ip,
    error_page,
    form_context,
    page,
    rating_from_post,
    user_agent,
)
from haochaping.handlings.models import Handling

# Refusals the rater can fix on the same form (bad input, too fast); every other refusal
# (token, timing, already rated) ends on the error page.
FORM_STATUSES = frozenset({422, 429})


def rate_form(request: HttpRequest, *, subjects: list[Handling], action: str,
              submit: Any, title: str, extra: dict[str, Any] | None = None) -> HttpResponse:
    """GET shows the form for ``subjects[0]`` (and its batch); POST reads it, calls
    ``submit(rating)`` and shows thanks (with the follow-up of a 差评), the form again
    with the error, or the error page. Shared by the invitation page and the window-QR flow."""
    try:
        form = form_context(subjects[0])
    except AppError as exc:  # no active standard
        return error_page(request, exc)
    context: dict[str, Any] = {"subjects": subjects, "subject": subjects[0],
                               "action": action, "title": title,
                               "chosen": chosen_of(None), **form, **(extra or {})}
    if request.method == "POST":
        try:
            throttle("ip", client_ip(request) or "-")
            evaluation = submit(rating_from_post(request.POST, context["form"],
                                                 context["indicators"]))
        except AppError as exc:
            if exc.status not in FORM_STATUSES:
                return error_page(request, exc)
            context.update(error=exc, chosen=chosen_of(request.POST))
            return page(request, "evaluations/rate.html", context,
                        partial="evaluations/partials/rate_form.html", status=exc.status)
        context.update(followup_context(evaluation))
        return page(request, "evaluations/thanks.html", context,
                    partial="evaluations/partials/thanks.html")
    return page(request, "evaluations/rate.html", context,
                partial="evaluations/partials/rate_form.html")


@require_http_methods(["GET", "POST"])
def invitation_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_resolve(token)
        subjects = invitation_handlings(invitation)
        if not subjects:
            raise NotFound("invitation.nothing_to_rate", "该批次暂无已办结的办件")
        closed = rating_closed(subjects[0])
        if closed is not None:
            raise closed
        staff = staff_own_org_refusal(request, subjects, channel=invitation.channel)
        if staff is not None:
            raise staff
    except AppError as exc:
        return error_page(request, exc)
    # A link of one handling offers its ratable stages (seed 002 二(三)); a batch link rates
    # the handlings as wholes. The link is used by the one rating it records.
    stages = [] if invitation.batch_no else stage_choices(subjects, now=timezone.now())[
        subjects[0].pk]

    def submit(rating: Any) -> list[Evaluation]:
        return evaluation_submit(handling=subjects[0], rating=rating,
                          channel=rating_channel(invitation),
                          for_batch=bool(invitation.batch_no), invitation=invitation,
                          ip=client_ip(request), user_agent=user_agent(request),
                          stage="" if invitation.batch_no else request.POST.get("stage", ""))

    return rate_form(request, subjects=subjects, action=request.path, submit=submit,
                     title="办事评价", extra={"stages": stages})


@require_GET
def invitation_qr(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """The QR of a per-handling invitation link (PNG or SVG), for a receipt or a screen."""
    try:
        invitation_resolve(token)
    except AppError as exc:
        return error_page(request, exc)
    body, content_type = qr_response_body(invitation_url(token), fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
