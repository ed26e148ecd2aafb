from __future__ import annotations

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from haochaping.core.privacy import notice_template, notice_version, valid_version


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def privacy_notice(request: HttpRequest, version: str | None = None) -> HttpResponse:
    """个人信息保护告知: the version in force, or an earlier one by its number."""
    current = notice_version()
    version = version or current
    if not valid_version(version):
        raise Http404("没有这一版告知")
    try:
        get_template(notice_template(version))
    except TemplateDoesNotExist:
        raise Http404("没有这一版告知") from None
    return render(request, notice_template(version),
                  {"version": version, "current": version == current,
                   "current_version": current})
