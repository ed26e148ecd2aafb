"""Notify API: the SMS gateway's inbound webhook (``POST /api/v1/notify/sms/inbound``).

No API key: the gateway proves itself with ``X-HCP-Signature`` (HMAC-SHA256 keyed by
``HCP_SMS_GATEWAY_SECRET`` over ``"<X-HCP-Timestamp>.<raw body>"``, within 5 minutes).
An unsigned or forged call gets 401 ``notify.bad_signature`` and writes nothing.
"""

from __future__ import annotations

import time

import pydantic
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from haochaping.core.errors import Unauthenticated, ValidationError
from haochaping.notify import rules
from haochaping.notify.schemas import InboundSmsIn, InboundSmsOut
from haochaping.notify.services import inbound_sms_receive

router = Router(tags=["notify"])


@router.post("/sms/inbound", response=InboundSmsOut, auth=None,
             summary="短信网关上行回调（评价回复）")
def sms_inbound(request: HttpRequest) -> dict[str, str]:
    body = request.body
    if not rules.signature_valid(settings.HCP_SMS_GATEWAY_SECRET,
                                 request.headers.get(rules.TIMESTAMP_HEADER, ""), body,
                                 request.headers.get(rules.SIGNATURE_HEADER, ""),
                                 time.time()):
        raise Unauthenticated("notify.bad_signature", "短信网关签名无效")
    try:
        payload = InboundSmsIn.model_validate_json(body)
    except pydantic.ValidationError as exc:
        raise ValidationError("notify.invalid_payload", "上行短信数据无效") from exc
    outcome = inbound_sms_receive(provider_id=payload.message_id, phone=payload.sender,
                                  body=payload.text, now=timezone.now())
    return {"outcome": outcome}
