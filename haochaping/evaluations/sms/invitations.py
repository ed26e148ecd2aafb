"""The SMS invitation sweep (seed 003 §9(三)): a completed handling still unrated when its
stored ``invite_due_at`` (completion + 24 h) passes gets one invitation link by SMS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from haochaping.evaluations.invitations import invitation_create
from haochaping.handlings import marks
from haochaping.handlings.models import Handling
from haochaping.notify.models import OutboxMessage
from haochaping.notify.services.outbox import outbox_enqueue

INVITE_TEMPLATE = "evaluation_invite"
# Used when a handling has no stored supplementary-window end (should not happen for a
# completed handling; the window normally bounds the link's life).
FALLBACK_INVITE_TTL = timedelta(days=7)


class _AlreadyQueued(Exception):
    """A concurrent sweep queued the same invitation: undo this one's writes."""


@dataclass
class SweepReport:
    invited: int = 0
    skipped: int = 0

    def summary(self) -> str:
        return f"invited={self.invited} skipped={self.skipped}"


def invite_link(token: str) -> str:
    return f"{settings.HCP_PUBLIC_BASE_URL.rstrip('/')}/r/{token}"


def invite_dedupe_key(handling: Handling) -> str:
    if handling.batch_no:
        return f"invite:batch:{handling.client_id}:{handling.batch_no}:{handling.rater_id}"
    return f"invite:{handling.pk}"


def _eligible(handling: Handling, now: datetime) -> bool:
    return (handling.status == "completed" and handling.rated_at is None
            and bool(handling.rater.phone_cipher)
            and (handling.rating_closes_at is None or handling.rating_closes_at > now))


def _invite(handling: Handling, now: datetime) -> bool:
    """Create the invitation and queue its SMS; False when it was already queued."""
    key = invite_dedupe_key(handling)
    matter = handling.matter.name
    if handling.batch_no:
        # One invitation for the rater's part of the batch (seed 003 §11: the rating covers
        # each of ITS RATER's handlings): those are claimed too, so the sweep never reaches
        # them again. Another applicant's handling under the same batch number keeps its
        # deadline and gets its own invitation.
        marks.claim_batch_invites(client_id=handling.client_id, batch_no=handling.batch_no,
                                  rater_id=handling.rater_id)
        size = Handling.objects.filter(client_id=handling.client_id,
                                       batch_no=handling.batch_no,
                                       rater_id=handling.rater_id).count()
        if size > 1:
            matter = f"{matter}等{size}项事项"
    if OutboxMessage.objects.filter(dedupe_key=key).exists():
        return False
    ttl = (handling.rating_closes_at - now if handling.rating_closes_at
           else FALLBACK_INVITE_TTL)
    _invitation, token = invitation_create(
        handling=None if handling.batch_no else handling, batch_no=handling.batch_no,
        client=handling.client, rater=handling.rater, channel="sms", ttl=ttl, now=now)
    queued = outbox_enqueue(template=INVITE_TEMPLATE, rater=handling.rater,
                            params={"org": handling.org.name, "matter": matter,
                                    "link": invite_link(token)},
                            dedupe_key=key, not_before=now)
    if queued is None:
        raise _AlreadyQueued
    return True


def sweep_one(pk: int, now: datetime) -> bool:
    """Claim one handling (clear its deadline) and invite it, in one transaction: a
    worker killed here leaves either both done or neither."""
    try:
        with transaction.atomic():
            if not marks.claim_invite(pk, now):
                return False  # another worker has it
            handling = (Handling.objects.select_related("org", "matter", "rater")
                        .get(pk=pk))
            if not _eligible(handling, now):
                return False
            return _invite(handling, now)
    except _AlreadyQueued:
        return False


def sweep_sms_invitations(now: datetime, limit: int = 500) -> SweepReport:
    """Invite every handling whose ``invite_due_at`` has passed (``notify.sms_invitations``
    job). Idempotent: the claim clears the deadline and the dedupe key
    ``invite:<handling id>`` / ``invite:batch:<client>:<batch no>:<rater id>`` makes a
    second SMS impossible."""
    report = SweepReport()
    marks.clear_void_invite_deadlines(now)
    due = list(Handling.objects.filter(invite_due_at__lte=now)
               .order_by("invite_due_at", "pk").values_list("pk", flat=True)[:limit])
    for pk in due:
        if sweep_one(pk, now):
            report.invited += 1
        else:
            report.skipped += 1
    return report
