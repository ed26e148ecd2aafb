"""The operators' doors closed to the public in production (issue 17).

With ``HCP_ENV=production`` the admin site and the API's documentation (``/api/v1/docs``,
``/api/v1/openapi.json``) answer 404, as if they did not exist, unless the visitor
(a) is a signed-in staff user — any role for the API docs; the admin site keeps its own
``is_staff`` check behind its login page — and (b) comes from one of
``HCP_ADMIN_NETWORKS`` when that is set (addresses or CIDR networks; empty = any address).
The admin's login page itself is behind the network gate only. The demo leaves both open.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

from haochaping.core.clientip import client_ip, parse_networks

ADMIN_PREFIX = "/admin/"
DOCS_PATHS = ("/api/v1/docs", "/api/v1/openapi.json")


def _from_allowed_network(request: HttpRequest) -> bool:
    entries = tuple(getattr(settings, "HCP_ADMIN_NETWORKS", ()))
    if not entries:
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in parse_networks(entries))


class OperatorGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.HCP_ENV == "production" and self._closed(request):
            return HttpResponseNotFound("<h1>404</h1>", content_type="text/html")
        return self.get_response(request)

    @staticmethod
    def _closed(request: HttpRequest) -> bool:
        path = request.path
        if path.startswith(ADMIN_PREFIX):
            return not _from_allowed_network(request)
        if path.startswith(DOCS_PATHS):
            user = getattr(request, "user", None)
            signed_in = user is not None and user.is_authenticated
            return not (signed_in and _from_allowed_network(request))
        return False
