"""Signed, expiring, single-use invitations to rate one handling or one batch.

Token format: ``<token_id>.<expires_epoch>.<mac>`` where ``token_id`` is 128 random bits
(URL-safe base64), ``expires_epoch`` whole seconds since 1970 UTC, and ``mac`` the
URL-safe base64 HMAC-SHA256, its first 128 bits (``MAC_CHARS``), over ``token_id``, the
expiry and the subject (``h:<handling id>`` or ``b:<batch no>``), keyed by a key
derived from ``SECRET_KEY`` for this purpose only. The row (``Invitation``) makes the
token single-use and binds it to its subject, so a token for handling A can never rate
handling B: the MAC covers the subject and the evaluation service checks the subject again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from haochaping.accounts.models import ApiClient
from haochaping.catalog.rules.standards import Channel
from haochaping.core.errors import AppError, ValidationError
from haochaping.evaluations.models import Invitation
from haochaping.handlings.models import Handling, Rater

TOKEN_ID_BYTES = 16  # 128 bits
_KEY_DOMAIN = b"haochaping.evaluations.invitation.v1"
# How the invitation reached the rater decides the rating's channel (statistics count
# ratings by channel): a plain link is the web, an SMS link the SMS channel, a QR code
# printed for one handling the QR channel. Keys: INVITATION_CHANNEL_CHOICES.
RATING_CHANNELS = {"link": Channel.WEB, "sms": Channel.SMS, "qr_code": Channel.QR_CODE}


class InvitationError(AppError):
    """A token that cannot be used: forged, expired or already used."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(code=code, message=message, field="token", status=status)


def _invalid() -> InvitationError:
    return InvitationError("invitation.invalid", "评价链接无效", 404)


def _key() -> bytes:
    # Domain separation: a MAC made here is useless anywhere else SECRET_KEY signs.
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), _KEY_DOMAIN, hashlib.sha256).digest()


def subject_of(invitation: Invitation) -> str:
    if invitation.handling_id is not None:
        return f"h:{invitation.handling_id}"
    return f"b:{invitation.batch_no}"


# The MAC in a token: HMAC-SHA256 truncated to 128 bits (22 base64 characters), which
# keeps an SMS invitation's link short (issue 16); a full-length MAC of a link sent before
# is still accepted.
MAC_CHARS = 22
FULL_MAC_CHARS = 43


def _mac(token_id: str, expires: int, subject: str) -> str:
    message = f"{token_id}.{expires}.{subject}".encode()
    digest = hmac.new(_key(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def token_for(invitation: Invitation) -> str:
    expires = _epoch(invitation.expires_at)
    mac = _mac(invitation.token_id, expires, subject_of(invitation))[:MAC_CHARS]
    return f"{invitation.token_id}.{expires}.{mac}"


def invitation_create(*, handling: Handling | None = None, batch_no: str = "",
                      client: ApiClient | None = None, rater: Rater, channel: str,
                      ttl: timedelta, now: datetime | None = None) -> tuple[Invitation, str]:
    """A new invitation for ``handling`` or for the batch ``batch_no`` of the business
    system ``client`` (batch numbers are per system), and its token.

    The token is returned once (put it in the link or SMS); only its id is stored.
    """
    if handling is None and not batch_no:
        raise ValidationError("invitation.no_subject", "评价邀请须指定办件或批次")
    if handling is None and client is None:
        raise ValidationError("invitation.no_client", "批次评价邀请须指定批次所属业务系统")
    now = now or timezone.now()
    # Whole seconds: the token carries the expiry as an integer epoch.
    expires_at = datetime.fromtimestamp(_epoch(now + ttl), tz=UTC)
    invitation = Invitation.objects.create(
        token_id=secrets.token_urlsafe(TOKEN_ID_BYTES), handling=handling,
        batch_no="" if handling is not None else batch_no,
        client=None if handling is not None else client, rater=rater, channel=channel,
        expires_at=expires_at)
    return invitation, token_for(invitation)


def _parse(token: str) -> tuple[str, int, str]:
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts) or not parts[1].isdigit():
        raise _invalid()
    return parts[0], int(parts[1]), parts[2]


def invitation_resolve(token: str, *, now: datetime | None = None) -> Invitation:
    """The Invitation behind ``token``; raises ``invitation.invalid`` (forged, unknown),
    ``invitation.expired`` or ``invitation.used``. Writes nothing."""
    token_id, expires, mac = _parse(token)
    invitation = (Invitation.objects.select_related("handling", "rater")
                  .filter(token_id=token_id).first())
    if invitation is None:
        raise _invalid()
    expected = _mac(token_id, _epoch(invitation.expires_at), subject_of(invitation))
    if len(mac) not in (MAC_CHARS, FULL_MAC_CHARS) or not hmac.compare_digest(
            expected[:len(mac)].encode(), mac.encode()):
        raise _invalid()
    if expires != _epoch(invitation.expires_at):
        raise _invalid()
    if invitation.used_at is not None:
        raise InvitationError("invitation.used", "该评价链接已使用，不能重复评价", 409)
    if (now or timezone.now()) >= invitation.expires_at:
        raise InvitationError("invitation.expired", "评价链接已过期", 410)
    return invitation


def rating_channel(invitation: Invitation) -> Channel:
    """The channel of a rating given through ``invitation``'s link."""
    return RATING_CHANNELS.get(invitation.channel, Channel.WEB)


def invitation_covers(invitation: Invitation, handling: Handling) -> bool:
    """Is ``handling`` the invitation's subject (its handling, or in its batch: the same
    business system's batch number and the same rater)?"""
    if invitation.handling_id is not None:
        return invitation.handling_id == handling.pk
    return (bool(invitation.batch_no) and handling.batch_no == invitation.batch_no
            and handling.rater_id == invitation.rater_id
            and (invitation.client_id is None or handling.client_id == invitation.client_id))


def batch_handlings(invitation: Invitation) -> QuerySet[Handling]:
    """The rater's handlings of a batch invitation's batch (any status)."""
    found = Handling.objects.filter(batch_no=invitation.batch_no, rater_id=invitation.rater_id)
    if invitation.client_id is not None:
        found = found.filter(client_id=invitation.client_id)
    return found
