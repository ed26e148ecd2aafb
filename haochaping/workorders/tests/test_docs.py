"""docs/workorders.md embeds the transition table generated from workorders.rules."""

from __future__ import annotations

from pathlib import Path

from haochaping.workorders.rules import transition_table_markdown

DOC = Path(__file__).resolve().parents[3] / "docs" / "workorders.md"
BEGIN, END = "<!-- transitions:begin -->\n", "<!-- transitions:end -->"


def test_transition_table_in_docs_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    embedded = text[text.index(BEGIN) + len(BEGIN):text.index(END)]
    assert embedded == transition_table_markdown(), (
        "docs/workorders.md is out of date: paste transition_table_markdown() between the "
        "transitions markers")
