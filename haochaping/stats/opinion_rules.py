"""社情民意: hot words and topics of what raters and submitters wrote (issue 15, seed 001
"analyse 社情民意 with data", seed 000 §12 and 004 §7 举一反三). Pure, no ORM.

A text's *terms* are the words jieba segments out of it (the maintained segmenter the
acceptance filter already uses), after personal numbers are masked and without stop words,
single characters, numbers and Latin fragments. Hot words count **texts**, not
occurrences: one rater repeating a word ten times weighs as one voice. A *topic* is a pair
of hot words written together in one text (排队 + 时间), counted the same way. A word's
change compares its text count with the previous period of the same length.

Person names never become hot words: the candidates are checked with jieba's part-of-speech
tags (``nr``) and against the names the caller knows (staff of the scope), so the dashboard
cannot single out a person.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations

MIN_TEXTS = 2  # a word written in one text only is an anecdote, not a hot word
CANDIDATES = 4  # candidates checked per hot word asked (names and the like are dropped)

# Personal numbers never reach the segmenter (they would become "words" of digits anyway).
_NUMBERS = re.compile(r"[0-9０-９Xx]{6,}|[\w.+-]+@[\w-]+\.[\w.]+")
_KEEP = re.compile(r"^[\u4e00-\u9fff]{2,8}$")  # Chinese words of 2 to 8 characters
# Counting words (两个, 一个多, 三趟, 周一) say how much, not what.
_COUNTING = re.compile(r"^(周|星期)?[一二两三四五六七八九十百千几半多每]+"
                       r"[个次趟天周月年多小号名位件]*多?$")

# Words that say nothing about a service: function words, pronouns, generic verbs and the
# rating vocabulary itself (every text of a rating is about 评价 and 满意).
_STOP_TEXT = """
我们 你们 他们 她们 自己 这个 那个 这些 那些 这里 那里 这样 那样 这么 那么 什么 怎么 为什么
没有 不是 就是 还是 但是 而且 因为 所以 如果 虽然 然后 已经 可以 可能 应该 需要 进行 一个
一下 一些 一点 一次 一直 非常 特别 比较 十分 真的 实在 觉得 感觉 认为 希望 建议 反映 问题
情况 有关 相关 方面 时候 现在 今天 昨天 以前 之前 之后 以后 还有 或者 以及 对于 关于 通过
评价 满意 不满意 基本满意 非常满意 差评 好评 点赞 谢谢 感谢 您好 你好 请问 一下子 不能 不会
不要 不用 没法 知道 告诉 说明 表示 要求 出现 发生 存在 其他 其它 大家 有些 有点 太多 很多
无法 增加 上午 下午 晚上 中午 早上 当天 每次 几次 多次 时间段 还要 只能 只好 结果 导致 直接
办理 事项
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())


def _mask(text: str) -> str:
    return _NUMBERS.sub(" ", text)


@cache
def _jieba() -> object:
    """jieba, loaded once and quiet (its dictionary load logs at INFO)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def terms(text: str) -> frozenset[str]:
    """The distinct terms of one text."""
    jieba = _jieba()
    words = jieba.cut(_mask(text))  # type: ignore[attr-defined]
    return frozenset(w for w in words
                     if _KEEP.match(w) and w not in STOP_WORDS and not _COUNTING.match(w))


@cache
def is_person_name(word: str) -> bool:
    """jieba tags the word as a person's name (nr, nrfg, nrt)."""
    _jieba()
    import jieba.posseg

    pairs = list(jieba.posseg.cut(word))
    return any(p.flag.startswith("nr") for p in pairs)


@dataclass(frozen=True)
class HotWord:
    word: str
    texts: int  # texts of the period that contain it
    share: float  # of the period's texts with any term
    previous: int  # texts of the previous period that contain it
    direction: str  # "up", "down", "same", "new"


@dataclass(frozen=True)
class Topic:
    words: tuple[str, str]
    texts: int


def direction(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "same"
    if now > before:
        return "up"
    return "down" if now < before else "same"


def hot_words(current: Sequence[frozenset[str]], previous: Sequence[frozenset[str]], *,
              limit: int, names: Iterable[str] = ()) -> list[HotWord]:
    """The ``limit`` words written in the most texts of ``current`` (at least
    ``MIN_TEXTS``), ties by word; person names and ``names`` left out."""
    counts: Counter[str] = Counter(w for t in current for w in t)
    before: Counter[str] = Counter(w for t in previous for w in t)
    known = set(names)
    texts = sum(1 for t in current if t) or 1
    ranked = sorted((w for w, n in counts.items() if n >= MIN_TEXTS and w not in known),
                    key=lambda w: (-counts[w], w))
    chosen: list[HotWord] = []
    for word in ranked[:limit * CANDIDATES]:
        if len(chosen) == limit:
            break
        if is_person_name(word):
            continue
        chosen.append(HotWord(word, counts[word], round(counts[word] / texts, 4),
                              before[word], direction(counts[word], before[word])))
    return chosen


def topics(current: Sequence[frozenset[str]], words: Iterable[str], *,
           limit: int) -> list[Topic]:
    """Pairs of the hot ``words`` written together in the most texts (at least
    ``MIN_TEXTS``)."""
    hot = set(words)
    pairs: Counter[tuple[str, str]] = Counter()
    for text in current:
        pairs.update(combinations(sorted(text & hot), 2))
    ranked = sorted((p for p, n in pairs.items() if n >= MIN_TEXTS),
                    key=lambda p: (-pairs[p], p))
    return [Topic(p, pairs[p]) for p in ranked[:limit]]
