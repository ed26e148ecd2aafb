"""The acceptance filter measured on a labelled Chinese test set (issue 14, seed 004 §5).

``data/filter_cases.jsonl``: one item a line, written for these tests: the text, the
decision a careful office clerk would take (accept, refuse, triage, merge), the reason code
or "" and a note; items about duplicates carry the ``recent`` items they are compared
with. The filter runs with the default word lists (``rules.wordlists.DEFAULT_WORDS``, what
migration 0002 seeds). The table is printed on every run (outside pytest's capture):

- per reason code and per §5 category: *flagged* = the machine refused, triaged or merged
  the item with that reason; precision = right / flagged, recall = right / expected;
- refusal precision: of the machine's refusals, the share a clerk would refuse for the
  same reason; clean items refused must be none.

Run: ``pytest haochaping/complaints/tests/test_filter_measure.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from haochaping.complaints.rules.filter import Decision, Recent, Strength, Verdict, Word, assess
from haochaping.complaints.rules.reasons import REASONS, Category
from haochaping.complaints.rules.wordlists import DEFAULT_WORDS

CASES = Path(__file__).parent / "data" / "filter_cases.jsonl"
# Stated floors (docs/complaints.md "Acceptance filter"): the measured values sit above.
RECALL_FLOOR = 0.8  # per reason code and per category
PRECISION_FLOOR = 0.7  # per reason code and category among what the machine flags
REFUSAL_PRECISION_FLOOR = 0.9
CLEAN_ACCEPT_FLOOR = 0.85  # clean items the machine accepts outright (the rest: triage)


@dataclass(frozen=True)
class Case:
    text: str
    decision: str
    reason: str
    note: str
    recent: tuple[Recent, ...]


@dataclass(frozen=True)
class Row:
    label: str
    expected: int
    flagged: int
    right: int

    @property
    def precision(self) -> float:
        return self.right / self.flagged if self.flagged else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


def _cases() -> Iterator[Case]:
    for line in CASES.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        yield Case(raw["text"], raw["decision"], raw["reason"], raw["note"],
                   tuple(Recent(r["ref"], r["text"], r["same_submitter"], r["is_open"],
                                r["answered"]) for r in raw.get("recent", ())))


def _default_words() -> list[Word]:
    return [Word(word, reason, Strength(strength)) for reason, word, strength in DEFAULT_WORDS]


@pytest.fixture(scope="module")
def judged() -> list[tuple[Case, Verdict]]:
    words = _default_words()
    return [(case, assess(case.text, words=words, recent=case.recent)) for case in _cases()]


def _flag(verdict: Verdict) -> str:
    return "" if verdict.decision is Decision.ACCEPT else verdict.reason


def _rows(judged: list[tuple[Case, Verdict]]) -> list[Row]:
    def category(code: str) -> str:
        return REASONS[code].category.value if code else "clean"

    rows = []
    for code in REASONS:
        rows.append(Row(code, sum(c.reason == code for c, _ in judged),
                        sum(_flag(v) == code for _, v in judged),
                        sum(c.reason == code and _flag(v) == code for c, v in judged)))
    for cat in [*(c.value for c in Category), "clean"]:
        rows.append(Row(f"[{cat}]", sum(category(c.reason) == cat for c, _ in judged),
                        sum(category(_flag(v)) == cat for _, v in judged),
                        sum(category(c.reason) == cat and category(_flag(v)) == cat
                            for c, v in judged)))
    return rows


def test_the_set_covers_every_reason_and_plenty_of_clean_items() -> None:
    cases = list(_cases())
    assert len(cases) >= 200
    assert {c.reason for c in cases} >= set(REASONS)
    assert sum(c.decision == "accept" for c in cases) >= 80
    assert {c.decision for c in cases} == {d.value for d in Decision}


def test_precision_and_recall_per_category(judged: list[tuple[Case, Verdict]],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(judged)
    refusals = [(c, v) for c, v in judged if v.decision is Decision.REFUSE]
    right_refusals = sum(c.decision == "refuse" and c.reason == v.reason for c, v in refusals)
    clean = [(c, v) for c, v in judged if c.decision == "accept"]
    clean_refused = [c.text for c, v in clean if v.decision is Decision.REFUSE]
    clean_accepted = sum(v.decision is Decision.ACCEPT for _, v in clean)
    clean_triaged = len(clean) - clean_accepted - len(clean_refused)
    exact = sum(c.decision == v.decision.value and c.reason == v.reason for c, v in judged)
    with capsys.disabled():
        print(f"\nacceptance filter on {len(judged)} labelled items (filter_cases.jsonl)")
        print(f"{'reason / [category]':<22}{'expected':>9}{'flagged':>9}{'right':>7}"
              f"{'precision':>11}{'recall':>8}")
        for row in rows:
            print(f"{row.label:<22}{row.expected:>9}{row.flagged:>9}{row.right:>7}"
                  f"{row.precision:>11.2f}{row.recall:>8.2f}")
        print(f"machine refusals {len(refusals)}, right {right_refusals}, precision "
              f"{right_refusals / max(len(refusals), 1):.2f}; clean items {len(clean)}, "
              f"accepted {clean_accepted}, triaged {clean_triaged}, "
              f"refused {len(clean_refused)}; exact decision and reason {exact}/{len(judged)}")
    assert clean_refused == []
    assert right_refusals / len(refusals) >= REFUSAL_PRECISION_FLOOR
    assert clean_accepted / len(clean) >= CLEAN_ACCEPT_FLOOR
    low_recall = [(r.label, round(r.recall, 2)) for r in rows if r.recall < RECALL_FLOOR]
    low_precision = [(r.label, round(r.precision, 2)) for r in rows
                     if r.precision < PRECISION_FLOOR]
    assert low_recall == []
    assert low_precision == []


def test_no_item_a_clerk_would_triage_is_refused(judged: list[tuple[Case, Verdict]]) -> None:
    bold = [c.text for c, v in judged if c.decision in {"triage", "accept"}
            and v.decision is Decision.REFUSE]
    assert bold == []
