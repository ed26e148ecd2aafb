"""``{% sort_header lq key label target %}`` and ``{% pager page lq target %}``: the column
headers and the page links of every staff list (``core.listing``). ``target`` is the
htmx target the links swap (empty: plain links)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from haochaping.core.listing import ListQuery

register = template.Library()


@register.simple_tag
def sort_header(lq: ListQuery, key: str, label: str, target: str = "") -> SafeString:
    """A ``<th>`` whose link sorts by ``key`` (again: the other way), marked with
    ``aria-sort`` and an arrow when it is the sort."""
    active = lq.sort == key
    arrow = ("▼" if lq.descending else "▲") if active else ""
    aria = ("descending" if lq.descending else "ascending") if active else "none"
    href = "?" + lq.sort_link(key)
    if target:
        return format_html(
            '<th aria-sort="{}"><a href="{}" hx-get="{}" hx-target="#{}" hx-push-url="true"'
            ' title="按{}排序">{}{}</a></th>', aria, href, href, target, label, label, arrow)
    return format_html('<th aria-sort="{}"><a href="{}" title="按{}排序">{}{}</a></th>',
                       aria, href, label, label, arrow)


@register.inclusion_tag("core/partials/pager.html")
def pager(page: Any, lq: ListQuery, target: str = "", unit: str = "条") -> dict[str, Any]:
    previous = lq.page_link(page.previous_page_number()) if page.has_previous() else ""
    following = lq.page_link(page.next_page_number()) if page.has_next() else ""
    return {"page": page, "previous": previous, "following": following, "target": target,
            "unit": unit}
