"""The bottom list (末位名单) with its improvement plans and 调换, and the privacy
violations the office records (seed 000 §15, 003 §22): the supervising office's only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from haochaping.accounts.scoping import Actor, scope
from haochaping.appraisal import selectors, services
from haochaping.appraisal.models import ImprovementPlan, PublishedReview
from haochaping.appraisal.views import office, refused
from haochaping.catalog.models import Org, Staff
from haochaping.core.bounds import parse_day, parse_int
from haochaping.core.errors import AppError, NotFound, ValidationError
from haochaping.core.localtime import local_day
from haochaping.vault.models import AccessAlert


def _bottom_page(request: HttpRequest, actor: Actor, error: AppError | None = None
                 ) -> HttpResponse:
    lists = [(s, selectors.bottom_list(actor, s)) for s in selectors.visible_sheets(actor)]
    return render(request, "appraisal/bottom.html",
                  {"lists": lists, "error": error, "today": local_day(timezone.now())},
                  status=error.status if error else 200)


@login_required
@require_GET
def bottom(request: HttpRequest) -> HttpResponse:
    try:
        return _bottom_page(request, office(request))
    except AppError as exc:
        return refused(request, exc)


@login_required
@require_POST
def plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = office(request)
        review = (PublishedReview.objects.select_related("sheet", "sheet__scope")
                  .filter(pk=pk, sheet__in=selectors.visible_sheets(actor)).first())
        if review is None:
            raise NotFound("appraisal.review_not_found", "考核结果不存在或无权查看")
    except AppError as exc:
        return refused(request, exc)
    post = request.POST
    try:
        org_id = parse_int(post.get("org"), "org", low=1, code="appraisal.subject")
        staff_id = parse_int(post.get("staff"), "staff", low=1, code="appraisal.subject")
        if org_id is None:
            raise ValidationError("appraisal.subject", "请选择末位对象", "subject")
        services.plan_create(actor=actor, review=review, org_id=org_id, staff_id=staff_id,
                             measures=post.get("measures", ""),
                             deadline=parse_day(post.get("deadline"), "deadline",
                                                code="appraisal.deadline"),
                             now=timezone.now())
    except AppError as exc:
        return _bottom_page(request, actor, exc)
    messages.success(request, "整改计划已制定。")
    return redirect("appraisal:bottom")


@login_required
@require_POST
def plan_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = office(request)
        plan = (ImprovementPlan.objects.select_related("sheet", "review")
                .filter(pk=pk, sheet__in=selectors.visible_sheets(actor)).first())
        if plan is None:
            raise NotFound("appraisal.plan_not_found", "整改计划不存在或无权查看")
    except AppError as exc:
        return refused(request, exc)
    try:
        services.plan_transfer(actor=actor, plan=plan, note=request.POST.get("note", ""),
                               now=timezone.now())
    except AppError as exc:
        return _bottom_page(request, actor, exc)
    messages.success(request, "已记录调换。")
    return redirect("appraisal:bottom")


def _violations_page(request: HttpRequest, actor: Actor, error: AppError | None = None
                     ) -> HttpResponse:
    path = actor.scope_path or ""
    context = {
        "violations": selectors.violations(actor)[:200], "error": error,
        "orgs": scope(Org.objects.order_by("code"), actor, "path"),
        "staff": Staff.objects.filter(org__path__startswith=path).select_related("org")
        .order_by("org__code", "staff_no")[:500],
        "alerts": AccessAlert.objects.filter(org_path__startswith=path)
        .select_related("org").order_by("-at")[:50],
        "today": local_day(timezone.now()),
    }
    return render(request, "appraisal/violations.html", context,
                  status=error.status if error else 200)


@login_required
def violations(request: HttpRequest) -> HttpResponse:
    try:
        actor = office(request)
    except AppError as exc:
        return refused(request, exc)
    if request.method != "POST":
        return _violations_page(request, actor)
    post = request.POST
    try:
        org_id = parse_int(post.get("org"), "org", low=1, code="appraisal.org")
        occurred = parse_day(post.get("occurred_on"), "occurred_on",
                             code="appraisal.occurred_on")
        if org_id is None or occurred is None:
            raise ValidationError("appraisal.org", "请选择部门并填写发生日期", "org")
        services.violation_record(
            actor=actor, org_id=org_id,
            staff_id=parse_int(post.get("staff"), "staff", low=1, code="appraisal.staff"),
            occurred_on=occurred, description=post.get("description", ""),
            alert_id=parse_int(post.get("alert"), "alert", low=1, code="appraisal.alert"),
            now=timezone.now())
    except AppError as exc:
        return _violations_page(request, actor, exc)
    messages.success(request, "违规情况已记录，该期考核将直接排名末位。")
    return redirect("appraisal:violations")
