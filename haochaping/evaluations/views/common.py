"""Helpers shared by the public rating pages: rendering (large text, htmx partials),
errors as a Chinese page or partial, and reading the rating form."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from haochaping.catalog.rules.standards import is_bad
from haochaping.catalog.selectors.standards import active_standard
from haochaping.core.bounds import is_key
from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import AppError, ValidationError
from haochaping.core.htmx import htmx
from haochaping.evaluations import rules
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.selectors import standard_form
from haochaping.handlings.models import Handling

BIG_COOKIE = "hcp_big"  # 大字版: chosen by ?big=1 / ?big=0, remembered for a year
BIG_COOKIE_AGE = 365 * 24 * 3600


def client_ip(request: HttpRequest) -> str | None:
    return client_ip_or_none(request)


def user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:300]


def big_text(request: HttpRequest) -> bool:
    choice = request.GET.get("big")
    if choice in ("0", "1"):
        return choice == "1"
    return request.COOKIES.get(BIG_COOKIE) == "1"


def page(request: HttpRequest, template: str, context: dict[str, Any], *,
         partial: str | None = None, status: int = 200) -> HttpResponse:
    """Render a public page, or only ``partial`` for an htmx request; remember the
    large-text choice when the query string sets it (works without JavaScript)."""
    big = big_text(request)
    context = {**context, "big": big, "big_off_url": _with_big(request, "0"),
               "big_on_url": _with_big(request, "1")}
    name = partial if partial and htmx(request) else template
    response = render(request, name, context, status=status)
    if request.GET.get("big") in ("0", "1"):
        response.set_cookie(BIG_COOKIE, "1" if big else "0", max_age=BIG_COOKIE_AGE,
                            samesite="Lax", httponly=True)
    return response


def _with_big(request: HttpRequest, value: str) -> str:
    query = request.GET.copy()
    query["big"] = value
    return f"{request.path}?{query.urlencode()}"


def error_page(request: HttpRequest, exc: AppError) -> HttpResponse:
    """A refusal as a Chinese page (or partial) carrying the stable code."""
    return page(request, "evaluations/error.html", {"error": exc},
                partial="evaluations/partials/error.html", status=exc.status)


def form_context(handling: Handling) -> dict[str, Any]:
    """The active standard as a form for ``handling``'s channel group."""
    form = standard_form(active_standard())
    group = rules.channel_group_of(has_window=handling.window_id is not None,
                                   service_channel=handling.service_channel)
    return {"form": form, "indicators": form["indicators"][group.value],
            "group_label": group.label, "checklists": checklists(form)}


def checklists(form: dict[str, Any]) -> list[dict[str, Any]]:
    """ONE checklist per level. A 差评 level's content items are its listed bad reasons
    (same codes and texts in the national standards), so a bad level shows them once, as
    reasons (``name="reason"``; an item that is no listed reason stays ``content``), then
    the reasons of no bad level (其他（请填写）); a good level shows its content items."""
    reason_codes = {r["code"] for r in form["reasons"]}
    bad_item_codes = {i["code"] for lv in form["levels"] if lv["is_bad"] for i in lv["items"]}
    lists = []
    for lv in form["levels"]:
        if lv["is_bad"]:
            choices = [{"name": "reason" if i["code"] in reason_codes else "content",
                        "code": i["code"], "text": i["text"]} for i in lv["items"]]
            choices += [{"name": "reason", "code": r["code"], "text": r["text"]}
                        for r in form["reasons"] if r["code"] not in bad_item_codes]
            legend = f"{lv['label']}的原因（可多选，至少选一项或在下方写明）"
        else:
            choices = [{"name": "content", "code": i["code"], "text": i["text"]}
                       for i in lv["items"]]
            legend = f"{lv['label']}：评价内容（可多选）"
        if choices:
            lists.append({"level": lv["level"], "legend": legend, "choices": choices,
                          "is_bad": lv["is_bad"]})
    return lists


def chosen_of(post: QueryDict | None) -> dict[str, Any]:
    """What the rater had chosen, to re-check the boxes after a refusal."""
    if post is None:
        return {"level": 0, "content": [], "reasons": [], "indicator_levels": {}, "text": "",
                "stage": ""}
    return {"level": _int(post.get("level")), "content": post.getlist("content"),
            "stage": post.get("stage", ""),
            "reasons": post.getlist("reason"), "text": post.get("text", ""),
            "indicator_levels": {key[5:]: _int(post.get(key)) for key in post
                                 if key.startswith("item_")}}


def _int(value: str | None) -> int:
    return int(value) if value and is_key(value) and len(value) < 3 else 0


def rating_from_post(post: QueryDict, form: dict[str, Any],
                     indicators: list[dict[str, Any]]) -> RatingInput:
    """Read the form. Boxes of other levels, left ticked while the rater changed level,
    are dropped (only the chosen level's items are visible); reasons only count for
    差评. Everything else is checked by the evaluation rules."""
    level = _int(post.get("level"))
    if level not in range(1, 6):
        raise ValidationError("evaluation.invalid_level", "请选择评价等级", "level")
    level_items = {item["code"] for lv in form["levels"] if lv["level"] == level
                   for item in lv["items"]}
    if is_bad(level):  # their items arrive as reasons (checklists); never both
        level_items -= {r["code"] for r in form["reasons"]}
    content = list(dict.fromkeys(c for c in post.getlist("content") if c in level_items))
    reasons = list(dict.fromkeys(post.getlist("reason"))) if is_bad(level) else []
    item_levels = {}
    for indicator in indicators:
        value = _int(post.get(f"item_{indicator['code']}"))
        if value:
            item_levels[indicator["code"]] = value
    return RatingInput(level=level, item_levels=item_levels, content_codes=content,
                       reason_codes=reasons, text=post.get("text", "").strip())
