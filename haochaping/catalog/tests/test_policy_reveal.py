"""The policy values of rater protection (issue 17): whole numbers with their bounds,
shown with their unit."""

from __future__ import annotations

import pytest

from haochaping.catalog.rules.policies import (
    Hour,
    PolicyError,
    Times,
    apply_overrides,
    display_value,
    validate_override,
)
from haochaping.catalog.rules.policy_presets import NATIONAL


def test_defaults_keep_reveal_with_the_office() -> None:
    assert NATIONAL.reveal_by_handler is False
    assert (NATIONAL.reveal_daily_alert, NATIONAL.reveal_hours_start,
            NATIONAL.reveal_hours_end) == (5, 8, 18)


def test_overrides_are_typed_and_shown_with_their_unit() -> None:
    policy = apply_overrides(NATIONAL, [{"reveal_daily_alert": 10, "reveal_hours_end": 20}])
    assert isinstance(policy.reveal_daily_alert, Times)
    assert isinstance(policy.reveal_hours_end, Hour)
    assert display_value(policy.reveal_daily_alert) == "10 次"
    assert display_value(policy.reveal_hours_end) == "20:00"
    assert validate_override("reveal_daily_alert", 10) == 10


@pytest.mark.parametrize(("key", "value"), [
    ("reveal_daily_alert", -1), ("reveal_daily_alert", 1001), ("reveal_daily_alert", "5"),
    ("reveal_daily_alert", True), ("reveal_hours_start", 25), ("reveal_hours_end", 1.5)])
def test_bad_values_are_refused(key: str, value: object) -> None:
    with pytest.raises(PolicyError) as refused:
        validate_override(key, value)
    assert refused.value.code == "policy.invalid_value"
