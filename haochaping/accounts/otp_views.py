"""Second factor (TOTP, django-otp) and the forced password change (issue 17).

``/accounts/otp/`` asks a user with a confirmed device for the six-digit code;
``/accounts/otp/setup/`` enrols a device (QR code for any authenticator app, confirmed by
a first code); ``/accounts/password/`` changes an expired password. Each is audited.
django-otp throttles wrong codes per device (growing delays), so a stolen password plus
guessing does not pass.
"""

from __future__ import annotations

import base64
from typing import cast

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from haochaping.accounts.hooks import record as audit_record
from haochaping.accounts.models import User

ISSUER = "政务服务好差评"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required: never anonymous here


def _code(request: HttpRequest) -> str:
    return "".join((request.POST.get("code") or "").split())[:8]


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return HttpResponseRedirect(f"/accounts/otp/setup/?next={_next(request)}")
    error = ""
    if request.method == "POST":
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(_code(request)):
            otp_login(request, device)
            audit_record(action="accounts.otp_verified", actor=_me(request), obj=_me(request))
            return HttpResponseRedirect(_next(request))
        error = "动态口令错误或已过期，请稍候重新输入" if allowed else "错误次数过多，请稍后再试"
        audit_record(action="accounts.otp_failed", actor=_me(request), obj=_me(request))
    return render(request, "accounts/otp_verify.html",
                  {"error": error, "next": _next(request)}, status=400 if error else 200)


def _qr_data_uri(uri: str) -> str:
    svg = segno.make(uri, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return HttpResponseRedirect(f"/accounts/otp/?next={_next(request)}")
    device, _ = TOTPDevice.objects.get_or_create(user=request.user, confirmed=False,
                                                 defaults={"name": "动态口令"})
    error = ""
    if request.method == "POST":
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(_code(request)):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record(action="accounts.otp_enrolled", actor=_me(request), obj=_me(request))
            messages.success(request, "动态口令已启用，今后登录需输入手机上的6位动态口令。")
            return HttpResponseRedirect(_next(request))
        error = ("动态口令不正确，请核对手机时间后重新输入" if allowed
                 else "错误次数过多，请稍候几秒再试")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    uri = device.config_url.replace("otpauth://totp/", f"otpauth://totp/{ISSUER}:", 1)
    return render(request, "accounts/otp_setup.html",
                  {"error": error, "next": _next(request), "secret": secret,
                   "qr": _qr_data_uri(uri)}, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        audit_record(action="accounts.password_changed", actor=user, obj=user)
        messages.success(request, "密码已修改。")
        return HttpResponseRedirect(_next(request))
    return render(request, "accounts/password_change.html",
                  {"form": form, "next": _next(request)},
                  status=400 if form.errors else 200)
