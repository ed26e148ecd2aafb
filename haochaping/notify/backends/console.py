"""Demo backend: writes a masked line to the log and keeps the message in memory."""

from __future__ import annotations

import logging
from typing import ClassVar

from haochaping.notify.backends.base import SendResult, SentRecord, SmsBackend, SmsMessage
from haochaping.notify.rules import sms_parts
from haochaping.vault import mask_phone

logger = logging.getLogger("haochaping.notify.console")


class ConsoleBackend(SmsBackend):
    name = "console"
    # Like django.core.mail.outbox: tests read (and clear) what was "sent".
    sent: ClassVar[list[SentRecord]] = []

    def send(self, message: SmsMessage) -> SendResult:
        ConsoleBackend.sent.append(SentRecord(to=message.to, template=message.template,
                                              text=message.text,
                                              message_id=message.message_id,
                                              params=dict(message.params)))
        logger.warning("SMS #%s → %s（%s，%d 条）：%s", message.message_id,
                       mask_phone(message.to), message.template,
                       sms_parts(message.text), message.text)
        return SendResult(ok=True, provider_id=f"console-{message.message_id}")
