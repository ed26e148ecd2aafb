"""The office's device screen (``/work/devices/``): the devices of the user's subtree with
the offline ones first (not seen for ``HCP_DEVICE_OFFLINE_MINUTES``), registration of a
pad, four-key pad or kiosk (its key shown once), re-key and deactivation. The same
services and selectors as ``/api/v1/devices``; htmx swaps the key panel and the list."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.core.errors import AppError
from haochaping.core.htmx import htmx
from haochaping.evaluations.devices.selectors import (
    device_in_scope,
    device_rows,
    offline_minutes,
    registrable_windows,
    window_by_id,
)
from haochaping.evaluations.devices.services import device_deactivate, device_rekey
from haochaping.evaluations.models import DEVICE_KIND_CHOICES
from haochaping.evaluations.services import device_create

KEY_PANEL = "evaluations/partials/device_key.html"


def _refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    return render(request, "evaluations/staff_error.html", {"error": exc}, status=exc.status)


def _context(actor: Actor, offline_only: bool) -> dict[str, Any]:
    may_write = actor.allows(access.DEVICE, access.WRITE)
    rows = device_rows(actor, now=timezone.now(), offline_only=offline_only)
    return {"rows": rows, "offline_only": offline_only, "minutes": offline_minutes(),
            "offline_count": sum(1 for r in rows if r.offline), "may_write": may_write,
            "windows": list(registrable_windows(actor)) if may_write else [],
            "kinds": DEVICE_KIND_CHOICES}


@login_required
@require_GET
def device_list(request: HttpRequest) -> HttpResponse:
    offline_only = request.GET.get("offline") == "1"
    try:
        context = _context(actor_for_user(request.user), offline_only)
    except AppError as exc:
        return _refused(request, exc)
    return render(request, "evaluations/devices.html", context)


def _panel(request: HttpRequest, panel: dict[str, Any], status: int = 200) -> HttpResponse:
    """The key panel: alone for htmx (the list refreshes on the ``devices-changed``
    event), inside the whole page without JavaScript."""
    if htmx(request):
        response = render(request, KEY_PANEL, panel, status=status)
        if status == 200:
            response["HX-Trigger"] = "devices-changed"
        return response
    try:
        context = _context(actor_for_user(request.user), False)
    except AppError as exc:
        return _refused(request, exc)
    return render(request, "evaluations/devices.html", {**context, "panel": panel},
                  status=status)


def _positive(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


@login_required
@require_POST
def device_register(request: HttpRequest) -> HttpResponse:
    try:
        actor = actor_for_user(request.user)
        window = window_by_id(actor, _positive(request.POST.get("window")))
        device, raw = device_create(actor=actor, window=window,
                                    kind=request.POST.get("kind", ""),
                                    name=request.POST.get("name", ""))
    except AppError as exc:
        return _panel(request, {"error": exc}, exc.status)
    return _panel(request, {"device": device, "key": raw, "action": "登记"})


@login_required
@require_POST
def device_rekey_view(request: HttpRequest, device_id: int) -> HttpResponse:
    try:
        actor = actor_for_user(request.user)
        device, raw = device_rekey(actor=actor, device=device_in_scope(actor, device_id))
    except AppError as exc:
        return _panel(request, {"error": exc}, exc.status)
    return _panel(request, {"device": device, "key": raw, "action": "重新生成密钥"})


@login_required
@require_POST
def device_deactivate_view(request: HttpRequest, device_id: int) -> HttpResponse:
    try:
        actor = actor_for_user(request.user)
        device = device_deactivate(actor=actor, device=device_in_scope(actor, device_id))
    except AppError as exc:
        return _panel(request, {"error": exc}, exc.status)
    return _panel(request, {"device": device, "deactivated": True})
