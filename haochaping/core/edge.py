"""The request's edge (issue 17): body size limits, no personal data in the query string,
and the text rule of ``core.text``.

``EdgeMiddleware`` (first in ``MIDDLEWARE``) answers 413 with a Chinese message before
anything reads a body over the limit (``HCP_MAX_BODY_BYTES``; multipart uploads
``HCP_MAX_UPLOAD_BYTES``), and cleans every string a request carries outside a JSON body:
cookies, the query string, path segments and form fields (``clean_text``: NFC, no control
characters). ``CleanParser`` is the API's parser: it cleans every string of a JSON body
the same way. Password fields pass untouched: a password is compared, never shown.

A query string carrying a parameter named like a phone, ID number or person's name
(``core.pii.is_personal_param``) is answered 400 ``request.personal_data_in_url`` before
any view runs, whatever the method: such values belong in a POST body, since URLs end up
in access logs, proxies and browser histories. The value is never read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from haochaping.core.errors import AppError, PayloadTooLarge
from haochaping.core.pii import is_personal_param
from haochaping.core.text import clean_data, clean_text

API_PREFIX = "/api/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge("request.too_large",
                           f"请求体过大：不得超过 {_megabytes(limit)}，请减少内容或分批提交")


def personal_data_in_url(name: str) -> AppError:
    return AppError("request.personal_data_in_url",
                    "手机号码、证件号码、姓名等个人信息不得放在网址中，请通过 POST 请求体提交",
                    field=name[:40], status=400)


def _limit_of(request: HttpRequest) -> int:
    multipart = request.content_type == "multipart/form-data"
    return int(settings.HCP_MAX_UPLOAD_BYTES if multipart else settings.HCP_MAX_BODY_BYTES)


def refusal(request: HttpRequest, error: AppError, title: str = "请求体过大") -> HttpResponse:
    """The API's JSON envelope under ``/api/``, a short Chinese page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error.as_dict(), status=error.status,
                            json_dumps_params={"ensure_ascii": False})
    return HttpResponse(f"<!doctype html><meta charset=utf-8><title>{title}</title>"
                        f"<p>{error.message}</p><p>错误代码：{error.code}</p>",
                        status=error.status, content_type="text/html; charset=utf-8")


def _cleaned(data: MultiValueDict[str, Any]) -> MultiValueDict[str, Any] | None:
    """A cleaned copy of ``data``, or None when every key and value is clean already."""
    changed = False
    items: list[tuple[str, list[Any]]] = []
    for key, values in data.lists():
        keep = "password" in key  # compared with a stored hash, never displayed
        new_key = key if keep else clean_text(key)
        new_values = [v if keep or not isinstance(v, str) else clean_text(v) for v in values]
        changed = changed or new_key != key or new_values != values
        items.append((new_key, new_values))
    if not changed:
        return None
    if isinstance(data, QueryDict):
        copy = QueryDict(mutable=True, encoding=data.encoding)
        for key, values in items:
            copy.setlist(key, values)
        copy._mutable = False
        return copy
    return MultiValueDict(dict(items))


class EdgeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = _limit_of(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return refusal(request, too_large(limit))
        request.COOKIES = {clean_text(k): clean_text(v) for k, v in request.COOKIES.items()}
        query = _cleaned(request.GET)
        if query is not None:
            request.GET = query  # type: ignore[assignment]
        personal = next((k for k in request.GET if is_personal_param(k)), None)
        if personal is not None:
            return refusal(request, personal_data_in_url(personal), "个人信息不得放在网址中")
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> HttpResponse | None:
        for name, value in kwargs.items():  # the view gets this very dict
            if isinstance(value, str):
                kwargs[name] = clean_text(value)
        if request.method in UNSAFE and request.content_type in FORM_TYPES:
            try:
                form = _cleaned(request.POST)
            except RequestDataTooBig:
                return refusal(request, too_large(_limit_of(request)))
            if form is not None:
                request.POST = form  # type: ignore[assignment]
        return None

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, RequestDataTooBig):
            return refusal(request, too_large(_limit_of(request)))
        return None


class CleanParser(Parser):
    """Ninja's JSON parser, with every string of the document cleaned (``core.text``);
    a document nested past ``core.text.MAX_DEPTH`` is refused like malformed JSON."""

    def parse_body(self, request: HttpRequest) -> Any:
        return clean_data(super().parse_body(request))
