"""绩效考核 screens (issue 15, ``/work/appraisal/``), the supervising office's: sheets, runs
of a period, a run's table, its XLSX and publication; and a department's own rows of the
published reviews (``mine``). Thin: forms are parsed here, everything else is the
services' and the selectors' (which scope and refuse)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.appraisal import inputs, selectors, services
from haochaping.appraisal.models import ReviewRun
from haochaping.appraisal.rules import Mode, PeriodKind, SubjectKind, period_bounds
from haochaping.core.bounds import parse_int
from haochaping.core.errors import AppError, PermissionDenied, ValidationError
from haochaping.core.localtime import local_day


def office(request: HttpRequest) -> Actor:
    actor = actor_for_user(request.user)
    if not selectors.is_office(actor):
        raise PermissionDenied("forbidden.role", "绩效考核仅限政务服务管理机构查看")
    return actor


def refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    return render(request, "appraisal/error.html", {"error": exc}, status=exc.status)


def _index(request: HttpRequest, actor: Actor, error: AppError | None = None,
           form: Any = None) -> HttpResponse:
    context = {
        "sheets": selectors.visible_sheets(actor)[:100], "error": error, "form": form or {},
        "inputs": list(inputs.INPUTS.values()),
        "kinds": [(k.value, k.label) for k in SubjectKind],
        "periods": [(p.value, p.label) for p in PeriodKind],
        "modes": [(m.value, m.label) for m in Mode],
        "privacy_key": inputs.PRIVACY,
    }
    return render(request, "appraisal/index.html", context,
                  status=error.status if error else 200)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    try:
        actor = office(request)
    except AppError as exc:
        return refused(request, exc)
    return _index(request, actor)


def _indicator_rows(post: Any) -> list[dict[str, Any]]:
    rows = []
    for source in inputs.INPUTS.values():
        if post.get(f"use_{source.key}"):
            rows.append({"key": source.key, "mode": post.get(f"mode_{source.key}", ""),
                         "weight": post.get(f"weight_{source.key}", ""),
                         "deduction": post.get(f"deduction_{source.key}", "")})
    return rows


@login_required
@require_POST
def sheet_new(request: HttpRequest) -> HttpResponse:
    try:
        actor = office(request)
    except AppError as exc:
        return refused(request, exc)
    post = request.POST
    try:
        sheet = services.sheet_create(actor=actor, title=post.get("title", ""),
                                      subject_kind=post.get("subject_kind", ""),
                                      period_kind=post.get("period_kind", ""),
                                      indicators=_indicator_rows(post), now=timezone.now())
    except AppError as exc:
        return _index(request, actor, exc, post)
    messages.success(request, "考核方案已创建，可以计算考核结果。")
    return redirect("appraisal:sheet", sheet.pk)


def _sheet_page(request: HttpRequest, actor: Actor, pk: int,
                error: AppError | None = None) -> HttpResponse:
    sheet = selectors.sheet_get(actor, pk)
    today = local_day(timezone.now())
    runs = list(sheet.runs.order_by("-start").select_related("published"))
    context = {"sheet": sheet, "indicators": selectors.indicators_of(sheet), "runs": runs,
               "error": error, "year": today.year - (1 if today.month <= 3 else 0),
               "quarter": ((today.month - 1) // 3) or 4,
               "years": list(range(today.year - 5, today.year + 1))[::-1],
               "yearly": sheet.period_kind == PeriodKind.YEAR.value}
    return render(request, "appraisal/sheet.html", context,
                  status=error.status if error else 200)


@login_required
@require_GET
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = office(request)
        return _sheet_page(request, actor, pk)
    except AppError as exc:
        return refused(request, exc)


@login_required
@require_POST
def run_new(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = office(request)
        found = selectors.sheet_get(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    try:
        year = parse_int(request.POST.get("year"), "year", low=2000, high=2100,
                         code="appraisal.period")
        quarter = parse_int(request.POST.get("quarter"), "quarter", low=1, high=4,
                            code="appraisal.period") or 1
        if year is None:
            raise ValidationError("appraisal.period", "请选择考核年度", "year")
        start, _ = period_bounds(PeriodKind(found.period_kind), year, quarter)
        run = services.review_run(actor=actor, sheet=found, start=start, now=timezone.now())
    except AppError as exc:
        return _sheet_page(request, actor, pk, exc)
    messages.success(request, "考核结果已计算，请核对后发布。")
    return redirect("appraisal:run", run.pk)


def shown(unit: str, value: float | None) -> str:
    """A value as the table shows it: a rate in per cent, a rank, score or count."""
    if value is None:
        return "—"
    if unit == "rate":
        return f"{value * 100:.2f}%"
    if unit == "score":
        return f"{value:.2f}"
    return str(int(value))


def run_context(run: ReviewRun) -> dict[str, Any]:
    document = selectors.parse(run.content)
    published = selectors.published_of(run)
    for row in document["rows"]:
        row["cells"] = [shown(i["unit"], row["values"].get(i["key"]))
                        for i in document["indicators"]]
    return {"run": run, "doc": document, "published": published,
            "verified": selectors.verified(published) if published else None,
            "staff": document["sheet"]["subject_kind"] == SubjectKind.STAFF.value}


def _run_page(request: HttpRequest, actor: Actor, pk: int,
              error: AppError | None = None) -> HttpResponse:
    run = selectors.run_get(actor, pk)
    return render(request, "appraisal/run.html", {**run_context(run), "error": error},
                  status=error.status if error else 200)


@login_required
@require_GET
def run(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        return _run_page(request, office(request), pk)
    except AppError as exc:
        return refused(request, exc)


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = office(request)
        found = selectors.run_get(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    try:
        services.review_publish(actor=actor, run=found, now=timezone.now())
    except AppError as exc:
        return _run_page(request, actor, pk, exc)
    messages.success(request, "考核结果已发布，内容已冻结，不能再修改。")
    return redirect("appraisal:run", found.pk)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """A department's own rows of the published reviews (selectors.own_results)."""
    actor = actor_for_user(request.user)
    if selectors.is_office(actor):
        return redirect("appraisal:index")
    results = selectors.own_results(actor)
    for _, document, rows in results:
        for row in rows:
            row["cells"] = [shown(i["unit"], row["values"].get(i["key"]))
                            for i in document["indicators"]]
    return render(request, "appraisal/mine.html", {"results": results})
