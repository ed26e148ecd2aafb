"""What a signed-in staff session must satisfy on every request (issue 17): the absolute
session limit (beside the idle one, ``SESSION_COOKIE_AGE``), the second factor for the
roles and users the policy names, and a password younger than the policy's maximum age.

A page request that fails a rule is redirected (sign-in, the TOTP page, the password
change page, each with ``next``); an API request gets 401 with a stable code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils import timezone

from haochaping.accounts.authpolicy import (
    AuthPolicy,
    needs_otp,
    password_expired,
    session_expired,
)

SIGNED_IN_AT = "hcp_signed_in_at"
OTP_URL = "/accounts/otp/"
OTP_SETUP_URL = "/accounts/otp/setup/"
PASSWORD_URL = "/accounts/password/"
# Always reachable by a signed-in user who still owes a step.
OPEN_PATHS = ("/accounts/", "/static/", "/healthz")


def auth_policy() -> AuthPolicy:
    return AuthPolicy(
        otp_roles=frozenset(settings.HCP_OTP_REQUIRED_ROLES),
        session_absolute_seconds=settings.HCP_SESSION_ABSOLUTE_SECONDS,
        password_history=settings.HCP_PASSWORD_HISTORY,
        password_max_age_days=settings.HCP_PASSWORD_MAX_AGE_DAYS,
        dormant_days=settings.HCP_DORMANT_DAYS,
    )


def mark_signed_in(request: HttpRequest) -> None:
    request.session[SIGNED_IN_AT] = timezone.now().isoformat()


def signed_in_at(request: HttpRequest) -> datetime | None:
    value = request.session.get(SIGNED_IN_AT)
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def has_otp_device(user: object) -> bool:
    from django_otp import user_has_device

    return bool(user_has_device(user, confirmed=True))


def _refuse(request: HttpRequest, url: str, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message, "field": None}, status=401)
    return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")


class StaffSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        policy, now = auth_policy(), timezone.now()
        if session_expired(policy, signed_in_at(request), now):
            logout(request)
            return _refuse(request, settings.LOGIN_URL, "auth.session_expired",
                           "登录已超过最长时限，请重新登录")
        if request.path.startswith(OPEN_PATHS):
            return self.get_response(request)
        device = has_otp_device(user)
        if needs_otp(policy, user.role, has_device=device) and not user.is_verified():
            return _refuse(request, OTP_URL if device else OTP_SETUP_URL, "auth.otp_required",
                           "请先完成动态口令验证")
        if password_expired(policy, user.password_changed_at or user.date_joined, now):
            return _refuse(request, PASSWORD_URL, "auth.password_expired",
                           "密码已过期，请先修改密码")
        return self.get_response(request)
