"""The tracking page ``/tousu/track/``: reference number + phone + SMS code → the item.

A wrong code, a wrong phone and an unknown number all end without revealing anything
(the code is checked first; then only the item filed with that phone is found). Once
verified, a signed 30-minute cookie scoped to ``/tousu/track/`` holds the phone's blind
index. The page shows the public timeline, the refusal's reason and where to go, the
published answer, lets the submitter rate that answer once, and lists who accessed their
personal data (谁查看了我的信息, vault.selectors).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haochaping.complaints.models import Submission
from haochaping.complaints.public.common import (
    page_or_error,
    render_page,
    set_track_cookie,
    tracked_phone,
)
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.selectors_public import (
    handling_org_name,
    limits_for,
    public_timeline,
    published_answer,
    refusal,
    tracked_item,
)
from haochaping.complaints.services.feedback import submission_rate_answer
from haochaping.core.errors import AppError, ValidationError
from haochaping.evaluations.public import (
    CODE_TTL,
    phone_challenge_send,
    phone_challenge_verify,
)
from haochaping.evaluations.throttle import throttle
from haochaping.evaluations.views.common import client_ip
from haochaping.vault.selectors import accesses_of_rater

PAGE = "complaints/public/track.html"
PARTIAL = "complaints/public/partials/track.html"


def _ref(value: str) -> str:
    ref = (value or "").strip().upper()
    if not ref or len(ref) > 20 or not ref.isalnum():
        raise ValidationError("complaint.invalid_ref", "请输入正确的受理编号", "ref")
    return ref


def _step(request: HttpRequest, step: str, *, ref: str = "", phone: str = "",
          error: AppError | None = None) -> HttpResponse:
    context = {"step": step, "ref": ref, "phone": phone, "error": error,
               "minutes": int(CODE_TTL.total_seconds() // 60)}
    return render_page(request, PAGE, context, partial=PARTIAL,
                       status=error.status if error else 200)


@require_GET
def track_start(request: HttpRequest) -> HttpResponse:
    ref = request.GET.get("ref", "").strip().upper()[:20]
    return _step(request, "phone", ref=ref)


@require_POST
def track_code(request: HttpRequest) -> HttpResponse:
    post = request.POST
    ref, phone = post.get("ref", "").strip().upper()[:20], post.get("phone", "").strip()
    try:
        _ref(ref)
        phone_challenge_send(phone=phone, window=None, ip=client_ip(request))
    except AppError as exc:
        step = "code" if exc.code == "phone.too_many_sends" and post.get("resend") else "phone"
        return _step(request, step, ref=ref, phone=phone, error=exc)
    return _step(request, "code", ref=ref, phone=phone)


@require_POST
def track_verify(request: HttpRequest) -> HttpResponse:
    post = request.POST
    ref, phone = post.get("ref", "").strip().upper()[:20], post.get("phone", "").strip()
    try:
        throttle("ip", client_ip(request) or "-")
        phone_index = phone_challenge_verify(phone=phone, code=post.get("code", ""),
                                             window=None)
    except AppError as exc:
        return _step(request, "code", ref=ref, phone=phone, error=exc)
    try:
        item = tracked_item(_ref(ref), phone_index)
    except AppError as exc:
        return _step(request, "phone", ref=ref, phone=phone, error=exc)
    target = reverse("complaints_public:track_item", args=[item.ref])
    response: HttpResponse = HttpResponseRedirect(target)
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
    set_track_cookie(response, phone_index)
    return response


def _item_context(item: Submission) -> dict[str, Any]:
    answer = published_answer(item)
    status = Status(item.status)
    return {"item": item, "status": status, "steps": public_timeline(item),
            "refusal": refusal(item), "answer": answer, "org_name": handling_org_name(item),
            "limits": limits_for(item),
            "can_rate": answer is not None and status is Status.ANSWERED,
            "levels": range(5, 0, -1),
            # 谁查看了我的信息: the verified phone is the submitter's own, so every access
            # to their data (org, role, purpose; never a staff member's name).
            "accesses": accesses_of_rater(item.submitter_id) if item.submitter_id else []}


def _tracked(request: HttpRequest, ref: str) -> Submission:
    phone_index = tracked_phone(request)
    if phone_index is None:
        raise ValidationError("phone.session_expired", "请先验证手机号后查看办理进度", "phone")
    return tracked_item(ref, phone_index)


def _to_start(ref: str) -> HttpResponse:
    return HttpResponseRedirect(f"{reverse('complaints_public:track')}?ref={ref}")


@require_GET
def track_item(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        throttle("ip", client_ip(request) or "-")
        item = _tracked(request, ref)
    except AppError as exc:
        if exc.code == "phone.session_expired":
            return _to_start(ref if ref.isalnum() else "")
        return page_or_error(request, exc)
    return render_page(request, "complaints/public/item.html", _item_context(item))


def _flag(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


def _level(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) == 1 else None


@require_http_methods(["POST"])
def track_rate(request: HttpRequest, ref: str) -> HttpResponse:
    """The submitter's verdict on the published answer."""
    try:
        throttle("ip", client_ip(request) or "-")
        item = _tracked(request, ref)
    except AppError as exc:
        if exc.code == "phone.session_expired":
            return _to_start(ref if ref.isalnum() else "")
        return page_or_error(request, exc)
    error, status = None, 200
    try:
        submission_rate_answer(item=item, resolved=_flag(request.POST.get("resolved")),
                               level=_level(request.POST.get("level")),
                               comment=request.POST.get("comment", ""))
    except AppError as exc:
        error, status = exc, exc.status
    context = {**_item_context(item), "rate_error": error, "rated": error is None}
    return render_page(request, "complaints/public/item.html", context, status=status)

