"""The public filing page ``/tousu/`` (no login) and the village-station QR (seed 004 §12).

Step 1 proves the phone (an SMS code through the outbox, ``evaluations.public``); the
verified phone's blind index is then carried by a signed, 30-minute proof in the form
(no cookie, nothing stored). Step 2 is the form: kind, subject (a small catalog search or
free text), content, attachments, name, reply channel, urgency; it files through
``public.filing.submission_file``. Everything works as plain HTML; htmx only swaps steps.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haochaping.catalog.models import Hall
from haochaping.complaints.public.common import (
    FILING_SALT,
    PROOF_SECONDS,
    page_or_error,
    render_page,
    set_track_cookie,
)
from haochaping.complaints.public.filing import PUBLIC_REPLY, Filing, submission_file
from haochaping.complaints.rules.causes import CAUSE_HINTS, Cause
from haochaping.complaints.rules.kinds import (
    KIND_LABELS,
    PUBLIC_KINDS,
    REPLY_CHANNEL_LABELS,
    URGENCY_LABELS,
    Channel,
    Urgency,
)
from haochaping.complaints.selectors_public import (
    active_hall,
    choice_of,
    limits_for,
    refusal,
    subject_of,
    subject_search,
)
from haochaping.complaints.services.attachments import MAX_BYTES, MAX_FILES, PUBLIC_TEXT
from haochaping.core.errors import AppError
from haochaping.evaluations.public import (
    CODE_TTL,
    PublicError,
    phone_challenge_send,
    phone_challenge_verify,
)
from haochaping.evaluations.qr import public_url, qr_response_body
from haochaping.evaluations.throttle import throttle
from haochaping.evaluations.views.common import client_ip

PAGE = "complaints/public/file.html"
PARTIAL = "complaints/public/partials/file.html"


def _hall(code: str) -> Hall | None:
    return active_hall(code) if code else None


def _choices() -> dict[str, Any]:
    return {"kinds": [(k.value, KIND_LABELS[k]) for k in PUBLIC_KINDS],
            "replies": [(r.value, REPLY_CHANNEL_LABELS[r]) for r in PUBLIC_REPLY],
            "urgencies": [(u.value, URGENCY_LABELS[u]) for u in Urgency],
            "causes": [(c.value, c.label, CAUSE_HINTS[c]) for c in Cause],
            "max_files": MAX_FILES, "max_mb": MAX_BYTES // (1024 * 1024),
            "file_types": PUBLIC_TEXT, "minutes": int(CODE_TTL.total_seconds() // 60)}


def _step(request: HttpRequest, step: str, hall: Hall | None, *, error: AppError | None = None,
          **extra: Any) -> HttpResponse:
    context = {"step": step, "hall": hall, "error": error, **_choices(), **extra}
    return render_page(request, PAGE, context, partial=PARTIAL,
                       status=error.status if error else 200)


@require_GET
def file_start(request: HttpRequest) -> HttpResponse:
    """Step 1: the phone number (``?hall=`` keeps a village station's QR)."""
    try:
        hall = _hall(request.GET.get("hall", ""))
    except AppError as exc:
        return page_or_error(request, exc)
    return _step(request, "phone", hall)


@require_GET
def village_start(request: HttpRequest, code: str) -> HttpResponse:
    """Where a village station's static QR leads: the same page, the station prefilled."""
    try:
        hall = active_hall(code)
    except AppError as exc:
        return page_or_error(request, exc)
    return _step(request, "phone", hall)


@require_POST
def file_code(request: HttpRequest) -> HttpResponse:
    phone = request.POST.get("phone", "").strip()
    try:
        hall = _hall(request.POST.get("hall", ""))
    except AppError as exc:
        return page_or_error(request, exc)
    try:
        phone_challenge_send(phone=phone, window=None, ip=client_ip(request))
    except AppError as exc:
        step = "code" if exc.code == "phone.too_many_sends" and request.POST.get("resend") \
            else "phone"
        return _step(request, step, hall, phone=phone, error=exc)
    return _step(request, "code", hall, phone=phone)


def _proof_of(phone_index: str) -> str:
    return signing.dumps(phone_index, salt=FILING_SALT)


def _proven(request: HttpRequest) -> str:
    try:
        return str(signing.loads(request.POST.get("proof", ""), salt=FILING_SALT,
                                 max_age=PROOF_SECONDS))
    except signing.BadSignature:  # also SignatureExpired
        raise PublicError("phone.session_expired", "手机号验证已失效，请重新验证", 401,
                          "phone") from None


@require_POST
def file_verify(request: HttpRequest) -> HttpResponse:
    phone = request.POST.get("phone", "").strip()
    try:
        hall = _hall(request.POST.get("hall", ""))
    except AppError as exc:
        return page_or_error(request, exc)
    try:
        throttle("ip", client_ip(request) or "-")
        phone_index = phone_challenge_verify(phone=phone, code=request.POST.get("code", ""),
                                             window=None)
    except AppError as exc:
        return _step(request, "code", hall, phone=phone, error=exc)
    return _step(request, "form", hall, phone=phone, proof=_proof_of(phone_index),
                 values={"kind": "complaint", "reply_channel": "sms", "urgency": "normal"})


def _filing(request: HttpRequest, hall: Hall | None) -> Filing:
    post = request.POST
    subject = subject_of(post.get("subject", ""), post.get("subject_text", ""), hall)
    return Filing(kind=post.get("kind", ""), content=post.get("content", ""),
                  name=post.get("name", ""), phone=post.get("phone", ""), subject=subject,
                  reply_channel=post.get("reply_channel", ""),
                  urgency=post.get("urgency", "normal"), cause=post.get("cause", ""))


@require_POST
def file_submit(request: HttpRequest) -> HttpResponse:
    """Step 2: file the item; the receipt shows the reference number and what comes next."""
    post = request.POST
    phone = post.get("phone", "").strip()
    try:
        hall = _hall(post.get("hall", ""))
    except AppError as exc:
        return page_or_error(request, exc)
    proof = post.get("proof", "")
    try:
        throttle("ip", client_ip(request) or "-")
        proven = _proven(request)
        item = submission_file(
            filing=_filing(request, hall), proven_phone_index=proven,
            channel=Channel.VILLAGE_QR if hall is not None else Channel.WEB,
            files=request.FILES.getlist("attachments"))
    except AppError as exc:
        if exc.code == "phone.session_expired":
            return _step(request, "phone", hall, phone=phone, error=exc)
        values = {k: post.get(k, "") for k in ("kind", "subject", "subject_text", "content",
                                               "name", "reply_channel", "urgency",
                                               "cause")}
        return _step(request, "form", hall, phone=phone, proof=proof, values=values,
                     error=exc, picked=choice_of(values["subject"]))
    response = render_page(request, "complaints/public/filed.html",
                           {"item": item, "limits": limits_for(item), "refusal": refusal(item),
                            "track_url": reverse("complaints_public:track_item",
                                                 args=[item.ref])})
    set_track_cookie(response, proven)
    return response


@require_GET
def subjects(request: HttpRequest) -> HttpResponse:
    """The small catalog search of the form (an htmx partial: radio choices)."""
    try:
        throttle("ip", client_ip(request) or "-")
    except AppError as exc:
        return page_or_error(request, exc)
    query = request.GET.get("subject_q", "")
    return render_page(request, "complaints/public/partials/subjects.html",
                       {"choices": subject_search(query), "query": query})


def village_url(code: str) -> str:
    return public_url(reverse("complaints_public:village", args=[code]))


@require_GET
def hall_poster(request: HttpRequest, code: str) -> HttpResponse:
    """A printable sheet with the station's static QR."""
    try:
        hall = active_hall(code)
    except AppError as exc:
        return page_or_error(request, exc)
    return render_page(request, "complaints/public/poster.html",
                       {"hall": hall, "url": village_url(hall.code)})


@require_http_methods(["GET", "HEAD"])
def hall_qr(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    try:
        hall = active_hall(code)
    except AppError as exc:
        return page_or_error(request, exc)
    body, content_type = qr_response_body(village_url(hall.code), fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
