"""core.text: the edge's text rule (NFC, no control characters), without a database."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haochaping.core.text import MAX_DEPTH, TooDeep, clean_data, clean_text, is_clean


@pytest.mark.parametrize(("raw", "clean"), [
    ("普通文本 plain", "普通文本 plain"),
    ("a\x00b", "ab"),
    ("line1\r\nline2\rline3\n\ttab", "line1\nline2\nline3\n\ttab"),
    ("\x1b[31mred\x7f\x85", "[31mred"),
    ("Cafe\u0301", "Caf\u00e9"),
    ("\ufeff名称", "名称"),
    ("abc\u202egnp.exe", "abcgnp.exe"),
    ("x\ud800y\uffff", "xy"),
    ("👍🏽 emoji 👨‍👩‍👧", "👍🏽 emoji 👨‍👩‍👧"),
])
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    assert is_clean(clean)


@given(st.text())
def test_cleaning_is_idempotent_and_leaves_no_control(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert all(c in "\t\n" or unicodedata.category(c) not in ("Cc", "Cs") for c in once)
    assert isinstance(once.encode("utf-8"), bytes)  # nothing an encoder refuses


def test_clean_data_cleans_keys_and_nested_strings_only() -> None:
    data = {"a\x00": ["x\x00", 1, None, True, {"k": "v\x07"}], "n": 2.5}
    assert clean_data(data) == {"a": ["x", 1, None, True, {"k": "v"}], "n": 2.5}


def test_clean_data_refuses_a_document_nested_too_deeply() -> None:
    deep: list[object] = []
    for _ in range(MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(TooDeep):
        clean_data(deep)
