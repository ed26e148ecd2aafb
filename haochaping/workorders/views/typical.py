"""发布预览 and 确认发布 of a typical case (services.publication): the office previews the
text with the personal data taken out and highlighted, may edit it, and confirms; what it
confirmed is what is published. A confirmed text that still holds personal data (an
edit after the preview) comes back as a new preview with the refusal above it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from haochaping.core.errors import AppError
from haochaping.core.htmx import htmx
from haochaping.workorders import selectors, services
from haochaping.workorders.views.common import reader, refused
from haochaping.workorders.views.workbench import detail_context

PREVIEW = "workorders/partials/typical_preview.html"


def _page(request: HttpRequest, pk: int, extra: dict[str, Any], status: int) -> HttpResponse:
    """The order page with the preview open (without JavaScript), or the preview alone."""
    context = detail_context(reader(request), pk)
    context.update(extra)
    if htmx(request):
        return render(request, PREVIEW, context, status=status)
    return render(request, "workorders/order.html", context, status=status)


@login_required
@require_POST
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = reader(request)
        order = selectors.get_order(actor, pk)
        shown = services.typical_preview(actor=actor, order=order,
                                         draft=request.POST.get("public_text", ""))
    except AppError as exc:
        return refused(request, exc)
    return _page(request, pk, {"preview": shown}, 200)


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    text = request.POST.get("public_text", "")
    try:
        actor = reader(request)
        order = selectors.get_order(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    try:
        services.workorder_mark_typical(actor=actor, order=order, public_text=text)
    except AppError as exc:
        if exc.code != "workorder.public_text_personal":
            return refused(request, exc)
        try:
            again = services.typical_preview(actor=actor, order=order, draft=text)
        except AppError as other:
            return refused(request, other)
        return _page(request, pk, {"preview": again, "error": exc}, exc.status)
    if not htmx(request):
        return redirect("workorders:order", pk=pk)
    response = render(request, "workorders/partials/order_body.html",
                      detail_context(actor, pk))
    response["HX-Retarget"] = "#order-body"
    response["HX-Reswap"] = "innerHTML"
    return response
