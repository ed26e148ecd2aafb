"""社情民意 rules (stats.opinion_rules): terms of a text, hot words by texts, topics."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from haochaping.stats import opinion_rules as rules

QUEUE = "排队时间太长，等了一个多小时"
MATERIALS = "材料要求没有一次性告知，跑了两趟"


def test_terms_keep_service_words_and_drop_stop_words_and_numbers() -> None:
    found = rules.terms("我们排队时间太长了，电话13800138000，身份证410105199001011234")
    assert {"排队", "时间"} <= found
    assert "我们" not in found
    assert not any(ch.isdigit() for word in found for ch in word)
    counted = rules.terms("等了一个多小时，两个窗口，周一跑了三趟")
    assert not {"一个多", "两个", "周一", "三趟"} & counted


def test_a_word_counts_once_per_text() -> None:
    texts = [rules.terms("排队排队排队排队"), rules.terms("排队很久")]
    [word] = [w for w in rules.hot_words(texts, [], limit=5) if w.word == "排队"]
    assert word.texts == 2
    assert word.share == 1.0


def test_a_word_in_one_text_only_is_no_hot_word() -> None:
    assert rules.hot_words([rules.terms(QUEUE)], [], limit=5) == []


def test_person_names_and_known_names_never_become_hot_words() -> None:
    texts = [rules.terms(f"王晓明态度生硬，张伟也不理人，{QUEUE}")] * 3
    words = [w.word for w in rules.hot_words(texts, [], limit=10, names={"王晓明"})]
    assert "王晓明" not in words
    assert "张伟" not in words
    assert "排队" in words


def test_direction_against_the_previous_period() -> None:
    now = [rules.terms(QUEUE)] * 3 + [rules.terms(MATERIALS)] * 2
    before = [rules.terms(QUEUE)] * 5
    words = {w.word: w for w in rules.hot_words(now, before, limit=10)}
    assert words["排队"].direction == "down"
    assert words["排队"].previous == 5
    assert words["材料"].direction == "new"
    assert rules.direction(3, 3) == "same"
    assert rules.direction(4, 3) == "up"


def test_topics_are_pairs_of_hot_words_written_together() -> None:
    texts = [rules.terms(QUEUE)] * 3 + [rules.terms(MATERIALS)] * 2
    words = [w.word for w in rules.hot_words(texts, [], limit=10)]
    found = rules.topics(texts, words, limit=3)
    assert found[0].texts == 3
    assert set(found[0].words) <= set(rules.terms(QUEUE))


WORDS = st.lists(st.sampled_from(["排队", "材料", "态度", "系统", "窗口", "收费", "流程"]),
                 max_size=4).map(frozenset)


@settings(max_examples=60, deadline=None)
@given(st.lists(WORDS, max_size=30), st.lists(WORDS, max_size=30), st.integers(1, 8))
def test_hot_words_are_ranked_counted_and_bounded(current: list[frozenset[str]],
                                                 previous: list[frozenset[str]],
                                                 limit: int) -> None:
    words = rules.hot_words(current, previous, limit=limit)
    assert len(words) <= limit
    counts = [w.texts for w in words]
    assert counts == sorted(counts, reverse=True)
    for w in words:
        assert w.texts == sum(1 for t in current if w.word in t) >= rules.MIN_TEXTS
        assert w.previous == sum(1 for t in previous if w.word in t)
        assert 0 < w.share <= 1
