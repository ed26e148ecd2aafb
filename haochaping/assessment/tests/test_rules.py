"""The pure rules: scores as typed, item lists, normalisation to 0–100."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from haochaping.assessment import rules
from haochaping.assessment.rules import DEFAULT_SELF_ITEMS, ItemSpec


def test_default_items_are_the_seven_of_the_issue_and_sum_to_100() -> None:
    assert [i.name for i in DEFAULT_SELF_ITEMS] == [
        "事项清单管理", "流程优化", "服务态度", "大厅窗口建设", "监督检查", "差评投诉处理",
        "便民举措"]
    assert sum(i.max_score for i in DEFAULT_SELF_ITEMS) == 100
    assert rules.items_refusal(DEFAULT_SELF_ITEMS) == ""
    assert sum(i.max_score for i in rules.DEFAULT_VISIT_ITEMS) == 100


def test_parse_score() -> None:
    assert rules.parse_score("8.5") == Decimal("8.5")
    assert rules.parse_score(" 10 ") == Decimal(10)
    for bad in ("", "8.55", "abc", "NaN", "Infinity", "1e3", "1234567"):
        assert rules.parse_score(bad) is None, bad


def test_score_refusal() -> None:
    assert rules.score_refusal(Decimal("15"), 15) == ""
    assert rules.score_refusal(Decimal(0), 15) == ""
    assert "0 至 15" in rules.score_refusal(Decimal("15.5"), 15)
    assert "0 至 15" in rules.score_refusal(Decimal("-1"), 15)
    assert rules.parse_score("-1") is None
    assert "请填写" in rules.score_refusal(None, 15)


def test_items_refusal() -> None:
    assert "重复" in rules.items_refusal([ItemSpec("服务态度", 10), ItemSpec("服务态度", 5)])
    assert "满分" in rules.items_refusal([ItemSpec("服务态度", 0)])
    assert "名称" in rules.items_refusal([ItemSpec(" ", 10)])
    assert "1 至" in rules.items_refusal([])


def test_items_round_trip_through_the_office_text() -> None:
    items, refusal = rules.parse_items(rules.format_items(DEFAULT_SELF_ITEMS))
    assert refusal == ""
    assert tuple(items) == DEFAULT_SELF_ITEMS
    _, refusal = rules.parse_items("服务态度 | 十分")
    assert "第 1 行" in refusal


def test_normalise_examples() -> None:
    assert rules.normalise([Decimal("7.5"), Decimal(10)], [10, 10]) == 87.5
    assert rules.normalise([1], [3]) == 33.3
    assert rules.normalise([2], [3]) == 66.7
    assert rules.normalise([], []) == 0.0


scores_and_maxima = st.lists(st.integers(1, 100), min_size=1, max_size=12).flatmap(
    lambda maxima: st.tuples(
        st.tuples(*[st.integers(0, m * 10).map(lambda v: Decimal(v) / 10) for m in maxima]),
        st.just(maxima)))


@settings(deadline=None)
@given(scores_and_maxima)
def test_normalise_is_between_0_and_100_and_monotone(case: tuple[tuple[Decimal, ...],
                                                                 list[int]]) -> None:
    scores, maxima = case
    value = rules.normalise(scores, maxima)
    assert 0.0 <= value <= 100.0
    assert rules.normalise(maxima, maxima) == 100.0
    assert rules.normalise([0] * len(maxima), maxima) == 0.0
    raised = [min(Decimal(m), s + Decimal("0.1")) for s, m in zip(scores, maxima, strict=True)]
    assert rules.normalise(raised, maxima) >= value


@given(st.lists(st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1)), max_size=20))
def test_mean_is_within_the_range_of_its_values(values: list[float]) -> None:
    value = rules.mean(values)
    if values:
        assert min(values) - 0.05 <= value <= max(values) + 0.05
    else:
        assert value == 0.0


def test_period_and_deadline() -> None:
    assert rules.period_refusal(date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 20)) == ""
    assert "早于" in rules.period_refusal(date(2026, 10, 2), date(2026, 10, 1))
    assert "一年" in rules.period_refusal(date(2025, 1, 1), date(2026, 10, 1))
    assert "截止" in rules.period_refusal(date(2026, 10, 1), date(2026, 10, 31), date(2026, 9, 1))
    assert rules.is_late(date(2026, 11, 20), date(2026, 11, 21))
    assert not rules.is_late(date(2026, 11, 20), date(2026, 11, 20))
