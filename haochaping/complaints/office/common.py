"""Helpers of the office screens: the acting user (``complaint`` read at least), refusals
as a Chinese page or htmx partial with the stable code, and form values."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.catalog.models import Org
from haochaping.core.bounds import is_key
from haochaping.core.errors import AppError, PermissionDenied, ValidationError
from haochaping.core.htmx import htmx

EVENT_LABELS = {
    "receive": "收到", "accept": "受理", "refuse": "不予受理", "merge": "合并",
    "office_accept": "人工受理", "office_refuse": "人工不予受理", "office_merge": "人工合并",
    "overturn": "撤销不予受理", "dispatch": "交办", "redispatch": "改派", "route": "自动分派",
    "answer": "答复", "close_reopened": "复核办结", "merged_in": "并入重复件",
    "follow_dispatch": "随主件交办", "follow_answer": "随主件答复", "spot_check": "抽查回访",
    "set_cause": "设定问题类别",
}


def reader(request: HttpRequest) -> Actor:
    actor = actor_for_user(request.user)
    if actor.is_client or not actor.allows(access.COMPLAINT, access.READ):
        raise PermissionDenied("forbidden.role", "当前角色无权查看咨询投诉建议")
    return actor


def refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    name = ("complaints/office/partials/error.html" if htmx(request)
            else "complaints/office/error.html")
    return render(request, name, {"error": exc}, status=exc.status)


def org_of(post: QueryDict, key: str = "org_id", *, required: bool = False) -> Org | None:
    raw = post.get(key, "")
    org = Org.objects.filter(pk=int(raw)).first() if is_key(raw) else None
    if org is None and (required or raw):
        raise ValidationError("complaint.invalid_org", "请选择承办部门", key)
    return org


def yes_no(post: QueryDict, key: str, label: str, *, required: bool = True) -> bool | None:
    value = post.get(key, "")
    if value in ("1", "0"):
        return value == "1"
    if required:
        raise ValidationError("complaint.invalid_flag", f"请选择“{label}”", key)
    return None
