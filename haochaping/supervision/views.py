"""核查抽查 screens (issue 15, ``/work/supervision/``): the office plans, draws, records
findings with evidence and publishes the 通报; a department reads published plans of its
own subtree only. Thin: forms are parsed here, everything else is the services' and the
selectors' (which scope and refuse)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.core.bounds import parse_day, parse_int
from haochaping.core.errors import AppError, PermissionDenied, ValidationError
from haochaping.core.localtime import local_day
from haochaping.supervision import rules, selectors, services
from haochaping.supervision.models import CheckPlan
from haochaping.supervision.rules import FINDINGS, Method, Stratum, Target

RATE_FIELDS = {Stratum.GOOD: "rate_good", Stratum.BAD: "rate_bad",
               Stratum.DEFAULT: "rate_default", Stratum.ORDER: "rate_order"}


def reader(request: HttpRequest) -> Actor:
    """The office (``supervision`` read) or a department (``stats`` read): nobody else."""
    actor = actor_for_user(request.user)
    if actor.is_client or not (selectors.is_office(actor)
                               or actor.allows(access.STATS, access.READ)):
        raise PermissionDenied("forbidden.role", "当前角色无权查看核查抽查")
    return actor


def refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    return render(request, "supervision/error.html", {"error": exc}, status=exc.status)


def _last_month() -> tuple[date, date]:
    first = local_day(timezone.now()).replace(day=1)
    end = first - timedelta(days=1)
    return end.replace(day=1), end


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    try:
        actor = reader(request)
    except AppError as exc:
        return refused(request, exc)
    return _index(request, actor)


def _index(request: HttpRequest, actor: Actor, error: AppError | None = None,
           form: Any = None) -> HttpResponse:
    start, end = _last_month()
    context = {"plans": selectors.visible_plans(actor)[:50], "office": selectors.is_office(actor),
               "start": start, "end": end, "error": error, "form": form or {},
               "rate_fields": [(s.label, f) for s, f in RATE_FIELDS.items()]}
    return render(request, "supervision/index.html", context,
                  status=error.status if error else 200)


@login_required
@require_POST
def plan_new(request: HttpRequest) -> HttpResponse:
    try:
        actor = reader(request)
    except AppError as exc:
        return refused(request, exc)
    post = request.POST
    try:
        start = parse_day(post.get("start"), "start", code="supervision.period")
        end = parse_day(post.get("end"), "end", code="supervision.period")
        if start is None or end is None:
            raise ValidationError("supervision.period", "请选择核查期间", "start")
        rates = {s: parse_int(post.get(f), f, low=0, high=100, code="supervision.rates") or 0
                 for s, f in RATE_FIELDS.items()}
        plan = services.plan_create(actor=actor, title=post.get("title", ""), start=start,
                                    end=end, rates=rates, now=timezone.now())
    except AppError as exc:
        return _index(request, actor, exc, post)
    messages.success(request, "核查计划已创建，请抽取核查对象。")
    return redirect("supervision:plan", plan.pk)


def _plan_page(request: HttpRequest, actor: Actor, plan: CheckPlan,
               error: AppError | None = None) -> HttpResponse:
    office = selectors.is_office(actor)
    draw = getattr(plan, "draw", None) if office or plan.published_at else None
    items = list(selectors.visible_items(actor, plan))
    context = {
        "plan": plan, "draw": draw, "office": office, "items": items, "error": error,
        "unchecked": sum(1 for i in items if not hasattr(i, "finding")),
        "methods": [(m.value, m.label) for m in Method],
        "rating_findings": [(f.value, f.label) for f in FINDINGS[Target.RATING]],
        "order_findings": [(f.value, f.label) for f in FINDINGS[Target.ORDER]],
        "by_org": rows(selectors.figures_by_org(actor, plan)),
        "by_window": rows(selectors.figures_by_window(actor, plan)),
        "total": rows({"合计": selectors.figures_total(actor, plan)})[0],
        "today": local_day(timezone.now()),
        "replay": selectors.draw_replay(draw) if draw is not None and office
        and request.GET.get("replay") else None,
    }
    return render(request, "supervision/plan.html", context,
                  status=error.status if error else 200)


@login_required
@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = reader(request)
        found = selectors.plan_get(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    return _plan_page(request, actor, found)


@login_required
@require_POST
def draw(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = reader(request)
        found = selectors.plan_get(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    try:
        done = services.check_draw(actor=actor, plan=found, seed=request.POST.get("seed", ""),
                                   now=timezone.now())
    except AppError as exc:
        return _plan_page(request, actor, found, exc)
    messages.success(request,
                     f"已从 {done.candidates} 个候选中抽取 {done.items.count()} 个核查对象。")
    return redirect("supervision:plan", found.pk)


@login_required
@require_POST
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = reader(request)
        item = selectors.office_item(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    post = request.POST
    try:
        checked_on = parse_day(post.get("checked_on"), "checked_on",
                               code="supervision.checked_on")
        if checked_on is None:
            raise ValidationError("supervision.checked_on", "请填写核查日期", "checked_on")
        services.finding_record(actor=actor, item_id=item.pk, method=post.get("method", ""),
                                finding=post.get("finding", ""), note=post.get("note", ""),
                                checked_on=checked_on, evidence=request.FILES.get("evidence"),
                                now=timezone.now())
    except AppError as exc:
        return _plan_page(request, actor, item.draw.plan, exc)
    messages.success(request, "核查结论已记录。")
    return redirect(f"{reverse('supervision:plan', args=[item.draw.plan_id])}#item-{item.pk}")


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = reader(request)
        found = selectors.plan_get(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    try:
        services.plan_publish(actor=actor, plan=found, now=timezone.now())
    except AppError as exc:
        return _plan_page(request, actor, found, exc)
    messages.success(request, "通报已发布，各部门可查看本部门的核查结果。")
    return redirect("supervision:plan", found.pk)


def rows(figures: dict[str, rules.Figures]) -> list[dict[str, Any]]:
    """Figures as table rows, the two rates as percentages."""
    return [{"key": key, "f": f, "consistency": rules.percent(f.consistency_rate),
             "verification": rules.percent(f.verification_rate)}
            for key, f in figures.items()]
