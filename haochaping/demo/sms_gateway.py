"""The demo's stand-in for the SMS gateway's inbound side: a rater's reply, signed as the
gateway signs it (``notify.rules.sign``), for ``manage.py demo_sms_reply``."""

from __future__ import annotations

import json
import uuid

from haochaping.notify import rules

WEBHOOK_PATH = "/api/v1/notify/sms/inbound"


def reply_request(*, secret: str, phone: str, text: str,
                  now_epoch: float) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one inbound-SMS webhook call."""
    body = json.dumps({"message_id": uuid.uuid4().hex, "from": phone, "text": text},
                      ensure_ascii=False).encode()
    timestamp = str(int(now_epoch))
    return body, {"Content-Type": "application/json",
                  rules.TIMESTAMP_HEADER: timestamp,
                  rules.SIGNATURE_HEADER: rules.sign(secret, timestamp, body)}
