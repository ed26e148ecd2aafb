"""站内通知: the person's own notifications (open one: it is read and its work opens),
mark all read, and the preferences (which events, SMS for urgent ones)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from haochaping.core.errors import AppError
from haochaping.notify import inbox_rules
from haochaping.notify.selectors import inbox_for, inbox_preference
from haochaping.notify.services.inbox import inbox_open, inbox_preferences_set, inbox_read_all


@login_required
@require_GET
def inbox_page(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    return render(request, "workbench/inbox.html", {
        "items": [(n, inbox_rules.EVENTS.get(n.event, "")) for n in inbox_for(
            request.user, unread_only=unread_only)], "unread_only": unread_only})


@login_required
@require_POST
def inbox_item_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to its work (a local path only)."""
    try:
        item = inbox_open(user=request.user, item_id=pk)
    except AppError as exc:
        messages.error(request, exc.message)
        return redirect("workbench:inbox")
    if item.url and url_has_allowed_host_and_scheme(item.url, allowed_hosts=None):
        return redirect(item.url)
    return redirect("workbench:inbox")


@login_required
@require_POST
def inbox_all_read(request: HttpRequest) -> HttpResponse:
    marked = inbox_read_all(user=request.user)
    messages.success(request, f"已将 {marked} 条通知标为已读。" if marked else "没有未读通知。")
    return redirect("workbench:inbox")


@login_required
def inbox_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        wanted = set(request.POST.getlist("events"))
        try:
            inbox_preferences_set(user=request.user,
                                  muted=[e for e in inbox_rules.EVENTS if e not in wanted],
                                  sms=request.POST.get("sms") == "1")
        except AppError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "通知设置已保存。")
            return redirect("workbench:inbox_settings")
    muted, sms = inbox_preference(request.user)
    return render(request, "workbench/inbox_settings.html", {
        "events": [(key, label, key not in muted) for key, label in inbox_rules.EVENTS.items()],
        "sms": sms, "has_phone": bool(getattr(request.user, "phone", ""))})
