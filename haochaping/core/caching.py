"""``Cache-Control: no-store`` unless a view says otherwise (issue 17).

Pages and API answers carry personal data (masked or not), work orders and figures of a
subtree; none of it may stay in a browser's or a proxy's cache. A view that is public and
cacheable says so itself (``cache_page``, ``cache_control``: the disclosure pages, QR
images), and its header is kept; everything else is marked ``no-store, private``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
