"""SMS replies received through the gateway's webhook (seed 003 §9(三)): transport only.

What a reply means (a digit 1–5 rates, a later text explains a 差评) is decided by the
handler ``evaluations`` registers in ``notify.hooks`` (``evaluations.sms.replies``). Every
reply is stored once (``InboundSms.provider_id`` is unique: a gateway that
re-delivers the webhook changes nothing) with the outcome of its processing. The phone
number is kept only as its blind index.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from haochaping.core import ratelimit
from haochaping.notify.hooks import inbound_sms_handle
from haochaping.notify.models import InboundSms
from haochaping.vault import blind_index

MAX_BODY_CHARS = 500

DUPLICATE = "duplicate"
RATE_LIMITED = "rate_limited"


def _over_rate(phone_index: str, now: datetime) -> bool:
    """Fixed one-minute window per phone (blind index), by the one rate limiter."""
    return ratelimit.over_limit(f"sms_inbound:{phone_index}",
                                settings.HCP_SMS_INBOUND_PER_MINUTE, 60, now=now.timestamp())


def inbound_sms_receive(*, provider_id: str, phone: str, body: str,
                        now: datetime) -> str:
    """Store and act on one SMS reply; returns its outcome (also stored on the row)."""
    phone_index = blind_index("phone", phone)
    if InboundSms.objects.filter(provider_id=provider_id).exists():
        return DUPLICATE
    body = body[:MAX_BODY_CHARS]
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = InboundSms.objects.create(phone_index=phone_index, body=body,
                                                provider_id=provider_id)
        except IntegrityError:
            return DUPLICATE  # the same webhook delivered twice at once
        limited = _over_rate(phone_index, now)
        outcome = RATE_LIMITED if limited else inbound_sms_handle(
            phone_index=phone_index, body=body, now=now)
        InboundSms.objects.filter(pk=row.pk).update(outcome=outcome)
    return outcome
