"""The acceptance filter (seed 004 §5: 内容过滤机制). Pure, no ORM.

``assess`` judges one item's text against the office's word lists and the submitter's and
the subject's recent items, and returns a :class:`Verdict`: accept, refuse (with a reason
of ``rules.reasons``), merge into a duplicate, or triage (the office decides). The machine
refuses only on a clear case; anything it is unsure of goes to triage. The checks, in
order (docs/complaints.md "Acceptance filter"):

1. no concrete content (refuse): fewer than ``MIN_CHARS`` letters, digits or Chinese
   characters, fewer than ``MIN_DISTINCT`` different ones, or no noun-like token (jieba's
   part-of-speech tags, fillers such as 你好/测试 left out). A text shorter than
   ``MIN_CONTENT_CHARS`` is refused only when it names no government service; otherwise
   the office looks at it;
2. a ``hit`` word of the office's lists standing as a word of its own in the text
   (its ends fall on jieba token boundaries) and neither quoted nor reported
   ("工作人员骂我……", "窗口让我去申请行政复议", "不是要上访") → refuse with its reason; a
   hit that is quoted, reported or cut through a word counts as a cue;
3. a near-duplicate of the submitter's own open item → merge into it;
4. a ``cue`` word → triage with its reason;
5. a near-duplicate of the submitter's own answered or closed item → triage ``pestering``
   (the office checks whether there are new facts; §5(二) 无理纠缠);
6. no demand marker and no service term → triage ``unclear``;
7. a near-duplicate of someone else's recent item on the same subject → triage
   ``repeated``: perhaps a common problem (§7), never refused;
8. otherwise accept.

Near-duplicates: Jaccard similarity of the two texts' character-bigram sets (letters,
digits and Chinese characters only) at least ``DUPLICATE_SIMILARITY``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from haochaping.complaints.rules.wordlists import (
    DEMAND_MARKERS,
    FILLERS,
    MENTION_BEFORE,
    MENTION_WINDOW,
    NOUN_TAGS,
    QUOTE_PAIRS,
    SERVICE_TERMS,
)

MIN_CHARS = 4  # fewer letters, digits or Chinese characters: nothing to read at all
MIN_DISTINCT = 3  # "啊啊啊啊啊啊" is not content
MIN_CONTENT_CHARS = 8  # shorter and naming no service: no concrete content (refuse)
DUPLICATE_SIMILARITY = 0.6  # Jaccard over character bigrams; see module docstring
# Which reason wins when an item trips several (the graver category first, §5 order).
REASON_ORDER = ("security", "unlawful", "abuse", "discipline", "litigation",
                "reconsideration", "petition", "pestering", "no_content", "unclear",
                "repeated")

_MEANINGFUL = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]")


class Decision(StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"
    TRIAGE = "triage"
    MERGE = "merge"  # a near-duplicate of the submitter's own open item


class Strength(StrEnum):
    HIT = "hit"  # refuse outright when found
    CUE = "cue"  # only send the item to triage


@dataclass(frozen=True)
class Word:
    word: str
    reason: str  # a code of rules.reasons.REASONS
    strength: Strength = Strength.CUE


@dataclass(frozen=True)
class Recent:
    """An earlier item the new one is compared with."""

    ref: str
    text: str
    same_submitter: bool
    is_open: bool
    answered: bool = False  # answered or closed: a repeat of it may be 无理纠缠


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reason: str = ""  # reason code when refused or triaged
    explanation: str = ""  # for the office, plain Chinese
    matched: tuple[str, ...] = ()
    duplicate_of: str = ""  # ref of the item it duplicates
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {"decision": self.decision.value, "reason": self.reason,
                "explanation": self.explanation, "matched": list(self.matched),
                "duplicate_of": self.duplicate_of, "notes": list(self.notes)}


@dataclass(frozen=True)
class Match:
    """A word of the lists found in the text, with the strength it acts with."""

    word: str
    reason: str
    strength: Strength
    note: str = ""  # why it acts weaker than its list says
    counts: bool = True  # False: a quoted, reported or negated cue, kept as a note only


# -- segmentation ------------------------------------------------------------------------

@cache
def _tagger() -> Any:
    """jieba's part-of-speech tokenizer, loaded on first use and once per process (about
    1.5 s: the dictionary and the HMM tables); its start-up log is silenced."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.posseg.dt


def segment(body: str) -> list[tuple[str, str]]:
    """(token, part-of-speech tag) pairs of ``body``; their texts concatenate to it."""
    return [(pair.word, pair.flag) for pair in _tagger().cut(body)]


def normalize(text: str) -> str:
    """Full-width letters and digits folded (NFKC), lower case, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def meaningful(body: str) -> str:
    """Only the letters, digits and Chinese characters of ``body``."""
    return "".join(_MEANINGFUL.findall(body))


def shingles(text: str) -> frozenset[str]:
    core = meaningful(normalize(text))
    if len(core) < 2:
        return frozenset({core}) if core else frozenset()
    return frozenset(core[i:i + 2] for i in range(len(core) - 1))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the character-bigram sets of two texts (0…1)."""
    left, right = shingles(a), shingles(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


# -- word lists ----------------------------------------------------------------------------

def _boundaries(tokens: Sequence[tuple[str, str]]) -> frozenset[int]:
    edges = {0}
    at = 0
    for token, _ in tokens:
        at += len(token)
        edges.add(at)
    return frozenset(edges)


def _quoted(body: str, start: int) -> bool:
    for opener, closer in QUOTE_PAIRS:
        before = body[:start]
        if opener == closer:
            if before.count(opener) % 2 == 1 and opener in body[start:]:
                return True
        elif before.rfind(opener) > before.rfind(closer) and closer in body[start:]:
            return True
    return False


def _mentioned(body: str, start: int) -> bool:
    window = body[max(0, start - MENTION_WINDOW):start]
    return any(marker in window for marker in MENTION_BEFORE)


def _at(word: Word, needle: str, body: str, start: int, edges: frozenset[int]) -> Match | None:
    """How one occurrence of a list word acts (None: it is inside another word)."""
    aligned = start in edges and start + len(needle) in edges
    if not aligned:
        if word.strength is Strength.CUE and len(needle) <= 2:
            return None  # "复议" inside "行政复议决定书" is the document's name
        return Match(word.word, word.reason, Strength.CUE, "词界不符")
    if _quoted(body, start) or _mentioned(body, start):
        if word.strength is Strength.HIT:
            return Match(word.word, word.reason, Strength.CUE, "引述、转述或否定")
        return Match(word.word, word.reason, Strength.CUE, "引述、转述或否定，未计",
                     counts=False)
    return Match(word.word, word.reason, word.strength)


def _rank(match: Match) -> int:
    if not match.counts:
        return 2
    return 0 if match.strength is Strength.HIT else 1


def find_words(body: str, tokens: Sequence[tuple[str, str]],
               words: Sequence[Word]) -> list[Match]:
    """The list words found in ``body`` (normalized), each with how it acts: a hit refuses
    only where it stands as a word of its own (jieba token boundaries at both ends),
    unquoted and neither reported nor negated (``MENTION_BEFORE``), else it acts as a cue;
    a cue of two characters or fewer counts only as a word of its own, and a quoted,
    reported or negated cue does not count (it stays in the notes for the office)."""
    edges = _boundaries(tokens)
    found: list[Match] = []
    for word in words:
        needle = normalize(word.word)
        best: Match | None = None
        start = body.find(needle) if needle else -1
        while start >= 0:
            match = _at(word, needle, body, start, edges)
            if match is not None and (best is None or _rank(match) < _rank(best)):
                best = match
            start = body.find(needle, start + 1)
        if best is not None:
            found.append(best)
    return found


def _first(matches: Sequence[Match]) -> list[Match]:
    """The matches of the gravest reason among them (REASON_ORDER)."""
    rank = {code: i for i, code in enumerate(REASON_ORDER)}
    top = min(rank.get(m.reason, len(rank)) for m in matches)
    return [m for m in matches if rank.get(m.reason, len(rank)) == top]


def _words_verdict(decision: Decision, matches: Sequence[Match]) -> Verdict:
    chosen = _first(matches)
    notes = tuple(f"{m.word}（{m.note}）" for m in matches if m.note)
    lead = "命中过滤词：" if decision is Decision.REFUSE else "疑似，需人工判断："
    return Verdict(decision, chosen[0].reason, lead + "、".join(m.word for m in chosen),
                   tuple(m.word for m in matches), notes=notes)


# -- the filter ----------------------------------------------------------------------------

def _content_tokens(tokens: Sequence[tuple[str, str]]) -> list[str]:
    return [token for token, tag in tokens
            if tag.startswith(NOUN_TAGS) and token not in FILLERS and meaningful(token)]


def _has_any(body: str, terms: Sequence[str]) -> bool:
    return any(normalize(term) in body for term in terms)


def _duplicate(body: str, recent: Sequence[Recent]) -> tuple[Recent, float] | None:
    best: tuple[Recent, float] | None = None
    for item in recent:
        score = similarity(body, item.text)
        if score >= DUPLICATE_SIMILARITY and (best is None or score > best[1]):
            best = (item, score)
    return best


def _structure(body: str, tokens: Sequence[tuple[str, str]],
               matches: Sequence[Match]) -> Verdict | None:
    """Check 1: is there anything concrete to act on? ``None`` when there is."""
    core = meaningful(body)
    if len(core) < MIN_CHARS:
        return Verdict(Decision.REFUSE, "no_content",
                       f"有效内容不足{MIN_CHARS}个字，无法确定诉求")
    if len(set(core)) < MIN_DISTINCT:
        return Verdict(Decision.REFUSE, "no_content", "内容为重复字符，无法确定诉求")
    if matches:  # the word lists have something to say: they decide
        return None
    content = _content_tokens(tokens)
    if not content:
        if len(core) >= 2 * MIN_CONTENT_CHARS:  # long, yet no noun: let the office read it
            return Verdict(Decision.TRIAGE, "no_content",
                           "未识别到办理的事项或部门，请人工判断")
        return Verdict(Decision.REFUSE, "no_content",
                       "未识别到办理的事项、部门或具体问题")
    if len(core) < MIN_CONTENT_CHARS:
        if _has_any(body, SERVICE_TERMS):
            return Verdict(Decision.TRIAGE, "no_content",
                           f"内容少于{MIN_CONTENT_CHARS}个字，但提到了政务服务，请人工判断",
                           tuple(content))
        return Verdict(Decision.REFUSE, "no_content",
                       f"内容少于{MIN_CONTENT_CHARS}个字，且未提到具体的政务服务")
    return None


def assess(text: str, *, words: Sequence[Word], recent: Sequence[Recent] = ()) -> Verdict:
    """Judge ``text`` (already cleaned by ``core.text``); see the module docstring."""
    body = normalize(text)
    tokens = segment(body) if len(meaningful(body)) >= MIN_CHARS else []
    found_words = find_words(body, tokens, words)
    matches = [m for m in found_words if m.counts]
    mentions = tuple(f"{m.word}（{m.note}）" for m in found_words if not m.counts)
    found = _structure(body, tokens, matches)
    if found is not None and found.decision is Decision.REFUSE:
        return found
    short = found  # little content but a service named: triage unless graver shows
    hits = [m for m in matches if m.strength is Strength.HIT]
    if hits:
        return _words_verdict(Decision.REFUSE, hits)
    mine = _duplicate(body, [r for r in recent if r.same_submitter and r.is_open])
    if mine is not None:
        item, score = mine
        return Verdict(Decision.MERGE, "repeated",
                       f"与本人在办的 {item.ref} 内容相近（相似度 {score:.2f}）",
                       duplicate_of=item.ref)
    if matches:
        return _words_verdict(Decision.TRIAGE, matches)
    if short is not None:
        return short
    answered = _duplicate(body, [r for r in recent if r.same_submitter and r.answered])
    if answered is not None:
        item, score = answered
        return Verdict(Decision.TRIAGE, "pestering",
                       f"与本人已答复的 {item.ref} 内容相近（相似度 {score:.2f}），"
                       "请核实是否提供了新的事实和理由", duplicate_of=item.ref)
    if not _has_any(body, DEMAND_MARKERS) and not _has_any(body, SERVICE_TERMS):
        return Verdict(Decision.TRIAGE, "unclear",
                       "未看出具体诉求，也未提到政务服务事项，请人工判断或联系诉求人")
    others = _duplicate(body, [r for r in recent if not r.same_submitter])
    if others is not None:
        item, score = others
        return Verdict(Decision.TRIAGE, "repeated",
                       f"与他人近期反映的 {item.ref} 内容相近（相似度 {score:.2f}），"
                       "可能是同一问题或集中问题，请人工判断", duplicate_of=item.ref,
                       notes=mentions)
    return Verdict(Decision.ACCEPT, notes=mentions)
