"""The pure rule of unusual reveal patterns: thresholds from the policy."""

from __future__ import annotations

from datetime import datetime

from haochaping.core.localtime import SHANGHAI
from haochaping.vault.access_rules import DAILY, HOURS, Thresholds, alerts_for, within_hours

LIMITS = Thresholds(daily=5, hours_start=8, hours_end=18)
NOON = datetime(2026, 9, 29, 12, 0, tzinfo=SHANGHAI)


def rules(count: int, local: datetime = NOON, limits: Thresholds = LIMITS) -> list[str]:
    return [a.rule for a in alerts_for(reveals_today=count, local=local, limits=limits,
                                       who="市场监管局 handler")]


def test_the_daily_threshold_is_passed_by_the_next_reveal() -> None:
    assert rules(5) == []
    assert rules(6) == [DAILY]


def test_outside_office_hours() -> None:
    assert rules(1, NOON.replace(hour=7, minute=59)) == [HOURS]
    assert rules(1, NOON.replace(hour=8)) == []
    assert rules(1, NOON.replace(hour=17, minute=59)) == []
    assert rules(1, NOON.replace(hour=18)) == [HOURS]
    assert rules(9, NOON.replace(hour=23)) == [DAILY, HOURS]


def test_no_window_when_start_is_not_before_end() -> None:
    assert within_hours(NOON.replace(hour=3), 0, 0)
    assert rules(1, NOON.replace(hour=3), Thresholds(5, 8, 8)) == []


def test_alert_text_names_the_count_and_the_threshold() -> None:
    [alert] = alerts_for(reveals_today=6, local=NOON, limits=LIMITS, who="市场监管局 张三")
    assert "6 名" in alert.text
    assert "5 人" in alert.text
    assert alert.text.startswith("市场监管局 张三")
