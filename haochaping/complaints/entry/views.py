"""Office entry (/work/complaints/entry/) and the 监督员's page (/work/complaints/mine/).

Thin: the forms read the POST, the services check and write, the selectors read. A
refusal shows its Chinese message and stable code over the form as it was typed, with
nothing written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods

from haochaping.accounts.scoping import Actor, actor_for_user, scope
from haochaping.complaints.entry import forms, rules, selectors
from haochaping.complaints.entry.services import monitor_file, office_entry_receive
from haochaping.complaints.models import Submission
from haochaping.complaints.rules.causes import cause_choices
from haochaping.complaints.rules.kinds import (
    REPLY_CHANNEL_LABELS,
    URGENCY_LABELS,
    Channel,
    SubmissionKind,
)
from haochaping.core.errors import AppError, NotFound


def _refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    return render(request, "complaints/entry/error.html", {"error": exc}, status=exc.status)


def item_url(item: Submission) -> str | None:
    """The office's page of the item (the office queue's, when mounted)."""
    try:
        return reverse("complaints:item", args=[item.pk])
    except NoReverseMatch:
        return None


def _pickers(actor: Actor, data: Any) -> dict[str, Any]:
    org_id = forms.optional_id(data, "org_id")
    return {"orgs": selectors.subject_orgs(actor), "org_id": org_id,
            "choices": selectors.org_choices(actor, org_id),
            "window_id": forms.optional_id(data, "window_id"),
            "staff_id": forms.optional_id(data, "staff_id"),
            "matter_id": forms.optional_id(data, "matter_id")}


def _entry_context(actor: Actor, data: Any, error: AppError | None = None) -> dict[str, Any]:
    return {"channels": [(c.value, c.label, [(k.value, k.label) for k in kinds])
                         for c, kinds in rules.ENTRY_KINDS.items()],
            "kinds": [(k.value, k.label) for k in SubmissionKind
                      if any(k in kinds for kinds in rules.ENTRY_KINDS.values())],
            "urgencies": [(u.value, label) for u, label in URGENCY_LABELS.items()],
            "replies": [(r.value, REPLY_CHANNEL_LABELS[r]) for r in rules.ENTRY_REPLY_CHANNELS],
            "causes": cause_choices(),
            "named": [c.value for c in rules.NAMED_CHANNELS],
            "form": data, "error": error, **_pickers(actor, data)}


@login_required
@require_http_methods(["GET", "POST"])
def entry_page(request: HttpRequest) -> HttpResponse:
    actor = actor_for_user(request.user)
    try:
        selectors.office_check(actor)
    except AppError as exc:
        return _refused(request, exc)
    if request.method == "GET":
        return render(request, "complaints/entry/form.html", _entry_context(actor, request.GET))
    try:
        item = office_entry_receive(actor=actor, entry=forms.entry_input(request.POST))
    except AppError as exc:
        return render(request, "complaints/entry/form.html",
                      _entry_context(actor, request.POST, exc), status=exc.status)
    return redirect("complaints:entry_saved", ref=item.ref)


@login_required
@require_GET
def entry_subject(request: HttpRequest) -> HttpResponse:
    """htmx partial: the windows, staff and matters of the chosen org."""
    actor = actor_for_user(request.user)
    try:
        selectors.picker_check(actor)
    except AppError as exc:
        return _refused(request, exc)
    return render(request, "complaints/entry/partials/subject.html",
                  _pickers(actor, request.GET))


@login_required
@require_GET
def entry_saved(request: HttpRequest, ref: str) -> HttpResponse:
    actor = actor_for_user(request.user)
    try:
        selectors.office_check(actor)
        item = (scope(Submission.objects.filter(ref=ref), actor, "office_path")
                .select_related("org", "window", "staff", "matter").first())
        if item is None:
            raise NotFound("complaint.not_found", "诉求件不存在或不在本机构管辖范围内")
    except AppError as exc:
        return _refused(request, exc)
    last = item.events.order_by("-at", "-pk").first()
    return render(request, "complaints/entry/saved.html",
                  {"item": item, "note": last.public_note if last else "",
                   "item_url": item_url(item)})


def _mine_context(actor: Actor, data: Any, error: AppError | None = None) -> dict[str, Any]:
    return {"rows": selectors.my_items(actor), "form": data,
            "error": error, "kinds": [(k.value, k.label) for k in rules.MONITOR_KINDS],
            "urgencies": [(u.value, label) for u, label in URGENCY_LABELS.items()],
            "channel": Channel.MONITOR.label, "causes": cause_choices(),
            **_pickers(actor, data)}


@login_required
@require_http_methods(["GET", "POST"])
def mine_page(request: HttpRequest) -> HttpResponse:
    actor = actor_for_user(request.user)
    try:
        selectors.filing_check(actor)
    except AppError as exc:
        return _refused(request, exc)
    if request.method == "GET":
        return render(request, "complaints/entry/mine.html", _mine_context(actor, {}))
    try:
        item = monitor_file(actor=actor, kind=request.POST.get("kind", ""),
                            content=request.POST.get("content", ""),
                            subject=forms.subject_ids(request.POST),
                            urgency=request.POST.get("urgency", "normal"),
                            cause=request.POST.get("cause", ""))
    except AppError as exc:
        return render(request, "complaints/entry/mine.html",
                      _mine_context(actor, request.POST, exc), status=exc.status)
    messages.success(request, f"已提交，受理编号 {item.ref}（{item.get_status_display()}）")
    return redirect("complaints:mine")
