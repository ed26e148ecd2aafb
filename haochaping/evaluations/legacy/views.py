"""The office's legacy import screen (``/work/legacy/``): upload a legacy satisfaction
system's XLSX/CSV with its source name, try it (dry run) or import it, and read the
per-row report of this and earlier batches. The same service as the command and the API.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.core.errors import AppError, ValidationError
from haochaping.evaluations.legacy import rules
from haochaping.evaluations.legacy.selectors import legacy_batch_of, legacy_batches
from haochaping.evaluations.legacy.services import legacy_import_file

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
RECENT = 20


def _refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    return render(request, "evaluations/staff_error.html", {"error": exc}, status=exc.status)


def _context(actor: Actor) -> dict[str, Any]:
    return {"batches": list(legacy_batches(actor)[:RECENT]),
            "may_write": actor.allows(access.LEGACY_IMPORT, access.WRITE),
            "columns": rules.COLUMNS, "labels": rules.OUTCOME_LABELS}


@login_required
@require_http_methods(["GET", "POST"])
def legacy_home(request: HttpRequest) -> HttpResponse:
    try:
        actor = actor_for_user(request.user)
        context = _context(actor)
    except AppError as exc:
        return _refused(request, exc)
    if request.method == "GET":
        return render(request, "evaluations/legacy.html", context)
    source = request.POST.get("source", "")
    try:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError("import.empty", "请选择要导入的 XLSX 或 CSV 文件", "file")
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("import.file_format", "文件不能超过 20 MB", "file")
        result = legacy_import_file(actor=actor, source=source, data=upload.read(),
                                    file_name=upload.name or "", via="file",
                                    dry_run=request.POST.get("dry_run") == "1")
    except AppError as exc:
        context.update(error=exc, source=source)
        return render(request, "evaluations/legacy.html", context, status=exc.status)
    context = _context(actor)
    context.update(result=result, source=source)
    return render(request, "evaluations/legacy.html", context)


@login_required
@require_GET
def legacy_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    try:
        batch = legacy_batch_of(actor_for_user(request.user), batch_id)
    except AppError as exc:
        return _refused(request, exc)
    return render(request, "evaluations/legacy_batch.html",
                  {"batch": batch, "labels": {o.value: o.label for o in rules.Outcome}})
