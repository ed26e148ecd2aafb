"""Channel 2: the static QR per window (seed 002: 扫码实名认证后可自动匹配办理事项).

Poster ``/q/w/<code>`` → scan → ``start`` (phone number; an SMS code goes out through
the outbox) → ``verify`` (the code; a signed, 15-minute cookie then holds only the phone's
blind index, scoped to this window's path) → ``list`` of the rater's rateable handlings at
this window in the last 30 days (masked) → ``h/<id>`` rates one with channel ``qr_code``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haochaping.catalog.models import Window
from haochaping.catalog.rules.standards import Channel
from haochaping.core.errors import AppError
from haochaping.core.htmx import htmx
from haochaping.evaluations.public import (
    CODE_TTL,
    PublicError,
    active_window,
    phone_challenge_send,
    phone_challenge_verify,
    phone_resend_wait,
    window_handling,
    window_history,
)
from haochaping.evaluations.qr import qr_response_body, window_url
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.staff_guard import staff_own_org_refusal
from haochaping.evaluations.throttle import throttle
from haochaping.evaluations.views.common import client_ip, error_page, page, user_agent
from haochaping.evaluations.views.invite import rate_form

SESSION_COOKIE = "hcp_qr"
SESSION_SECONDS = 15 * 60


def _salt(window: Window) -> str:
    return f"hcp.qr.window.{window.pk}"


def _phone_index(request: HttpRequest, window: Window) -> str | None:
    value = request.get_signed_cookie(SESSION_COOKIE, default=None, salt=_salt(window),
                                      max_age=SESSION_SECONDS)
    return str(value) if value else None


def _cookie_path(window: Window) -> str:
    return reverse("evaluations:window_poster", args=[window.code]) + "/"


def _session_expired() -> PublicError:
    return PublicError("phone.session_expired", "手机号验证已失效，请重新验证", 401)


@require_GET
def window_poster(request: HttpRequest, code: str) -> HttpResponse:
    """A printable poster with the window's static QR."""
    try:
        window = active_window(code)
    except AppError as exc:
        return error_page(request, exc)
    return page(request, "evaluations/window_poster.html",
                {"window": window, "url": window_url(window.code)})


@require_GET
def window_qr(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    try:
        window = active_window(code)
    except AppError as exc:
        return error_page(request, exc)
    body, content_type = qr_response_body(window_url(window.code), fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _phone_form(request: HttpRequest, window: Window, *, step: str, phone: str = "",
                error: AppError | None = None) -> HttpResponse:
    context: dict[str, Any] = {"window": window, "step": step, "phone": phone,
                               "error": error, "minutes": int(CODE_TTL.total_seconds() // 60),
                               # the resend button's countdown (seconds), not a refusal
                               "wait": phone_resend_wait(phone) if step == "code" else 0}
    return page(request, "evaluations/window_phone.html", context,
                partial="evaluations/partials/window_phone.html",
                status=error.status if error else 200)


@require_http_methods(["GET", "POST"])
def window_start(request: HttpRequest, code: str) -> HttpResponse:
    """Ask for the phone number; POST sends the code and asks for it."""
    try:
        window = active_window(code)
    except AppError as exc:
        return error_page(request, exc)
    if request.method == "GET":
        if _phone_index(request, window):
            return HttpResponseRedirect(reverse("evaluations:window_list", args=[code]))
        return _phone_form(request, window, step="phone")
    phone = request.POST.get("phone", "").strip()
    try:
        phone_challenge_send(phone=phone, window=window, ip=client_ip(request))
    except AppError as exc:
        if exc.code == "phone.too_many_sends" and phone_resend_wait(phone):
            # too soon: the code sent a moment ago still works; ask for it, the resend
            # button counting down, rather than a refusal
            return _phone_form(request, window, step="code", phone=phone)
        return _phone_form(request, window, step="phone", phone=phone, error=exc)
    return _phone_form(request, window, step="code", phone=phone)


@require_POST
def window_verify(request: HttpRequest, code: str) -> HttpResponse:
    try:
        window = active_window(code)
    except AppError as exc:
        return error_page(request, exc)
    phone = request.POST.get("phone", "").strip()
    try:
        throttle("ip", client_ip(request) or "-")
        phone_index = phone_challenge_verify(phone=phone, code=request.POST.get("code", ""),
                                             window=window)
    except AppError as exc:
        return _phone_form(request, window, step="code", phone=phone, error=exc)
    response = _go(request, reverse("evaluations:window_list", args=[code]))
    response.set_signed_cookie(SESSION_COOKIE, phone_index, salt=_salt(window),
                               max_age=SESSION_SECONDS, path=_cookie_path(window),
                               httponly=True, samesite="Lax")
    return response


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect; for htmx a full navigation (``HX-Redirect``): a redirect followed by
    htmx would swap the whole next page, header and all, into this page's card."""
    if htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


@require_GET
def window_list(request: HttpRequest, code: str) -> HttpResponse:
    try:
        window = active_window(code)
        phone_index = _phone_index(request, window)
        if phone_index is None:
            raise _session_expired()
    except AppError as exc:
        return error_page(request, exc)
    rows = window_history(phone_index=phone_index, window=window)
    return page(request, "evaluations/window_list.html",
                {"window": window, "rows": rows,
                 "open_count": sum(1 for _h, rateable in rows if rateable)})


@require_http_methods(["GET", "POST"])
def window_rate(request: HttpRequest, code: str, handling_id: int) -> HttpResponse:
    try:
        window = active_window(code)
        phone_index = _phone_index(request, window)
        if phone_index is None:
            raise _session_expired()
        handling = window_handling(phone_index=phone_index, window=window,
                                   handling_id=handling_id)
        staff = staff_own_org_refusal(request, [handling], channel=Channel.QR_CODE.value)
        if staff is not None:
            raise staff
    except AppError as exc:
        return error_page(request, exc)

    def submit(rating: Any) -> Any:
        return evaluation_submit(handling=handling, rating=rating, channel=Channel.QR_CODE,
                          ip=client_ip(request), user_agent=user_agent(request))

    back = reverse("evaluations:window_list", args=[code])
    return rate_form(request, subjects=[handling], action=request.path, submit=submit,
                     title="扫码评价", extra={"back_url": back, "window": window})
