"""The shared search / sort / paging helper of the staff lists (core.listing)."""

from __future__ import annotations

from urllib.parse import parse_qs

from hypothesis import given
from hypothesis import strategies as st

from haochaping.core import listing
from haochaping.core.bounds import MAX_PAGE

SORTS = ("due", "org")


def parse(**query: str) -> listing.ListQuery:
    return listing.parse_list(query, sorts=SORTS, default_sort="due", filters=("status",))


def test_defaults_and_known_sorts() -> None:
    lq = parse()
    assert (lq.text, lq.phone_hash, lq.sort, lq.descending, lq.page) == ("", "", "due",
                                                                         False, 1)
    assert lq.filters == {"status": ""}
    lq = parse(sort="-org", page="3", status="signed", q="  P0001   abc ")
    assert (lq.sort, lq.descending, lq.page, lq.text) == ("org", True, 3, "P0001 abc")
    assert lq.filters == {"status": "signed"}


def test_unknown_sort_falls_back() -> None:
    assert parse(sort="password").sort == "due"
    assert parse(sort="-pk").sort == "due"
    lq = listing.parse_list({}, sorts=SORTS, default_sort="-org")
    assert (lq.sort, lq.descending) == ("org", True)


def test_links_keep_filters_flip_sort_and_reset_page() -> None:
    lq = parse(sort="org", page="4", status="signed", q="abc")
    assert parse_qs(lq.sort_link("org")) == {"sort": ["-org"], "status": ["signed"],
                                             "q": ["abc"]}
    assert parse_qs(lq.sort_link("due"))["sort"] == ["due"]
    assert parse_qs(lq.page_link(5))["page"] == ["5"]
    assert "page" not in parse_qs(lq.page_link(1))


def test_a_phone_never_stays_in_the_query() -> None:
    assert listing.phone_in_query({"q": "138 1234 1234"})
    assert not listing.phone_in_query({"q": "P00000012"})
    assert parse(q="13812341234").text == ""
    target = listing.search_target({"q": "+86 138-1234-1234", "status": "signed",
                                    "sort": "-org"},
                                   hasher=lambda p: "ab" * 16 + p[-4:], filters=("status",))
    found = parse_qs(target)
    assert "q" not in found
    assert "1381234" not in target
    assert found == {"ph": ["ab" * 16 + "1234"], "status": ["signed"], "sort": ["-org"]}
    assert parse_qs(listing.search_target({"q": "P001"}, hasher=str)) == {"q": ["P001"]}


def test_a_hash_is_a_hash() -> None:
    assert parse(ph="ab" * 32).phone_hash == "ab" * 32
    assert parse(ph="13812341234").phone_hash == ""  # digits only: too short to be a hash
    assert parse(ph="<script>").phone_hash == ""


@given(st.text(max_size=30))
def test_any_page_is_a_page(raw: str) -> None:
    assert 1 <= listing.parse_page(raw) <= MAX_PAGE


@given(st.text(max_size=200))
def test_search_text_is_bounded(raw: str) -> None:
    text = listing.clean_search(raw)
    assert len(text) <= listing.TEXT_MAX
    assert text == text.strip()
