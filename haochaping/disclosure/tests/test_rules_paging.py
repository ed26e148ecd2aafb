"""Pure rules of the public pages (issue 16): headline figures from a snapshot document,
search text and paging that never end on an error."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from haochaping.disclosure import rules


def _document() -> dict[str, object]:
    return {
        "ranking": [{"rank": 1, "ratings": 30}, {"rank": 2, "ratings": 12},
                    {"rank": None, "ratings": 2}],
        "rectification": [{"bad_reviews": 3, "orders": 3, "voided": 1, "closed": 1},
                          {"bad_reviews": 1, "orders": 1, "voided": 0, "closed": 1}],
    }


def test_headline_sums_counts_and_divides_once() -> None:
    found = rules.headline(_document())
    assert (found.departments, found.ranked, found.ratings) == (3, 2, 44)
    assert (found.bad_reviews, found.due, found.closed) == (4, 3, 2)
    assert found.rectification == "66.7%"


def test_headline_of_an_empty_period_shows_a_dash() -> None:
    found = rules.headline({"ranking": [], "rectification": []})
    assert found.ratings == 0
    assert found.rectification == "—"


def test_search_text_is_trimmed_and_bounded() -> None:
    assert rules.search_text("  市场 ") == "市场"
    assert rules.search_text(None) == ""
    assert len(rules.search_text("局" * 500)) == 40


@given(total=st.integers(min_value=0, max_value=10_000),
       page=st.one_of(st.none(), st.text(max_size=12)))
def test_any_page_text_names_a_page_that_exists(total: int, page: str | None) -> None:
    found = rules.page_of(total, page)
    assert 1 <= found.number <= found.pages
    assert found.offset <= max(total - 1, 0) or total == 0
    assert (found.next is None) == (found.number == found.pages)
    assert (found.previous is None) == (found.number == 1)


def test_a_page_past_the_end_is_the_last_one() -> None:
    assert rules.page_of(45, "99").number == 3
    assert rules.page_of(45, "２").number == 1  # full-width digits are not a page number
    assert rules.page_of(45, "2").offset == rules.PAGE_SIZE
