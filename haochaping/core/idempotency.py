"""``Idempotency-Key`` on the API's POSTs (issue 17): a client that lost the answer (a
timeout, a killed server) retries with the same key and gets the first answer again,
status and body, instead of doing the work twice or reading a 409 it cannot interpret.

Applies to a POST under ``/api/`` that carries an API key (``X-Api-Key`` or
``Authorization: Bearer``) and an ``Idempotency-Key`` (1–100 visible ASCII characters).
Keys are scoped per API key (its SHA-256): two clients never share one. The request runs
in one transaction with its :class:`~haochaping.core.models.IdempotentRequest` row, which
is inserted first, so a concurrent duplicate waits for it (PostgreSQL: the unique key;
SQLite: the one writer) and then replays it; a killed request leaves neither its writes
nor the row, so its retry simply runs. Answers kept: 2xx and 4xx except 401 and 429
(nothing was done; the client should retry as it is); a 5xx keeps nothing. The same key
with another method, path or body is 422 ``idempotency.key_reused``. Rows expire after
``HCP_IDEMPOTENCY_HOURS``. A screen outside the API uses the same store through
:func:`replayable` with a scope of its own (the evaluator pad's rating: its device).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.utils import timezone

from haochaping.core.errors import ValidationError
from haochaping.core.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY = 100
NOT_KEPT = frozenset({401, 429})


class _Discard(Exception):
    """Leaves the request's transaction rolled back, carrying the answer to send."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("discarded")
        self.response = response


def credential(request: HttpRequest) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("X-Api-Key") or None


def _error(exc: ValidationError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.status, json_dumps_params={"ensure_ascii": False})


def _replay(row: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type)
    response[REPLAYED] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        secret = credential(request)
        if (key is None or secret is None or request.method != "POST"
                or not request.path.startswith("/api/")):
            return self.get_response(request)
        scope = "key:" + hashlib.sha256(secret.encode()).hexdigest()
        return replayable(request, scope, key, lambda: self.get_response(request))


def replayable(request: HttpRequest, scope: str, key: str,
               handler: Callable[[], HttpResponse]) -> HttpResponse:
    """Answer ``request`` through ``handler`` once per (``scope``, ``key``); a retry with
    the same key replays the first answer. The API's middleware scopes by API key; a
    screen outside the API may call this with a scope of its own (the evaluator pad:
    its device), under the same rules."""
    if not (0 < len(key) <= MAX_KEY and key.isascii() and key.isprintable()
            and " " not in key):
        return _error(ValidationError("idempotency.invalid_key",
                                      f"幂等键须为 1 至 {MAX_KEY} 个可见 ASCII 字符", HEADER))
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(_body(request))
    try:
        return _run(scope, key, digest.hexdigest(), handler)
    except _Discard as discarded:
        return discarded.response


def _body(request: HttpRequest) -> bytes:
    """The request's body; for a multipart form that a view's CSRF check has read
    already, its fields in a canonical order (the pad sends no files)."""
    try:
        return request.body
    except RawPostDataException:
        return urlencode(sorted(request.POST.lists()), doseq=True).encode()


def _run(scope: str, key: str, fingerprint: str,
         handler: Callable[[], HttpResponse]) -> HttpResponse:
    now = timezone.now()
    with transaction.atomic():
        IdempotentRequest.objects.filter(scope=scope, key=key, expires_at__lte=now).delete()
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(
                    scope=scope, key=key, fingerprint=fingerprint, status=0,
                    content_type="", body=b"", created_at=now,
                    expires_at=now + timedelta(hours=settings.HCP_IDEMPOTENCY_HOURS))
        except IntegrityError:
            first = IdempotentRequest.objects.get(scope=scope, key=key)
            if first.fingerprint != fingerprint:
                return _error(ValidationError(
                    "idempotency.key_reused", "该幂等键已用于另一请求，请换一个键", HEADER))
            return _replay(first)
        response = handler()
        if response.status_code >= 500 or response.status_code in NOT_KEPT \
                or response.streaming:
            raise _Discard(response)
        IdempotentRequest.objects.filter(pk=row.pk).update(
            status=response.status_code, content_type=response.get("Content-Type", ""),
            body=response.content)
        return response
