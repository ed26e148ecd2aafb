"""htmx requests, through django-htmx: ``HtmxMiddleware`` (settings.MIDDLEWARE) parses the
``HX-*`` headers into ``request.htmx`` (truthy for an htmx request; ``target``,
``trigger``…). :func:`htmx` only gives that attribute its type, so views typed with
Django's ``HttpRequest`` read it without a cast of their own."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def htmx(request: HttpRequest) -> HtmxDetails:
    """``request.htmx`` as django-htmx's middleware set it."""
    return cast(HtmxHttpRequest, request).htmx
