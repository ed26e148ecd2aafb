"""Search and sort of the drill-downs (issue 16), on the shared list helper (core.listing).

A drill-down's search box finds rows by 办件编号, 工单编号, matter or window name as text
(诉求件: their 受理编号), or by the rater's phone through its blind index: the form is a
POST redirected to a GET carrying ``ph`` (the keyed hash), never the phone, exactly like
the staff lists. The sort is the keyset's own field both ways: ``sort=-time`` (newest
first, the default) or ``sort=time`` (oldest first), and for ratings also ``sort=level``
(worst first) or ``sort=-level`` (best first), ties in row order; the
cursors page every way.

A search only narrows rows already scoped to the viewer (``drill``/``drill_rows``/
``drill_items`` scope first), so it never widens what a department sees. While a search
is active the total shown is the count of the found rows ("找到 N 条"), not the roll-up
figure, and the export links are hidden: an export is always the figure's full list.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from haochaping.core import listing
from haochaping.core.errors import ValidationError
from haochaping.vault import blind_index
from haochaping.workorders.numbering import number_key

NEWEST = "-time"
# the drill-downs' own parameters, kept through the search form's redirect
KEPT = ("period", "start", "end", "scope", "region", "figure", "org", "own_region", "hall",
        "window", "staff", "matter", "channel", "matter_category", "kind", "cause")
EVALUATIONS, HANDLINGS, ORDERS, ITEMS, SPOTS = (
    "evaluations", "handlings", "orders", "items", "spots")
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    EVALUATIONS: ("handling__proj_no", "matter__name", "window__name"),
    HANDLINGS: ("proj_no", "matter__name", "window__name"),
    ORDERS: ("handling__proj_no", "evaluation__handling__proj_no", "handling__matter__name",
             "evaluation__matter__name", "handling__window__name", "evaluation__window__name"),
    ITEMS: ("ref",), SPOTS: ("submission__ref",),
}
# 诉求件 have none: their submitter is confidential (seed 004 §10), not even searchable
PHONE_FIELDS: dict[str, tuple[str, ...]] = {
    EVALUATIONS: ("rater__phone_index",), HANDLINGS: ("rater__phone_index",),
    ORDERS: ("evaluation__rater__phone_index", "handling__rater__phone_index"),
}
# each list's sorts (the default: time only); "level" is also the keyset's field
SORTS: dict[str, tuple[str, ...]] = {EVALUATIONS: ("time", "level")}
TIME_ONLY = ("time",)
# the sort links, in the order shown: (label, sort parameter, test id)
SORT_LINKS = (("由新到旧", NEWEST, "sort-newest"), ("由旧到新", "time", "sort-oldest"),
              ("差评在前", "level", "sort-worst"), ("好评在前", "-level", "sort-best"))
PLACEHOLDERS = {
    EVALUATIONS: "办件编号、事项、窗口或手机号", HANDLINGS: "办件编号、事项、窗口或手机号",
    ORDERS: "工单编号、办件编号、事项、窗口或手机号", ITEMS: "受理编号", SPOTS: "受理编号",
}


def phone_hash(phone: str) -> str:
    return blind_index("phone", phone)


def search_redirect(request: HttpRequest) -> HttpResponse | None:
    """The GET a POSTed search (or a phone typed into a GET ``q``) goes to; None for a
    plain GET."""
    if request.method != "POST" and not listing.phone_in_query(request.GET):
        return None
    form = request.POST if request.method == "POST" else request.GET
    target = listing.search_target(form, hasher=phone_hash, filters=KEPT)
    return redirect(f"{request.path}?{target}" if target else request.path)


def list_query(request: HttpRequest, kind: str) -> listing.ListQuery:
    """The search, filters and sort of a drill-down of ``kind``; a sort the list does not
    offer falls back to newest first."""
    return listing.parse_list(request.GET, sorts=SORTS.get(kind, TIME_ONLY),
                              default_sort=NEWEST, filters=KEPT)


def sort_field(lq: listing.ListQuery) -> str:
    """The ratings' keyset field of the chosen sort."""
    return "created_at" if lq.sort == "time" else lq.sort


def searching(lq: listing.ListQuery) -> bool:
    return bool(lq.text or lq.phone_hash)


def extra(lq: listing.ListQuery) -> dict[str, str | None]:
    """The search and sort parameters every link of the page keeps."""
    return {"q": lq.text or None, "ph": lq.phone_hash or None,
            "sort": None if lq.sort_param == NEWEST else lq.sort_param}


def searched(qs: QuerySet[Any], lq: listing.ListQuery, kind: str) -> QuerySet[Any]:
    """``qs`` narrowed by the search (never widened). A whole 工单编号 finds its order."""
    if lq.phone_hash:
        if kind not in PHONE_FIELDS:
            raise ValidationError("stats.search_phone",
                                  "诉求件明细不能按手机号查找，请输入受理编号", "q")
        by_phone = Q()
        for name in PHONE_FIELDS[kind]:
            by_phone |= Q(**{name: lq.phone_hash})
        qs = qs.filter(by_phone)
    if not lq.text:
        return qs
    typed = lq.text.upper()
    key = number_key(typed) if kind == ORDERS else None
    if key is not None:
        return qs.filter(pk__in=[o.pk for o in qs.filter(pk=key) if o.number == typed])
    return qs.filter(listing.text_match(lq.text, TEXT_FIELDS[kind]))


def search_context(lq: listing.ListQuery, kind: str, base: dict[str, Any],
                   params: Any) -> dict[str, Any]:
    """What the search form and the sort toggle draw. ``params(**extra)`` is the page's
    query string builder (stats.views.common.Filters.params with its figure and key)."""
    kept = {**extra(lq)}
    return {
        "lq": lq, "searching": searching(lq), "placeholder": PLACEHOLDERS[kind],
        "kept": [(k, v) for k, v in base.items() if v not in (None, "")],
        "sorts": [(label, "?" + params(**{**kept, "sort": None if sort == NEWEST else sort}),
                   sort == lq.sort_param, testid)
                  for label, sort, testid in SORT_LINKS
                  if sort.removeprefix("-") in SORTS.get(kind, TIME_ONLY)],
        "clear_url": "?" + params(sort=kept["sort"]),
    }
