"""防刷评 screens (issue 15, ``/work/integrity/``): the office's review queue of flagged
ratings, one rating's signals and the decision form, and the registered staff phones and
window/hall networks. Thin: the selectors refuse everyone but the supervising office
(a department never reaches these pages), the services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.catalog.models import Hall, Window
from haochaping.core.bounds import parse_int
from haochaping.core.errors import AppError
from haochaping.integrity import review_rules, selectors, services
from haochaping.integrity.network_rules import mask_ip
from haochaping.integrity.review_rules import Decision
from haochaping.integrity.rules import Signal
from haochaping.stats.labels import window_name


def office(request: HttpRequest) -> Actor:
    actor = actor_for_user(request.user)
    selectors.require_office(actor)
    return actor


def refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    return render(request, "integrity/error.html", {"error": exc}, status=exc.status)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    try:
        actor = office(request)
    except AppError as exc:
        return refused(request, exc)
    signal = request.GET.get("signal", "")
    if signal not in {s.value for s in Signal}:
        signal = ""
    context = {"rows": selectors.queue(actor, signal=signal),
               "counts": selectors.counts_by_signal(actor), "signal": signal,
               "decided": selectors.decided(actor)}
    return render(request, "integrity/index.html", context)


def _rating_page(request: HttpRequest, actor: Actor, pk: int,
                 error: AppError | None = None) -> HttpResponse:
    evaluation, flags, review = selectors.flagged_rating(actor, pk)
    context = {"e": evaluation, "flags": flags, "review": review, "error": error,
               "ip_net": mask_ip(evaluation.ip), "form": request.POST if error else {},
               "place": window_name(evaluation.window) if evaluation.window else "",
               "decisions": [(d.value, d.label) for d in Decision],
               "max_deduction": review_rules.MAX_DEDUCTION}
    return render(request, "integrity/rating.html", context,
                  status=error.status if error else 200)


@login_required
@require_GET
def rating(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        return _rating_page(request, office(request), pk)
    except AppError as exc:
        return refused(request, exc)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = office(request)
        selectors.flagged_rating(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    post = request.POST
    try:
        services.review_decide(actor=actor, evaluation_id=pk, decision=post.get("decision", ""),
                               deduction=post.get("deduction", "").strip(),
                               note=post.get("note", ""),
                               invalidate=post.get("invalidate") == "1", now=timezone.now())
    except AppError as exc:
        return _rating_page(request, actor, pk, exc)
    messages.success(request, "核查结论已记录。")
    return redirect("integrity:index")


def _config_page(request: HttpRequest, actor: Actor,
                 error: AppError | None = None) -> HttpResponse:
    path = actor.scope_path or ""
    windows = (Window.objects.filter(org__path__startswith=path, is_active=True)
               .select_related("hall").order_by("hall__code", "number")[:500])
    halls = Hall.objects.filter(org__path__startswith=path, is_active=True).order_by("code")
    places = ([(f"h:{h.pk}", f"大厅：{h.name}") for h in halls]
              + [(f"w:{w.pk}", f"窗口：{window_name(w)}") for w in windows])
    context = {"phones": selectors.registered_phones(actor),
               "networks": selectors.registered_networks(actor), "places": places,
               "error": error, "form": request.POST if error else {}}
    return render(request, "integrity/config.html", context,
                  status=error.status if error else 200)


@login_required
@require_GET
def config(request: HttpRequest) -> HttpResponse:
    try:
        return _config_page(request, office(request))
    except AppError as exc:
        return refused(request, exc)


@login_required
@require_POST
def config_change(request: HttpRequest) -> HttpResponse:
    try:
        actor = office(request)
    except AppError as exc:
        return refused(request, exc)
    post, now = request.POST, timezone.now()
    what = post.get("what", "")
    try:
        if what == "phone_add":
            services.staff_phone_add(actor=actor, staff_no=post.get("staff_no", ""),
                                     phone=post.get("phone", ""), now=now)
        elif what == "network_add":
            services.network_add(actor=actor, place=post.get("place", ""),
                                 cidr=post.get("cidr", ""), note=post.get("note", ""), now=now)
        elif what in ("phone_remove", "network_remove"):
            pk = parse_int(post.get("pk"), "pk", low=1, code="integrity.pk") or 0
            remove = services.staff_phone_remove if what == "phone_remove" else \
                services.network_remove
            remove(actor=actor, pk=pk)
        else:
            return redirect("integrity:config")
    except AppError as exc:
        return _config_page(request, actor, exc)
    messages.success(request, "已保存。")
    return redirect("integrity:config")
