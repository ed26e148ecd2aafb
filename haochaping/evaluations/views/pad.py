"""Channel 3: the evaluator pad (评价器) and self-service kiosk at a window.

Provisioning: ``/pad/?key=<device key>`` checks the key once, stores a signed HttpOnly
cookie naming the device, its window and kind, and redirects to ``/pad/`` so the key does
not stay in the address bar or history.

Idle waiting is the hot path (1,000 pads polling every 1.5 s): ``/pad/state?v=<version>``
reads the cookie (signature only), the device check (cached for a minute) and the window's
counter ``pad:window:<id>`` in the cache, and answers 204 without touching the database
while the counter is unchanged. Only a changed counter costs queries.

With ``HCP_PAD_WAIT_URL`` set, idle pads long-poll the separate ``haochaping padwait``
service instead (``evaluations/padwait.py``); the version is then ``pad_wait_versions``'s
(read from the handlings, one query) and ``/pad/state`` is asked only when it moved, plus
a heartbeat every few minutes that keeps the device check and ``last_seen_at`` here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from haochaping.catalog.rules.standards import Channel
from haochaping.core import idempotency
from haochaping.core.bounds import is_key
from haochaping.core.errors import AppError
from haochaping.core.htmx import htmx
from haochaping.evaluations.followup import followup_context
from haochaping.evaluations.public import (
    PAD_COOKIE,
    PAD_SALT,
    PadClaim,
    PublicError,
    device_alive,
    device_authenticate,
    device_refused,
    pad_device,
    pad_pending,
    pad_presented,
    pad_version,
    pad_wait_versions,
    staff_on_duty,
)
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.throttle import throttle
from haochaping.evaluations.views.common import (
    chosen_of,
    client_ip,
    error_page,
    form_context,
    rating_from_post,
    user_agent,
)
from haochaping.handlings.models import Handling

PAD_COOKIE_AGE = 365 * 24 * 3600
RATING_TIMEOUT_SECONDS = 60
POLL_MILLISECONDS = 1500
HEARTBEAT_SECONDS = 300  # long-poll mode: how often an idle pad still asks /pad/state
INVITE_SPEECH = "请您对本次服务进行评价"  # seed 000: 语音提醒
REFUSED_SECONDS = 5  # a refused rating's message stays this long, then the pad idles


def _unbound() -> PublicError:
    return PublicError("device.unbound", "本设备尚未绑定窗口，请使用管理员提供的设备链接", 401)


def _claim(request: HttpRequest) -> PadClaim:
    value = request.get_signed_cookie(PAD_COOKIE, default=None, salt=PAD_SALT)
    claim = PadClaim.loads(str(value)) if value else None
    if claim is None:
        raise _unbound()
    if not device_alive(claim):
        raise device_refused()
    return claim


def _version(window_id: int) -> str:
    """The version the pad compares: the cache counter when pads short-poll, the
    handlings-derived one that ``padwait`` watches when they long-poll."""
    if settings.HCP_PAD_WAIT_URL:
        return pad_wait_versions([window_id])[window_id]
    return str(pad_version(window_id))


def _idle_context(claim: PadClaim, version: str | None = None) -> dict[str, Any]:
    device = pad_device(claim)
    return {"device": device, "window": device.window,
            "staff": staff_on_duty(claim.window_id),
            "version": _version(claim.window_id) if version is None else version,
            "poll_ms": POLL_MILLISECONDS, "wait_url": settings.HCP_PAD_WAIT_URL,
            "heartbeat": HEARTBEAT_SECONDS}


def _idle(request: HttpRequest, claim: PadClaim, version: str | None = None) -> HttpResponse:
    return render(request, "evaluations/partials/pad_idle.html", _idle_context(claim, version))


def _rating(request: HttpRequest, claim: PadClaim, handling: Handling, version: str,
            error: AppError | None = None) -> HttpResponse:
    context: dict[str, Any] = {"handling": handling, "staff": handling.staff,
                               "version": version, "speech": INVITE_SPEECH,
                               "timeout": RATING_TIMEOUT_SECONDS, "error": error,
                               "chosen": chosen_of(request.POST if error else None),
                               **form_context(handling)}
    return render(request, "evaluations/partials/pad_rating.html", context,
                  status=error.status if error else 200)


@require_GET
def pad_home(request: HttpRequest) -> HttpResponse:
    raw_key = request.GET.get("key")
    if raw_key is not None:
        try:
            claim = device_authenticate(raw_key)
        except AppError as exc:
            return error_page(request, exc)
        response = HttpResponseRedirect(reverse("evaluations:pad"))
        response.set_signed_cookie(PAD_COOKIE, claim.dumps(), salt=PAD_SALT,
                                   max_age=PAD_COOKIE_AGE, httponly=True, samesite="Lax",
                                   secure=settings.SESSION_COOKIE_SECURE)
        return response
    try:
        claim = _claim(request)
    except AppError as exc:
        return error_page(request, exc)
    return render(request, "evaluations/pad.html", _idle_context(claim))


@require_GET
def pad_state(request: HttpRequest) -> HttpResponse:
    """204 while the window's counter equals ``v``; otherwise the screen to show."""
    try:
        claim = _claim(request)
    except AppError as exc:
        return error_page(request, exc)
    version = _version(claim.window_id)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    handling = pad_pending(claim.window_id)
    if handling is None:
        return _idle(request, claim, version)
    return _rating(request, claim, handling, version)


@require_GET
def pad_idle(request: HttpRequest) -> HttpResponse:
    """Back to the idle screen (after thanks or the 60-second timeout)."""
    try:
        claim = _claim(request)
    except AppError as exc:
        return error_page(request, exc)
    return _idle(request, claim)


def _refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    """A refused rating on the pad: the message, then back to idle (htmx), so the pad is
    never left on an error; without htmx the plain error page."""
    if not htmx(request):
        return error_page(request, exc)
    return render(request, "evaluations/partials/pad_refused.html",
                  {"error": exc, "seconds": REFUSED_SECONDS}, status=exc.status)


@require_POST
def pad_rate(request: HttpRequest) -> HttpResponse:
    """Rate the handling the pad presents (``pad_presented``), counted per device. The
    pad's script keeps a rating it could not send (localStorage) and sends it again with
    the same ``Idempotency-Key``: a retry of a rating that did land replays its answer
    (core.idempotency, scoped to the device) instead of a refusal."""
    try:
        claim = _claim(request)
    except AppError as exc:
        return error_page(request, exc)
    key = request.headers.get(idempotency.HEADER)
    if key is None:
        return _pad_rate(request, claim)
    return idempotency.replayable(request, f"device:{claim.device_id}", key,
                                  lambda: _pad_rate(request, claim))


def _pad_rate(request: HttpRequest, claim: PadClaim) -> HttpResponse:
    try:
        throttle("device", claim.device_id)
        handling_id = request.POST.get("handling", "")
        if not is_key(handling_id):
            raise PublicError("handling.not_found", "该办件不属于本窗口", 404)
        handling = pad_presented(claim.window_id, int(handling_id))
    except AppError as exc:
        return _refused(request, exc)
    version = _version(claim.window_id)
    try:
        context = form_context(handling)
        rating = rating_from_post(request.POST, context["form"], context["indicators"])
        evaluation = evaluation_submit(handling=handling, rating=rating,
                          channel=Channel.KIOSK if claim.kind == "kiosk" else Channel.EVALUATOR,
                          device=pad_device(claim), ip=client_ip(request),
                          user_agent=user_agent(request))
    except AppError as exc:
        if exc.status == 422:
            return _rating(request, claim, handling, version, error=exc)
        return _refused(request, exc)
    if not htmx(request):
        return HttpResponseRedirect(reverse("evaluations:pad"))
    # The closing words fit the rating: a 差评 is told its reference and deadline.
    return render(request, "evaluations/partials/pad_thanks.html",
                  {"version": version, **followup_context(evaluation)})
