"""SMS backends behind one abstract class; ``get_backend()`` picks the configured one
(``HCP_SMS_BACKEND``: console | http)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from haochaping.notify.backends.base import SendResult, SentRecord, SmsBackend, SmsMessage
from haochaping.notify.backends.console import ConsoleBackend
from haochaping.notify.backends.http_gateway import HttpGatewayBackend

__all__ = ["ConsoleBackend", "HttpGatewayBackend", "SendResult", "SentRecord", "SmsBackend",
           "SmsMessage", "get_backend"]


def get_backend() -> SmsBackend:
    name = settings.HCP_SMS_BACKEND
    if name == "console":
        return ConsoleBackend()
    if name == "http":
        return HttpGatewayBackend(url=settings.HCP_SMS_GATEWAY_URL,
                                  secret=settings.HCP_SMS_GATEWAY_SECRET,
                                  timeout=float(settings.HCP_SMS_TIMEOUT_SECONDS))
    raise ImproperlyConfigured(f"HCP_SMS_BACKEND must be console or http, got {name!r}")
