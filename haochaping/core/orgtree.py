"""The org pickers of every staff screen as a tree: ``<option>`` rows in path order,
indented by depth under the shallowest org shown, each carrying its plain name for the
search box next to the picker (``static/core/orgfilter.js``).

Pure over org rows or ``(pk, name, path)`` tuples, so core imports no app: a caller
passes its scoped org query, or ``values_list("pk", "name", "path")`` of one when it may
hold thousands.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

Row = tuple[int, str, str]
INDENT = "\u3000"  # an ideographic space: one character of Chinese text per level


def rows_of(orgs: Iterable[Any]) -> list[Row]:
    """``(pk, name, path)`` of org rows or of such tuples. A query is read once and keeps
    its rows, so a picker repeated on every row of a list costs one statement."""
    return [o if isinstance(o, tuple) else (o.pk, o.name, o.path) for o in orgs]


def options_html(orgs: Iterable[Any], chosen: Any = None, *,
                 skip: Any = None) -> SafeString:
    """The options of an org picker as a tree; ``chosen`` (a pk, or its text as a query
    parameter carries it) is selected, ``skip`` (a pk) is left out."""
    rows = sorted(rows_of(orgs), key=lambda r: r[2])
    picked = str(chosen) if chosen not in (None, "") else None
    left_out = str(skip) if skip not in (None, "") else None
    top = min((path.count("/") for _, _, path in rows), default=0)
    return format_html_join("", '<option value="{}"{} data-name="{}">{}{}</option>', (
        (pk, mark_safe(" selected") if str(pk) == picked else "", name,  # noqa: S308
         INDENT * (path.count("/") - top), name)
        for pk, name, path in rows if str(pk) != left_out))
