"""The inbound exchange API: ``POST /api/v1/exchange/{remote}/{kind}``, where ``kind`` is
``rating`` or ``complaint``, or the profile's own path of the kind (a remote posts where
it would post to any platform: ``/api/v1/exchange/henan/api/exchange/evaluations``).

No API key: a remote proves itself by its profile's signature (docs/exchange.md
"Downward"). The body is read only when its declared size is within the limit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import Router

from haochaping.core.clientip import client_ip_or_none
from haochaping.exchange.inbound.receive import inbound_receive

router = Router(tags=["exchange"])


def _declared_size(request: HttpRequest) -> int:
    raw = request.META.get("CONTENT_LENGTH") or "0"
    return int(raw) if raw.isdigit() else 0


@router.post("/{remote}/{path:kind}", auth=None, summary="上级平台下发评价或转办诉求")
def inbound(request: HttpRequest, remote: str, kind: str) -> HttpResponse:
    size = _declared_size(request)
    body: bytes | None = None
    if size <= settings.HCP_EXCHANGE_INBOUND_MAX_BYTES:
        try:
            body = request.body
        except RequestDataTooBig:
            body = None
    answer = inbound_receive(remote_name=remote, tail=kind, headers=dict(request.headers),
                             body=body, size=size, ip=client_ip_or_none(request))
    return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
