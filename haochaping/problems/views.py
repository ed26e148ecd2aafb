"""共性问题 screens (issue 15, ``/work/problems/``): the office's list (open, overdue,
recurring; filters) and check; the department's own tasks and its evidence form. Thin:
forms are read here, the selectors scope and the services decide."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.complaints.rules.causes import Cause, cause_choices
from haochaping.core.errors import AppError, NotFound, PermissionDenied
from haochaping.problems import rules, selectors, services
from haochaping.problems.rules import EVIDENCE_LABELS, STATUS_LABELS, Status

PAGE_SIZE = 30
LIST_STATUSES = [(s.value, label) for s, label in STATUS_LABELS.items()] + [
    ("overdue", "逾期未整改"), ("recurring", "复发")]


def reader(request: HttpRequest) -> Actor:
    actor = actor_for_user(request.user)
    if not (selectors.is_office(actor) or selectors.is_department(actor)):
        raise PermissionDenied("forbidden.role", "当前角色无权查看共性问题")
    return actor


def refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    return render(request, "problems/error.html", {"error": exc}, status=exc.status)


def _filters(request: HttpRequest) -> selectors.Filters:
    status = request.GET.get("status", "").strip()
    cause = request.GET.get("cause", "").strip()
    return selectors.Filters(
        status=status if status in {s for s, _ in LIST_STATUSES} else "",
        cause=cause if cause in {c.value for c in Cause} else "")


def _row(task: Any, now: Any) -> dict[str, Any]:
    return {"task": task, "overdue": rules.is_overdue(Status(task.status), task.due_at, now)}


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    try:
        actor = reader(request)
    except AppError as exc:
        return refused(request, exc)
    now = timezone.now()
    filters = _filters(request)
    page = Paginator(selectors.task_list(actor, filters, now), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "problems/index.html", {
        "page": page, "rows": [_row(t, now) for t in page], "filters": filters,
        "statuses": LIST_STATUSES, "causes": cause_choices(),
        "office": selectors.is_office(actor), "counts": selectors.open_counts(actor)})


def _task_context(actor: Actor, pk: int, **extra: Any) -> dict[str, Any]:
    task = selectors.task_get(actor, pk)
    now = timezone.now()
    status = Status(task.status)
    office, department = selectors.is_office(actor), selectors.is_department(actor)
    return {"task": task, "row": _row(task, now), "evidence": list(task.evidence.all()),
            "recurrences": list(task.recurrences.order_by("opened_at")),
            "office": office,
            "may_submit": department and status in rules.SUBMITTABLE,
            "may_check": office and status is Status.SUBMITTED and task.org_id != actor.org_id,
            "kinds": [(k.value, v) for k, v in EVIDENCE_LABELS.items()], **extra}


@login_required
@require_GET
def task_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        return render(request, "problems/task.html", _task_context(reader(request), pk))
    except AppError as exc:
        return refused(request, exc)


def _after(request: HttpRequest, actor: Actor, pk: int, error: AppError | None,
           form: dict[str, str]) -> HttpResponse:
    if error is None:
        return redirect("problems:task", pk=pk)
    try:
        context = _task_context(actor, pk, error=error, form=form)
    except AppError as gone:
        return refused(request, gone)
    return render(request, "problems/task.html", context, status=error.status)


@login_required
@require_POST
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = reader(request)
        task = selectors.task_get(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    form = {"kind": request.POST.get("kind", ""), "text": request.POST.get("text", "")}
    try:
        services.evidence_submit(actor=actor, task=task, kind=form["kind"], text=form["text"],
                                 upload=request.FILES.get("file"), now=timezone.now())
    except AppError as exc:
        return _after(request, actor, pk, exc, form)
    return _after(request, actor, pk, None, form)


@login_required
@require_POST
def check(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = reader(request)
        task = selectors.task_get(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    form = {"note": request.POST.get("note", "")}
    try:
        services.evidence_check(actor=actor, task=task,
                                accept=request.POST.get("verdict") == "accept",
                                note=form["note"], now=timezone.now())
    except AppError as exc:
        return _after(request, actor, pk, exc, form)
    return _after(request, actor, pk, None, form)


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An evidence attachment, for whoever may read its task."""
    try:
        actor = reader(request)
        row = selectors.evidence_get(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    if not row.file:
        return refused(request, NotFound("problem.no_file", "该整改材料没有附件"))
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.file_name,
                        content_type=row.file_type or "application/octet-stream")
