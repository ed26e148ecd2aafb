"""API authentication: API keys for business systems and devices, sessions for people.

Use ``auth=api_auth`` on a Ninja operation or router, then ``actor_of(request)`` for the
:class:`~haochaping.accounts.scoping.Actor` and ``require_scope(request, "catalog:write")``
to guard an endpoint. Rejections are JSON with a stable code (see docs/security.md):

- no key and no session → 401 ``auth.missing_credentials``
- malformed key, unknown prefix or wrong secret → 401 ``auth.invalid_key``
- the previous key after its grace period → 401 ``auth.key_expired``
- a disabled client → 401 ``auth.client_inactive``
- over the client's per-minute limit → 429 ``rate_limited``
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import APIKeyHeader, SessionAuth

from haochaping.accounts import rules
from haochaping.accounts.models import ApiClient
from haochaping.accounts.scoping import Actor, actor_for_client, actor_for_user
from haochaping.core import ratelimit
from haochaping.core.errors import PermissionDenied, RateLimited
from haochaping.core.memo import Memo

# last_used_at is informational; writing it at most once a minute keeps a busy client
# from turning every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiAuthError(AuthenticationError):
    """A 401 carrying a stable code and a Chinese message (mapped in haochaping.api)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(status_code=401, message=message)
        self.code = code
        self.zh_message = message


def missing_credentials() -> ApiAuthError:
    return ApiAuthError("auth.missing_credentials", "缺少身份凭证：请提供 API 密钥或先登录")


def _invalid_key() -> ApiAuthError:
    return ApiAuthError("auth.invalid_key", "API 密钥无效")


def _check_rate(client: ApiClient) -> None:
    """Fixed one-minute window per client (``core.ratelimit``)."""
    if ratelimit.over_limit(f"client:{client.pk}", client.rate_limit_per_minute,
                            rules.RATE_WINDOW_SECONDS):
        raise RateLimited("rate_limited",
                          f"请求过于频繁：每分钟最多 {client.rate_limit_per_minute} 次，请稍后再试")


# Clients by the SHA-256 of a key that matched, with whether it was the previous key.
# Cleared in this process when any client is saved (signals); see core.memo for others.
_clients: Memo[tuple[ApiClient, bool]] = Memo("api_clients")


def forget_clients() -> None:
    _clients.clear()


def _lookup(raw: str, prefix: str) -> tuple[ApiClient, bool]:
    client = (ApiClient.objects.select_related("org")
              .filter(Q(key_prefix=prefix) | Q(previous_key_prefix=prefix)).first())
    if client is None:
        raise _invalid_key()
    if client.key_prefix == prefix:
        if not rules.key_matches(raw, client.key_hash):
            raise _invalid_key()
        return client, False
    if not rules.key_matches(raw, client.previous_key_hash):
        raise _invalid_key()
    return client, True


def authenticate_key(raw: str) -> ApiClient:
    """The active client holding ``raw`` (current key, or previous key within its grace);
    raises ApiAuthError otherwise. Writes nothing. A matched client is kept per process
    (core.memo): deactivation and rotation reach every worker within
    ``HCP_LOCAL_CACHE_SECONDS``, the grace period's end is checked on every request."""
    parsed = rules.parse_key(raw)
    if parsed is None:
        raise _invalid_key()
    prefix, _ = parsed
    client, by_previous = _clients.get_or_load(rules.hash_key(raw), lambda: _lookup(raw, prefix))
    if by_previous:
        valid_until = client.previous_valid_until
        if valid_until is None or valid_until <= timezone.now():
            raise ApiAuthError("auth.key_expired", "该 API 密钥已轮换且宽限期已过，请使用新密钥")
    if not client.is_active:
        raise ApiAuthError("auth.client_inactive", "该接口客户端已停用")
    return client


def _touch(client: ApiClient) -> None:
    now = timezone.now()
    if client.last_used_at is None or client.last_used_at <= now - LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now  # the memo's copy: no second write within the minute


class ApiKeyAuth(APIKeyHeader):
    """``Authorization: Bearer <key>`` or ``X-Api-Key: <key>``. Returns None when neither
    header is present so the session auth after it gets its turn."""

    param_name = "X-Api-Key"

    def _get_key(self, request: HttpRequest) -> str | None:
        authorization = request.headers.get("Authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
        return request.headers.get(self.param_name) or None

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiClient | None:
        if not key:
            return None
        client = authenticate_key(key)
        _check_rate(client)
        _touch(client)
        return client


class SessionOrFail(SessionAuth):
    """Django's session auth (as ``ninja.security.django_auth``), last in the chain: it
    checks CSRF only when a session cookie was sent (no cookie, nothing to forge) and
    answers ``auth.missing_credentials`` instead of a bare 401."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            raise missing_credentials()
        return user


api_key_auth = ApiKeyAuth()
session_auth = SessionOrFail()
api_auth: list[Any] = [api_key_auth, session_auth]


def actor_of(request: HttpRequest) -> Actor:
    """The actor behind an authenticated API request (``request.auth``)."""
    principal = getattr(request, "auth", None)
    if isinstance(principal, ApiClient):
        return actor_for_client(principal)
    if principal is not None and getattr(principal, "is_authenticated", False):
        return actor_for_user(principal)
    raise missing_credentials()


def require_scope(request: HttpRequest, scope: str) -> Actor:
    """The request's actor, if it holds ``scope`` (a client scope such as "catalog:write"
    or "device"; for a user, the role permission named ``resource:action``)."""
    actor = actor_of(request)
    if not actor.has_scope(scope):
        raise PermissionDenied("forbidden.scope", f"当前凭证没有“{scope}”权限")
    return actor
