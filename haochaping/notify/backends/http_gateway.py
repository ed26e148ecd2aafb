"""HTTP gateway backend: POSTs signed JSON to ``HCP_SMS_GATEWAY_URL``.

Request: ``{"to", "template_id", "params", "text", "message_id"}`` with headers
``X-HCP-Timestamp`` and ``X-HCP-Signature`` (HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed
by ``HCP_SMS_GATEWAY_SECRET``). 2xx = sent (an optional ``{"id": ...}`` in the answer is
kept as the provider id); 429, 5xx, connection errors and timeouts are retried; any other
4xx is permanent (the message goes dead).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from django.core.exceptions import ImproperlyConfigured

from haochaping.notify import rules
from haochaping.notify.backends.base import SendResult, SmsBackend, SmsMessage


class HttpGatewayBackend(SmsBackend):
    name = "http"

    def __init__(self, *, url: str, secret: str, timeout: float) -> None:
        if not url.startswith(("http://", "https://")):
            raise ImproperlyConfigured("HCP_SMS_GATEWAY_URL must be an http(s) URL")
        if not secret:
            raise ImproperlyConfigured("HCP_SMS_GATEWAY_SECRET is required for the http "
                                       "SMS backend")
        self.url = url
        self.secret = secret
        self.timeout = timeout

    def send(self, message: SmsMessage) -> SendResult:
        body = json.dumps({"to": message.to, "template_id": message.template_id,
                           "params": message.params, "text": message.text,
                           "message_id": message.message_id},
                          ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.url, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8",
                     rules.TIMESTAMP_HEADER: timestamp,
                     rules.SIGNATURE_HEADER: rules.sign(self.secret, timestamp, body)})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read(4096)
                status = response.status
        except urllib.error.HTTPError as exc:
            # Only the status goes into last_error: a gateway may echo the phone number.
            return SendResult(ok=False, retryable=rules.retryable_status(exc.code),
                              error=f"HTTP {exc.code}")
        except TimeoutError:
            return SendResult(ok=False, retryable=True, error="timeout")
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return SendResult(ok=False, retryable=True,
                              error=f"connection error: {type(reason).__name__}")
        if not 200 <= status < 300:
            return SendResult(ok=False, retryable=rules.retryable_status(status),
                              error=f"HTTP {status}")
        return SendResult(ok=True, provider_id=_provider_id(answer))


def _provider_id(answer: bytes) -> str:
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        return ""
    value = data.get("id", "") if isinstance(data, dict) else ""
    return str(value)[:64]
