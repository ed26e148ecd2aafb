"""Invitation links and QR codes that a business system asks for a handling it reported
(``POST /api/v1/handlings/{proj_no}/invitation``, docs/api-intake.md; the route is
``evaluations.api_links``): printed on the
receipt or shown on the counter's screen, they lead to the rating page ``/r/<token>``.

Decisions:

- Refused like the rating itself would be, with the evaluation rules' codes (all 409):
  ``evaluation.not_completed``, ``evaluation.withdrawn``, ``evaluation.window_closed``,
  and ``evaluation.already_rated`` when the policy allows one rating per service and
  the handling has a real, valid one. A rated handling under ``latest_wins`` (seed 003
  §10), or one holding only a default or invalidated rating, gets a link: a rating made
  through it supersedes the current one, as on every channel.
- Idempotent: the link returned is the newest unused, unexpired link invitation of the
  same subject and rater (its token is re-derived from the row, ``token_for``), so asking
  again never piles up invitations; a new one is made only when none is live (used,
  expired, or the applicant was corrected). The handling row is locked while deciding, so
  two concurrent asks make one invitation.
- A handling of a batch gets the batch's invitation (seed 003 §11, as the SMS sweep
  does): one rating page for every completed handling of the batch.
- The link lives until the supplementary window closes (``rating_closes_at``), or
  :data:`FALLBACK_TTL` when the policy sets no window.
- No audit row: the ``Invitation`` row is its own record (subject, channel, created,
  expiry, use), like intake and ratings, and the call is counted by the client's
  per-minute rate limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from haochaping.accounts.models import ApiClient
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.core.errors import AppError, NotFound
from haochaping.evaluations import rules
from haochaping.evaluations.invitations import invitation_create, token_for
from haochaping.evaluations.locking import current_rating_of
from haochaping.evaluations.models import Invitation
from haochaping.evaluations.public import handling_state
from haochaping.evaluations.qr import invitation_url, public_url
from haochaping.handlings.models import Handling

CHANNEL = "link"
FALLBACK_TTL = timedelta(days=7)  # as the SMS sweep, for a policy without a window
# Any rating would do: only whether a new rating may replace the current one is asked.
_ANY_RATING = rules.RatingInput(level=5)


@dataclass(frozen=True)
class IssuedInvitation:
    proj_no: str
    batch_no: str
    created: bool
    url: str
    qr_png_url: str
    qr_svg_url: str
    expires_at: datetime


def _qr_url(token: str, fmt: str) -> str:
    return public_url(reverse("evaluations:invite_qr", kwargs={"token": token, "fmt": fmt}))


def check_rateable(handling: Handling, now: datetime) -> None:
    """Raise the evaluation rules' refusal (409) if a rating of ``handling`` made now
    through a link would be refused for its state (timing, one rating per service)."""
    _, current = current_rating_of(handling.pk)
    state = handling_state(handling, current)
    try:
        rules.check_timing(state, now)
        if current is not None:
            policy = effective_policy(handling.org)
            rules.decide_supersede(state, rules.RatingPolicy(policy.multiple_ratings.value,
                                                             policy.phone_invitation),
                                   _ANY_RATING, None)
    except rules.RatingRejected as exc:
        raise AppError(exc.code, exc.message, "proj_no", status=409) from None


def _live(handling: Handling, now: datetime) -> Invitation | None:
    """The newest unused, unexpired link invitation of the handling's subject."""
    found = Invitation.objects.filter(rater_id=handling.rater_id, channel=CHANNEL,
                                      used_at__isnull=True, expires_at__gt=now)
    if handling.batch_no:
        found = found.filter(handling__isnull=True, batch_no=handling.batch_no,
                             client_id=handling.client_id)
    else:
        found = found.filter(handling_id=handling.pk)
    return found.order_by("-expires_at", "-pk").first()


def handling_invitation(*, client: ApiClient, proj_no: str,
                        now: datetime | None = None) -> IssuedInvitation:
    """The invitation link of ``client``'s handling ``proj_no`` (or of its batch), made
    if none is live; see the module docstring. Nothing is written on refusal."""
    now = now or timezone.now()
    with transaction.atomic():
        handling = (Handling.objects.select_for_update(of=("self",)).select_related("org")
                    .filter(client=client, proj_no=proj_no).first())
        if handling is None:
            raise NotFound("handling.not_found", "办件不存在", "proj_no")
        check_rateable(handling, now)
        invitation = _live(handling, now)
        created = invitation is None
        if invitation is None:
            ttl = (handling.rating_closes_at - now if handling.rating_closes_at
                   else FALLBACK_TTL)
            invitation, token = invitation_create(
                handling=None if handling.batch_no else handling,
                batch_no=handling.batch_no, client=handling.client, rater=handling.rater,
                channel=CHANNEL, ttl=ttl,
                now=now)
        else:
            token = token_for(invitation)
    return IssuedInvitation(
        proj_no=handling.proj_no, batch_no=handling.batch_no, created=created,
        url=invitation_url(token), qr_png_url=_qr_url(token, "png"),
        qr_svg_url=_qr_url(token, "svg"), expires_at=invitation.expires_at)
