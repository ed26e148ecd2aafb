"""The inbound-SMS hook of notify (STYLE.md §15).

Notify is transport: it verifies the gateway's webhook, stores each reply once and limits
replies per phone. What a reply means (a rating, the reason of a 差评) is the rating
channel's business, which sits above notify: ``evaluations``' ``AppConfig.ready()``
registers its reply handler here. Without a handler a stored reply's outcome is
``unhandled``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

UNHANDLED = "unhandled"


class InboundSmsHandler(Protocol):
    def __call__(self, *, phone_index: str, body: str, now: datetime) -> str: ...


_handler: list[InboundSmsHandler] = []


def register_inbound_sms_handler(handler: InboundSmsHandler) -> None:
    """Called once by ``evaluations`` at start-up; a second call replaces the first."""
    _handler[:] = [handler]


def inbound_sms_handle(*, phone_index: str, body: str, now: datetime) -> str:
    """The outcome (at most 64 characters) of one stored reply, from the registered
    handler, inside the caller's transaction."""
    if not _handler:
        return UNHANDLED
    return _handler[0](phone_index=phone_index, body=body, now=now)[:64]
