"""The SMS rating channel, replies (seed 003 §9(三)): a digit 1–5 rates the rater's latest
SMS-invited handling; after a 差评 by SMS the next free-text reply within 24 h is its
reason.

Notify receives, stores and rate-limits each reply (``notify.services.inbound``) and hands
it here through its hook table (``notify.hooks``), which ``EvaluationsConfig.ready()``
fills with :func:`sms_reply_process`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from haochaping.catalog.rules.standards import BAD_LEVEL_MAX, Channel, is_bad
from haochaping.core.errors import AppError
from haochaping.evaluations.invitations import batch_handlings
from haochaping.evaluations.models import Evaluation, Invitation
from haochaping.evaluations.rules import FOLLOW_UP, RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.sms.rules import parse_level_reply
from haochaping.notify.services.outbox import outbox_enqueue

FOLLOW_UP_TEMPLATE = "bad_reason_followup"
# A reason reply counts only this long after the bad SMS rating it explains.
FOLLOW_UP_WINDOW = timedelta(hours=24)
RATED = "rated"
RATED_BAD = "rated_bad"
FOLLOWED_UP = "follow_up"
NO_INVITATION = "no_invitation"
IGNORED = "ignored"


def _rate(phone_index: str, level: int, now: datetime) -> str:
    invitation = (Invitation.objects.select_related("handling__matter", "rater")
                  .filter(rater__phone_index=phone_index, channel="sms")
                  .order_by("-created_at", "-pk").first())
    if invitation is None:
        return NO_INVITATION
    handling = invitation.handling or (
        batch_handlings(invitation).select_related("matter").order_by("pk").first())
    if handling is None:
        return NO_INVITATION
    # The reply comes from the rater's own phone; the invitation only points at the
    # handling and is marked used the first time.
    evaluations = evaluation_submit(
        handling=handling, rating=RatingInput(level=level), channel=Channel.SMS,
        sms_reply=True, for_batch=not invitation.handling_id,
        invitation=invitation if invitation.used_at is None else None, now=now)
    if not is_bad(level):
        return RATED
    # Ask for the reason of the 差评 (seed 003 §7); one question per rating.
    outbox_enqueue(template=FOLLOW_UP_TEMPLATE, rater=invitation.rater,
                   params={"matter": handling.matter.name},
                   dedupe_key=f"followup:{evaluations[0].pk}", not_before=now)
    return RATED_BAD


def _follow_up(phone_index: str, text: str, now: datetime) -> str:
    bad = (Evaluation.objects.select_related("handling")
           .filter(rater__phone_index=phone_index, channel=Channel.SMS.value,
                   level__lte=BAD_LEVEL_MAX, assess_number=1, is_current=True,
                   stage__isnull=True, invalidated_at__isnull=True,
                   created_at__gte=now - FOLLOW_UP_WINDOW)
           .order_by("-created_at", "-pk").first())
    if bad is None or bad.text or bad.reason_codes:
        # Only a bare SMS rating waits for its reason; a 差评 made on the SMS link's form
        # came with one, and a stray text must not replace it.
        return IGNORED
    evaluation_submit(
        handling=bad.handling,
        rating=RatingInput(level=bad.level, item_levels=dict(bad.item_levels),
                           content_codes=list(bad.content_codes),
                           reason_codes=list(bad.reason_codes), text=text),
        channel=Channel.SMS, for_batch=bool(bad.batch_no), assess_number=FOLLOW_UP, now=now)
    return FOLLOWED_UP


def sms_reply_process(*, phone_index: str, body: str, now: datetime) -> str:
    """What one stored SMS reply does; its outcome. Registered in ``notify.hooks`` by
    ``EvaluationsConfig.ready()``; runs inside notify's transaction."""
    level = parse_level_reply(body)
    text = body.strip()
    try:
        with transaction.atomic():
            if level is not None:
                return _rate(phone_index, level, now)
            if not text:
                return IGNORED
            return _follow_up(phone_index, text, now)
    except AppError as exc:
        # A refused rating (window closed, already rated…) is recorded, not answered.
        return f"rejected:{exc.code}"[:64]
