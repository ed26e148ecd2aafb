"""Policy presets against their seed clauses, override validation and layering (no DB)."""

from __future__ import annotations

from dataclasses import fields

import pytest

from haochaping.catalog.rules.policies import (
    Duration,
    FieldKind,
    MultipleRatings,
    Policy,
    PolicyError,
    apply_overrides,
    display_value,
    policy_fields,
    validate_override,
)
from haochaping.catalog.rules.policy_presets import NATIONAL, PRESETS, preset

D, W, H = Duration.natural, Duration.working, Duration.hours


def test_presets_are_the_six_localities() -> None:
    assert set(PRESETS) == {"national", "zhengdong", "chongqing", "jiangxi", "haiyang",
                            "xinxiang"}


def test_national_is_the_documented_default() -> None:
    assert NATIONAL.rectify_limit == D(15)
    assert NATIONAL.rectify_limit_min is None
    assert NATIONAL.default_rating_level is None
    assert NATIONAL.invitation_delay is None
    assert NATIONAL.supplementary_window is None
    assert (NATIONAL.appeal_enabled, NATIONAL.appeal_filing_limit,
            NATIONAL.appeal_ruling_limit) == (True, W(5), W(5))
    assert NATIONAL.multiple_ratings is MultipleRatings.ONE_PER_SERVICE
    assert (NATIONAL.complaint_contact_limit, NATIONAL.complaint_investigate_limit,
            NATIONAL.complaint_close_limit) == (W(1), W(5), W(15))
    assert not any([NATIONAL.rectify_on_spot, NATIONAL.callback_required,
                    NATIONAL.callback_spot_check, NATIONAL.qa_required,
                    NATIONAL.phone_invitation, NATIONAL.satisfied_rerating_closes])


def test_zhengdong_preset_matches_seed_000() -> None:
    p = PRESETS["zhengdong"]
    assert p.rectify_limit == D(15)  # 000 §9: 15 个自然日内进行整改
    assert p.rectify_extension_allowed is True  # 000 §9: 说明理由和整改期限
    assert p.default_rating_level == 3  # 000 §11: 默认为基本满意
    assert p.default_rating_after == D(7)  # 000 §11: 7 个自然日内未获评价
    assert p.appeal_enabled is True  # 000 §11: 恶意差评视为无效评价
    assert p.callback_spot_check is True  # 000 §12: 抽查、电话回访
    assert p.multiple_ratings is MultipleRatings.ONE_PER_SERVICE  # 000 §7
    assert p.rectify_on_spot is False


def test_chongqing_preset_matches_seed_001() -> None:
    p = PRESETS["chongqing"]
    assert p.rectify_limit == W(5)  # 001 三(四)1: 限期5个工作日予以解决
    assert p.rectify_on_spot is True  # 001 三(四)1: 当场解决
    assert p.appeal_enabled is True  # 001 三(五)1: 差评申诉复核机制
    # 001 states no appeal limit: the national default applies.
    assert (p.appeal_filing_limit, p.appeal_ruling_limit) == (W(5), W(5))
    assert p.multiple_ratings is MultipleRatings.ONE_PER_SERVICE  # 001 三(二)1: 一事一评
    assert p.default_rating_level is None


def test_jiangxi_preset_matches_seed_002() -> None:
    p = PRESETS["jiangxi"]
    assert p.rectify_limit == D(15)  # 002 三(四): 15个自然日内进行整改
    assert p.callback_spot_check is True  # 002 二(四): 随机回访、核查抽查
    assert p.rectify_on_spot is False
    assert p.default_rating_level is None


def test_haiyang_preset_matches_seed_003() -> None:
    p = PRESETS["haiyang"]
    assert (p.rectify_limit_min, p.rectify_limit) == (W(3), W(10))  # 003 §17: 3至10个工作日
    assert p.rectify_on_spot is True  # 003 §17: 立行立改
    assert p.invitation_delay == H(24)  # 003 §9(三): 24 小时内未评价，发送短信
    assert p.supplementary_window == W(5)  # 003 §12: 5 个工作日内补充评价
    assert (p.appeal_filing_limit, p.appeal_ruling_limit) == (W(3), W(3))  # 003 §23
    assert p.callback_required is True  # 003 §18: 回访率要达到100%
    assert p.qa_required is True  # 003 §5: 处理结果的审核
    assert p.multiple_ratings is MultipleRatings.LATEST_WINS  # 003 §10: 以最新评价为准
    assert p.satisfied_rerating_closes is True  # 003 §10
    assert p.default_rating_level is None


def test_xinxiang_preset_matches_seed_004() -> None:
    p = PRESETS["xinxiang"]
    assert (p.complaint_contact_limit, p.complaint_investigate_limit,
            p.complaint_close_limit) == (W(1), W(5), W(15))  # 004 §6(一): "1、5、15"
    assert p.rectify_limit == W(15)  # 004 §6(一): 较为复杂的，15个工作日内办结
    assert p.rectify_on_spot is True  # 004 §6(一): 能够立即解决的要立即解决
    assert p.qa_required is True  # 004 §6(二): 质检
    assert p.callback_spot_check is True  # 004 §6(三): 抽查、电话回访
    assert p.callback_required is False
    assert p.phone_invitation is True  # 004 §11: 电话邀约评价
    assert p.bad_review_staged_limits is True  # 004 §6: 咨询投诉建议差评 alike


def test_policy_fields_describe_every_field_in_chinese() -> None:
    described = policy_fields()
    assert [pf.name for pf in described] == [f.name for f in fields(Policy)]
    assert all(pf.label and not pf.label.isascii() for pf in described)
    kinds = {pf.name: pf.kind for pf in described}
    assert kinds["rectify_limit"] is FieldKind.DURATION
    assert kinds["default_rating_level"] is FieldKind.OPTIONAL_LEVEL


def test_overrides_apply_in_order_later_layer_wins() -> None:
    policy = apply_overrides(NATIONAL, [
        {"rectify_limit": {"amount": 10, "unit": "working_days"}, "qa_required": True},
        {"rectify_limit": {"amount": 3, "unit": "natural_days"}},
        {"default_rating_level": 4, "multiple_ratings": "latest_wins"},
    ])
    assert policy.rectify_limit == D(3)
    assert policy.qa_required is True
    assert policy.default_rating_level == 4
    assert policy.multiple_ratings is MultipleRatings.LATEST_WINS
    assert NATIONAL.rectify_limit == D(15)


def test_optional_values_accept_null() -> None:
    policy = apply_overrides(PRESETS["haiyang"], [{"invitation_delay": None,
                                                   "default_rating_level": None}])
    assert policy.invitation_delay is None


@pytest.mark.parametrize(("key", "value", "code"), [
    ("no_such_policy", True, "policy.unknown_key"),
    ("qa_required", 1, "policy.invalid_value"),
    ("qa_required", "true", "policy.invalid_value"),
    ("rectify_limit", None, "policy.invalid_value"),
    ("rectify_limit", 5, "policy.invalid_value"),
    ("rectify_limit", {"amount": 5}, "policy.invalid_value"),
    ("rectify_limit", {"amount": -1, "unit": "working_days"}, "policy.invalid_value"),
    ("rectify_limit", {"amount": True, "unit": "working_days"}, "policy.invalid_value"),
    ("rectify_limit", {"amount": 5, "unit": "weeks"}, "policy.invalid_value"),
    ("default_rating_level", 6, "policy.invalid_value"),
    ("default_rating_level", True, "policy.invalid_value"),
    ("multiple_ratings", "first_wins", "policy.invalid_value"),
])
def test_invalid_override_raises_with_chinese_message(key: str, value: object,
                                                       code: str) -> None:
    with pytest.raises(PolicyError) as info:
        apply_overrides(NATIONAL, [{key: value}])
    assert isinstance(info.value, ValueError)
    assert info.value.code == code
    assert not info.value.message.isascii()


def test_validate_override_returns_canonical_json() -> None:
    assert validate_override("rectify_limit", {"unit": "hours", "amount": 24}) == {
        "amount": 24, "unit": "hours"}
    assert validate_override("multiple_ratings", "latest_wins") == "latest_wins"
    assert validate_override("default_rating_level", None) is None


def test_unknown_preset_is_rejected() -> None:
    with pytest.raises(PolicyError) as info:
        preset("atlantis")
    assert info.value.code == "policy.unknown_preset"


def test_display_values_in_chinese() -> None:
    assert display_value(W(5)) == "5 个工作日"
    assert display_value(H(24)) == "24 小时"
    assert display_value(True) == "是"
    assert display_value(3) == "基本满意（3）"
    assert display_value(None) == "未设置"
    assert display_value(MultipleRatings.LATEST_WINS) == "以最新评价为准"
