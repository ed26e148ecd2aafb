"""抽查回访 screen (seed 004 §6(三)): draw a period's closed items at a rate, then record
each call. The office only; the services check and audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor
from haochaping.complaints.models import SpotCheck
from haochaping.complaints.office.common import reader, refused, yes_no
from haochaping.complaints.rules.sampling import DEFAULT_RATE
from haochaping.complaints.selectors import visible_submissions
from haochaping.complaints.services.spotcheck import spotcheck_draw, spotcheck_record
from haochaping.core.bounds import parse_day, parse_int, parse_moment
from haochaping.core.errors import AppError, PermissionDenied, ValidationError
from haochaping.core.htmx import htmx

SHOWN = 100


def _office(request: HttpRequest) -> Actor:
    actor = reader(request)
    if not actor.allows(access.COMPLAINT, access.WRITE):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以抽查回访")
    return actor


def _context(actor: Actor, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    checks = (SpotCheck.objects.filter(submission__in=visible_submissions(actor))
              .select_related("submission", "submission__submitter",
                              "submission__order__org")
              .order_by("called_at", "-drawn_at", "pk")[:SHOWN])
    context = {"checks": checks, "default_rate": DEFAULT_RATE,
               "start": (today.replace(day=1) - timedelta(days=1)).replace(day=1),
               "end": today.replace(day=1) - timedelta(days=1)}
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest) -> HttpResponse:
    try:
        actor = _office(request)
    except AppError as exc:
        return refused(request, exc)
    drawn, error = None, None
    if request.method == "POST":
        post = request.POST
        try:
            start = parse_day(post.get("start"), "start", code="complaint.draw_period")
            end = parse_day(post.get("end"), "end", code="complaint.draw_period")
            if start is None or end is None:
                raise ValidationError("complaint.draw_period", "请选择抽查期间", "start")
            rate = parse_int(post.get("rate"), "rate", low=1, high=100,
                             code="complaint.draw_rate") or DEFAULT_RATE
            drawn = spotcheck_draw(actor=actor, start=start, end=end, rate_percent=rate,
                                   seed=post.get("seed", ""), now=timezone.now())
        except AppError as exc:
            error = exc
    context = _context(actor, drawn=drawn, error=error)
    status = error.status if error else 200
    name = ("complaints/office/partials/spotchecks_body.html" if htmx(request)
            else "complaints/office/spotchecks.html")
    return render(request, name, context, status=status)


@login_required
@require_POST
def record(request: HttpRequest, pk: int) -> HttpResponse:
    error = None
    try:
        actor = _office(request)
    except AppError as exc:
        return refused(request, exc)
    try:
        post = request.POST
        reached = yes_no(post, "reached", "是否联系上")
        called = parse_moment(post.get("called_at"), "called_at",
                              code="complaint.spotcheck_time")
        if called is not None and timezone.is_naive(called):
            called = timezone.make_aware(called)
        spotcheck_record(actor=actor, check_id=pk, reached=bool(reached),
                         satisfied=yes_no(post, "satisfied", "是否满意", required=False),
                         note=post.get("note", ""), now=timezone.now(), called_at=called)
    except AppError as exc:
        error = exc
    context = _context(actor, error=error, recorded=None if error else pk)
    name = ("complaints/office/partials/spotchecks_body.html" if htmx(request)
            else "complaints/office/spotchecks.html")
    return render(request, name, context, status=error.status if error else 200)
