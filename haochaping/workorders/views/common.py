"""Helpers shared by the work-order screens: the acting user, refusals rendered as a
Chinese page or htmx partial with the stable code, and display labels."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.catalog.models import BadReason, ContentItem
from haochaping.core.bounds import is_key, parse_day, parse_moment
from haochaping.core.errors import AppError, PermissionDenied, ValidationError
from haochaping.core.htmx import htmx
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.rules import CLOCK_LABELS, TRANSITIONS, Clock

EVENT_LABELS: dict[str, str] = {"open": "派单（谁办理谁负责）",
                                **{a.value: t.label for a, t in TRANSITIONS.items()}}


def reader(request: HttpRequest) -> Actor:
    """The acting user, refused (403) unless their role may read work orders at all:
    window staff and applicants never reach a work-order page."""
    actor = actor_for_user(request.user)
    if actor.is_client or not actor.allows(access.WORK_ORDER, access.READ):
        raise PermissionDenied("forbidden.role", "当前角色无权查看差评工单")
    return actor


def refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    """A refusal as a Chinese page, or the error partial for htmx, with the stable code."""
    name = "workorders/partials/error.html" if htmx(request) else "workorders/error.html"
    return render(request, name, {"error": exc}, status=exc.status)


def clocks_of(order: WorkOrder) -> list[dict[str, Any]]:
    """The order's running deadlines, one row per clock (stored on the order)."""
    return [{"clock": clock.value, "label": CLOCK_LABELS[clock],
             "due": getattr(order, clock.field)} for clock in Clock
            if getattr(order, clock.field) is not None]


def code_labels(order: WorkOrder) -> dict[str, list[str]]:
    """The rated content items and bad reasons as the standard words them."""
    evaluation = order.evaluation
    if evaluation is None:
        return {"content": [], "reasons": []}
    content = dict(ContentItem.objects.filter(version=evaluation.standard_version_id,
                                              code__in=evaluation.content_codes)
                   .values_list("code", "text"))
    reasons = dict(BadReason.objects.filter(version=evaluation.standard_version_id,
                                            code__in=evaluation.reason_codes)
                   .values_list("code", "text"))
    return {"content": [content.get(c, c) for c in evaluation.content_codes],
            "reasons": [reasons.get(c, c) for c in evaluation.reason_codes]}


def flag(post: QueryDict, key: str, label: str) -> bool:
    value = post.get(key)
    if value not in ("1", "0"):
        raise ValidationError("workorder.invalid_flag", f"请选择“{label}”", key)
    return value == "1"


def day(post: QueryDict, key: str) -> date:
    value = parse_day(post.get(key), key, code="workorder.invalid_date")
    if value is None:
        raise ValidationError("workorder.invalid_date", "日期格式无效", key)
    return value


def moment(post: QueryDict, key: str) -> datetime | None:
    """A datetime-local input in the server's zone; empty means now."""
    value = parse_moment(post.get(key), key, code="workorder.invalid_called_at")
    if value is None:
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def number(post: QueryDict, key: str) -> int | None:
    raw = post.get(key, "")
    return int(raw) if is_key(raw) else None
