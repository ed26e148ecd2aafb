"""Search, sort and paging of the staff lists (issue 16), defined once.

Every staff list (the department workbench, the office console's tabs, the phone
invitations) reads its query string through ``parse_list``: a free-text ``q``, a sort key
from the list's own allow-list (``sort=due`` or ``sort=-due``), a bounded page
(``core.bounds.MAX_PAGE``) and the list's filters, kept for the links it draws.

A phone number never travels in a URL (``core.pii``, ``core.edge``): the search form is a
POST; ``search_target`` turns a phone typed into ``q`` into the rater's blind index
(``ph``, a keyed hash the list matches against ``Rater.phone_index``) and answers the GET
address to redirect to. A phone typed straight into a GET ``q`` is redirected the same way
(``phone_in_query``), so it leaves the address bar at once.

Core imports no app: the caller passes the vault's hash function.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet

from haochaping.core.bounds import MAX_PAGE
from haochaping.core.pii import MOBILE

TEXT_MAX = 64  # a search longer than any order, case or phone number is cut
PHONE_HASH = re.compile(r"[0-9a-f]{16,128}")
# The reserved parameters of every list; a list's filters use other names.
RESERVED = ("q", "ph", "sort", "page")


@dataclass(frozen=True)
class ListQuery:
    """What one request asks of a list. ``filters`` are the list's own parameters,
    as strings (empty when absent)."""

    text: str = ""
    phone_hash: str = ""
    sort: str = ""
    descending: bool = False
    page: int = 1
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def sort_param(self) -> str:
        return f"-{self.sort}" if self.descending and self.sort else self.sort

    def params(self, **changes: str | int | None) -> dict[str, str]:
        """The list's parameters (page 1 and empty values left out), with ``changes``."""
        values: dict[str, str] = {**self.filters, "q": self.text, "ph": self.phone_hash,
                                  "sort": self.sort_param, "page": str(self.page)}
        for name, value in changes.items():
            values[name] = "" if value is None else str(value)
        if values.get("page") == "1":
            values["page"] = ""
        return {name: value for name, value in values.items() if value}

    def query(self, **changes: str | int | None) -> str:
        """A query string of ``params`` (``?`` not included)."""
        return urlencode(self.params(**changes))

    def sort_link(self, key: str) -> str:
        """The query of a column header: sort by ``key``, the other way when it is
        already the sort, from page 1."""
        flip = key == self.sort and not self.descending
        return self.query(sort=f"-{key}" if flip else key, page=None)

    def page_link(self, number: int) -> str:
        return self.query(page=number)

    @property
    def query_without_phone(self) -> str:
        return self.query(ph=None, page=None)


def is_phone(text: str) -> bool:
    """Is ``text`` a mainland mobile number, as people write it (spaces, +86)?"""
    return bool(MOBILE.fullmatch(text.strip()))


def clean_search(raw: str | None) -> str:
    """The free text: stripped, inner whitespace runs made one space, cut at TEXT_MAX."""
    return " ".join((raw or "").split())[:TEXT_MAX]


def parse_page(raw: str | None) -> int:
    """A page number from 1 to MAX_PAGE; anything else is page 1 (a list never fails on
    its page)."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return 1
    return min(max(int(text), 1), MAX_PAGE)


def parse_list(query: Mapping[str, str], *, sorts: Iterable[str], default_sort: str,
               filters: Sequence[str] = ()) -> ListQuery:
    """Read a list's query string. An unknown sort falls back to ``default_sort``
    (``-key`` for descending); a ``ph`` that is not a hash is dropped; a phone left in
    ``q`` is dropped too (the view redirects it first, ``phone_in_query``)."""
    allowed = set(sorts)
    raw_sort = (query.get("sort") or "").strip()
    key = raw_sort.removeprefix("-")
    if key not in allowed:
        raw_sort = default_sort
        key = raw_sort.removeprefix("-")
    text = clean_search(query.get("q"))
    phone_hash = (query.get("ph") or "").strip().lower()
    return ListQuery(
        text="" if is_phone(text) else text,
        phone_hash=phone_hash if PHONE_HASH.fullmatch(phone_hash) else "",
        sort=key, descending=raw_sort.startswith("-"),
        page=parse_page(query.get("page")),
        filters={name: clean_search(query.get(name)) for name in filters})


def search_target(form: Mapping[str, str], *, hasher: Callable[[str], str],
                  filters: Sequence[str] = ()) -> str:
    """The query string (no ``?``) a POSTed search form redirects to: its filters and
    sort, its text, or the blind index of the phone typed as text. Page 1."""
    text = clean_search(form.get("q"))
    values = {name: clean_search(form.get(name)) for name in filters}
    values["sort"] = clean_search(form.get("sort"))
    if is_phone(text):
        values["ph"] = hasher(re.sub(r"\D", "", text)[-11:])
    else:
        values["q"] = text
    return urlencode({name: value for name, value in values.items() if value})


def phone_in_query(query: Mapping[str, str]) -> bool:
    """Did a GET carry a phone in ``q`` (a hand-typed address)? The view redirects."""
    return is_phone(clean_search(query.get("q")))


def text_match(text: str, fields: Sequence[str]) -> Q:
    """Rows where any of ``fields`` contains ``text`` (case-insensitive)."""
    match = Q()
    for name in fields:
        match |= Q(**{f"{name}__icontains": text})
    return match


def apply(qs: QuerySet, lq: ListQuery, *, text_fields: Sequence[str],
          phone_fields: Sequence[str], sorts: Mapping[str, Sequence[str]]) -> QuerySet:
    """Narrow ``qs`` by the text and the phone hash, and order it by the chosen sort
    (its fields reversed when descending, empty values last either way; ``pk`` last
    so pages are stable)."""
    if lq.text:
        qs = qs.filter(text_match(lq.text, text_fields))
    if lq.phone_hash:
        by_phone = Q()
        for name in phone_fields:
            by_phone |= Q(**{name: lq.phone_hash})
        qs = qs.filter(by_phone)
    order = [F(name).desc(nulls_last=True) if lq.descending else F(name).asc(nulls_last=True)
             for name in sorts[lq.sort]]
    return qs.order_by(*order, "-pk" if lq.descending else "pk")


def page_of(qs: QuerySet, lq: ListQuery, size: int) -> Page:
    """The asked page, or the last one when it is past the end."""
    return Paginator(qs, size).get_page(lq.page)
