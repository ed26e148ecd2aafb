"""第三方评估 screens (issue 15): the office's rounds (sheet, assignments, review,
publication) under ``/work/assessment/rounds/``; the assessor's own visits under
``/work/assessment/visits/`` (no other screen is theirs)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.assessment import rules, selectors, services_visits
from haochaping.assessment.models import Visit
from haochaping.assessment.rules import Kind, VisitState
from haochaping.assessment.views import office, refused
from haochaping.catalog.models import Window
from haochaping.core.bounds import parse_day
from haochaping.core.errors import AppError, PermissionDenied, ValidationError
from haochaping.core.localtime import SHANGHAI, local_day


def _id(raw: str | None) -> int | None:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


@login_required
@require_GET
def rounds(request: HttpRequest) -> HttpResponse:
    try:
        return _rounds(request, office(request))
    except AppError as exc:
        return refused(request, exc)


def _rounds(request: HttpRequest, actor: Actor, error: AppError | None = None,
            form: Any = None) -> HttpResponse:
    today = local_day(timezone.now())
    context = {"rounds": selectors.office_rounds(actor)[:50], "error": error,
               "kinds": [(k.value, k.label) for k in Kind],
               "form": form or {"title": f"{today.year}年第四季度政务服务暗访评估",
                                "start": (today - timedelta(days=30)).isoformat(),
                                "end": (today + timedelta(days=30)).isoformat(),
                                "items": rules.format_items(rules.DEFAULT_VISIT_ITEMS)}}
    return render(request, "assessment/rounds.html", context,
                  status=error.status if error else 200)


@login_required
@require_POST
def round_new(request: HttpRequest) -> HttpResponse:
    try:
        actor = office(request)
    except AppError as exc:
        return refused(request, exc)
    post = request.POST
    try:
        start = parse_day(post.get("start"), "start", code="assessment.period")
        end = parse_day(post.get("end"), "end", code="assessment.period")
        if start is None or end is None:
            raise ValidationError("assessment.period", "请填写评估期间", "start")
        items, refusal = rules.parse_items(post.get("items", ""))
        if refusal:
            raise ValidationError("assessment.items", refusal, "items")
        row = services_visits.assessment_create(
            actor=actor, title=post.get("title", ""), kind=post.get("kind", ""), start=start,
            end=end, items=items, now=timezone.now())
    except AppError as exc:
        return _rounds(request, actor, exc, post)
    messages.success(request, "评估已创建，请安排走访。")
    return redirect("assessment:round", row.pk)


def _round_page(request: HttpRequest, actor: Actor, pk: int,
                error: AppError | None = None) -> HttpResponse:
    row = selectors.office_round(actor, pk)
    visits = list(selectors.round_visits(row))
    context = {"round": row, "items": list(row.items.all()), "visits": visits, "error": error,
               "assessors": get_user_model().objects.filter(
                   role=Role.AUDITOR.value, is_active=True).select_related("org")
               .order_by("username") if row.published_at is None else [],
               "windows": Window.objects.filter(
                   org__path__startswith=actor.scope_path or "/nowhere/", is_active=True)
               .select_related("hall", "org").order_by("hall__name", "number")[:500]
               if row.published_at is None else [],
               "results": selectors.published_results(row)}
    return render(request, "assessment/round.html", context,
                  status=error.status if error else 200)


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        return _round_page(request, office(request), pk)
    except AppError as exc:
        return refused(request, exc)


def _on_round(request: HttpRequest, pk: int, act: Any, done: str) -> HttpResponse:
    try:
        actor = office(request)
        selectors.office_round(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    try:
        act(actor)
    except AppError as exc:
        return _round_page(request, actor, pk, exc)
    messages.success(request, done)
    return redirect("assessment:round", pk)


@login_required
@require_POST
def round_assign(request: HttpRequest, pk: int) -> HttpResponse:
    post = request.POST
    return _on_round(request, pk, lambda actor: services_visits.visit_assign(
        actor=actor, assessment_id=pk, assessor_id=_id(post.get("assessor")) or 0,
        window_id=_id(post.get("window"))), "已安排走访。")


@login_required
@require_POST
def round_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_round(request, pk, lambda actor: services_visits.assessment_publish(
        actor=actor, assessment_id=pk, summary=request.POST.get("summary", ""),
        now=timezone.now()), "评估结果已发布到公示专栏。")


@login_required
@require_POST
def visit_review(request: HttpRequest, pk: int) -> HttpResponse:
    visit = Visit.objects.filter(pk=pk).only("assessment_id").first()
    if visit is None:
        return refused(request, PermissionDenied("forbidden.scope", "走访记录不存在"))
    accept = request.POST.get("action") != "return"
    return _on_round(request, visit.assessment_id, lambda actor: services_visits.visit_review(
        actor=actor, visit_id=pk, accept=accept, reason=request.POST.get("reason", "")),
        "已审核通过。" if accept else "已退回评估人员补充。")


def assessor(request: HttpRequest) -> Actor:
    actor = actor_for_user(request.user)
    if not selectors.is_assessor(actor):
        raise PermissionDenied("forbidden.role", "只有第三方评估人员可以进入此页面")
    return actor


@login_required
@require_GET
def visits(request: HttpRequest) -> HttpResponse:
    try:
        actor = assessor(request)
    except AppError as exc:
        return refused(request, exc)
    return render(request, "assessment/visits.html", {"visits": selectors.own_visits(actor)})


def _visit_page(request: HttpRequest, actor: Actor, pk: int,
                error: AppError | None = None) -> HttpResponse:
    visit = selectors.own_visit(actor, pk)
    state = VisitState(visit.state)
    scores = {s.item_id: s.score for s in visit.scores.all()}
    items = [(i, request.POST.get(f"score_{i.pk}", "") if error else scores.get(i.pk, ""))
             for i in visit.assessment.items.all()]
    context = {"visit": visit, "items": items, "error": error, "state_label": state.label,
               "open": state in rules.RECORDABLE and visit.assessment.published_at is None,
               "posted": request.POST if error else {}}
    return render(request, "assessment/visit.html", context,
                  status=error.status if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = assessor(request)
        selectors.own_visit(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    if request.method == "GET":
        return _visit_page(request, actor, pk)
    post = request.POST
    try:
        when = _moment(post.get("visited_at"))
        row = selectors.own_visit(actor, pk)
        scores = {i.pk: post.get(f"score_{i.pk}", "") for i in row.assessment.items.all()}
        services_visits.visit_record(actor=actor, visit_id=pk, visited_at=when, scores=scores,
                                     remarks=post.get("remarks", ""), now=timezone.now())
    except AppError as exc:
        return _visit_page(request, actor, pk, exc)
    messages.success(request, "走访记录已提交，等待管理机构审核。")
    return redirect("assessment:visits")


def _moment(raw: str | None) -> datetime:
    """``YYYY-MM-DDTHH:MM`` of a datetime-local input, in local time."""
    text = (raw or "").strip()
    try:
        day = parse_day(text[:10], "visited_at", code="assessment.visited_at")
        hour, minute = int(text[11:13]), int(text[14:16])
        if day is None or len(text) != 16 or text[10] != "T" or text[13] != ":":
            raise ValueError
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
    except (ValueError, AppError):
        raise ValidationError("assessment.visited_at", "请填写走访时间", "visited_at") from None
