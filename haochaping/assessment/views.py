"""自评 screens (issue 15, ``/work/assessment/``): the office creates, publishes and
reviews self-assessment forms; an org fills in and submits its own. Thin: forms parsed
here; scoping and refusals are the selectors' and the services'. The third-party screens
are in ``views_visits``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.assessment import rules, selectors, services
from haochaping.assessment.models import SelfEntry
from haochaping.assessment.rules import FILLABLE, EntryState
from haochaping.catalog.models import Org
from haochaping.core.bounds import parse_day
from haochaping.core.errors import AppError, PermissionDenied, ValidationError
from haochaping.core.localtime import local_day


def refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    return render(request, "assessment/error.html", {"error": exc}, status=exc.status)


def office(request: HttpRequest) -> Actor:
    actor = actor_for_user(request.user)
    if not selectors.is_office(actor):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以进入此页面")
    return actor


def subtree_orgs(actor: Actor) -> list[Org]:
    return list(Org.objects.filter(path__startswith=actor.scope_path or "/nowhere/",
                                   is_active=True).exclude(pk=actor.org_id or 0)
                .order_by("path"))


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    try:
        actor = office(request)
    except AppError as exc:
        return refused(request, exc)
    return _index(request, actor)


def _index(request: HttpRequest, actor: Actor, error: AppError | None = None,
           form: Any = None) -> HttpResponse:
    today = local_day(timezone.now())
    end = today.replace(day=1) - timedelta(days=1)
    context = {"forms": selectors.office_forms(actor)[:50], "error": error,
               "form": form or {"title": f"{end.year}年{end.month}月政务服务自评",
                                "start": end.replace(day=1).isoformat(),
                                "end": end.isoformat(),
                                "deadline": (today + timedelta(days=14)).isoformat(),
                                "items": rules.format_items(rules.DEFAULT_SELF_ITEMS)}}
    return render(request, "assessment/index.html", context,
                  status=error.status if error else 200)


@login_required
@require_POST
def form_new(request: HttpRequest) -> HttpResponse:
    try:
        actor = office(request)
    except AppError as exc:
        return refused(request, exc)
    post = request.POST
    try:
        start = parse_day(post.get("start"), "start", code="assessment.period")
        end = parse_day(post.get("end"), "end", code="assessment.period")
        deadline = parse_day(post.get("deadline"), "deadline", code="assessment.period")
        if start is None or end is None or deadline is None:
            raise ValidationError("assessment.period", "请填写期间和填报截止日期", "start")
        items, refusal = rules.parse_items(post.get("items", ""))
        if refusal:
            raise ValidationError("assessment.items", refusal, "items")
        made = services.self_form_create(actor=actor, title=post.get("title", ""), start=start,
                                         end=end, deadline=deadline, items=items,
                                         now=timezone.now())
    except AppError as exc:
        return _index(request, actor, exc, post)
    messages.success(request, "自评表已创建，请选择填报单位并发布。")
    return redirect("assessment:form", made.pk)


def _form_page(request: HttpRequest, actor: Actor, pk: int,
               error: AppError | None = None) -> HttpResponse:
    form = selectors.office_form(actor, pk)
    context = {"sf": form, "items": list(form.items.all()), "error": error,
               "entries": list(selectors.form_entries(form)),
               "orgs": subtree_orgs(actor) if form.published_at is None else []}
    return render(request, "assessment/form.html", context,
                  status=error.status if error else 200)


@login_required
@require_GET
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        return _form_page(request, office(request), pk)
    except AppError as exc:
        return refused(request, exc)


@login_required
@require_POST
def form_publish(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = office(request)
        ids = [int(v) for v in request.POST.getlist("orgs") if v.isdigit() and len(v) < 12]
        services.self_form_publish(actor=actor, form_id=pk, org_ids=ids, now=timezone.now())
    except AppError as exc:
        try:
            return _form_page(request, office(request), pk, exc)
        except AppError as again:
            return refused(request, again)
    messages.success(request, "自评表已发布，各单位可以填报。")
    return redirect("assessment:form", pk)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    actor = actor_for_user(request.user)
    if not selectors.is_org(actor):
        return refused(request, PermissionDenied("forbidden.role", "当前角色无需填报自评"))
    return render(request, "assessment/mine.html", {"entries": selectors.own_entries(actor)})


def _entry_page(request: HttpRequest, actor: Actor, entry: SelfEntry,
                error: AppError | None = None) -> HttpResponse:
    is_office = selectors.is_office(actor)
    state = EntryState(entry.state)
    answers = selectors.answers(entry)
    post = request.POST if error else None  # a refused post is shown as typed
    rows = [(a, post.get(f"score_{a.item_id}", "") if post is not None
             else "" if a.self_score is None else a.self_score,
             post.get(f"evidence_{a.item_id}", "") if post is not None else a.evidence)
            for a in answers]
    context = {"entry": entry, "answers": answers, "rows": rows, "error": error,
               "office": is_office, "state_label": state.label,
               "fillable": not is_office and state in FILLABLE,
               "reviewable": is_office and state is EntryState.SUBMITTED,
               "late": rules.is_late(entry.form.deadline, local_day(timezone.now())),
               "posted": request.POST if error else {}}
    return render(request, "assessment/entry.html", context,
                  status=error.status if error else 200)


@login_required
@require_GET
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_user(request.user)
    try:
        return _entry_page(request, actor, selectors.entry_for(actor, pk))
    except AppError as exc:
        return refused(request, exc)


def _by_item(request: HttpRequest, entry: SelfEntry, second: str) -> dict[int, tuple[str, str]]:
    post = request.POST
    return {a.item_id: (post.get(f"score_{a.item_id}", ""), post.get(f"{second}_{a.item_id}", ""))
            for a in entry.answers.all()}


@login_required
@require_http_methods(["POST"])
def entry_save(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_user(request.user)
    try:
        row = selectors.entry_for(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    submit = request.POST.get("action") == "submit"
    files = {a.item_id: request.FILES[f"attachment_{a.item_id}"] for a in row.answers.all()
             if f"attachment_{a.item_id}" in request.FILES}
    try:
        services.self_entry_save(actor=actor, entry_id=row.pk,
                                 answers=_by_item(request, row, "evidence"),
                                 attachments=files, submit=submit, now=timezone.now())
    except AppError as exc:
        return _entry_page(request, actor, row, exc)
    messages.success(request, "自评已提交，等待管理机构审核。" if submit else "已保存。")
    return redirect("assessment:entry", pk)


@login_required
@require_POST
def entry_review(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_user(request.user)
    try:
        office(request)
        row = selectors.entry_for(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    try:
        if request.POST.get("action") == "return":
            services.self_entry_return(actor=actor, entry_id=pk,
                                       reason=request.POST.get("reason", ""),
                                       now=timezone.now())
            messages.success(request, "已退回该单位修改。")
        else:
            services.self_entry_review(actor=actor, entry_id=pk,
                                       scores=_by_item(request, row, "note"),
                                       now=timezone.now())
            messages.success(request, "审核评分已保存。")
    except AppError as exc:
        return _entry_page(request, actor, row, exc)
    return redirect("assessment:entry", pk)
