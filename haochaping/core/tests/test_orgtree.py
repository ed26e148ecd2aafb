"""The org pickers' tree (core.orgtree): path order, indentation by depth under the
shallowest org shown, the chosen option, a left-out org, names escaped."""

from __future__ import annotations

from types import SimpleNamespace

from haochaping.core.orgtree import INDENT, options_html, rows_of

ROWS = [(3, "区人社局", "/1/2/3/"), (1, "市政务服务局", "/1/"), (2, "区政务服务局", "/1/2/"),
        (4, "市场<监管>局", "/1/4/")]


def test_options_follow_the_tree_and_indent_by_depth() -> None:
    html = str(options_html(ROWS))
    order = [html.index(f'value="{pk}"') for pk in (1, 2, 3, 4)]
    assert order == sorted(order)
    assert f'data-name="区人社局">{INDENT * 2}区人社局</option>' in html
    assert f'data-name="区政务服务局">{INDENT}区政务服务局</option>' in html
    assert 'data-name="市政务服务局">市政务服务局</option>' in html


def test_depth_counts_from_the_shallowest_org_shown() -> None:
    html = str(options_html([r for r in ROWS if r[0] != 1]))  # a district's own view
    assert 'data-name="区政务服务局">区政务服务局</option>' in html
    assert f">{INDENT}区人社局</option>" in html


def test_the_chosen_org_is_selected_as_a_number_or_its_text() -> None:
    assert 'value="3" selected' in str(options_html(ROWS, 3))
    assert 'value="3" selected' in str(options_html(ROWS, "3"))
    assert "selected" not in str(options_html(ROWS, ""))
    assert "selected" not in str(options_html(ROWS, "abc"))


def test_a_left_out_org_is_not_offered_and_names_are_escaped() -> None:
    html = str(options_html(ROWS, skip=2))
    assert 'value="2"' not in html
    assert "市场&lt;监管&gt;局" in html
    assert "<监管>" not in html


def test_rows_of_objects_and_tuples() -> None:
    org = SimpleNamespace(pk=7, name="窗口", path="/1/7/")
    assert rows_of([org, (8, "甲", "/1/8/")]) == [(7, "窗口", "/1/7/"), (8, "甲", "/1/8/")]
    assert str(options_html([])) == ""
