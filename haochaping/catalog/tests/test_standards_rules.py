"""Level code mappings, channel tables and content-code validation (no database)."""

from __future__ import annotations

import pytest

from haochaping.catalog.rules.standards import (
    PF_NATIONAL,
    Channel,
    ChannelGroup,
    Level,
    UnknownCode,
    cert_type_label,
    is_bad,
    level_from_gb39046,
    level_from_satisfaction,
    level_to_gb39046,
    level_to_satisfaction,
    pf_profile,
    pro_status_label,
    user_prop_label,
    validate_content_codes,
)

# (level, label, interface satisfaction, GB/T 39046 A.8 code) — NATIONAL.md table.
LEVEL_TABLE = [
    (Level.VERY_SATISFIED, "非常满意", 5, 1),
    (Level.SATISFIED, "满意", 4, 2),
    (Level.BASICALLY_SATISFIED, "基本满意", 3, 3),
    (Level.DISSATISFIED, "不满意", 2, 4),
    (Level.VERY_DISSATISFIED, "非常不满意", 1, 5),
]


@pytest.mark.parametrize(("level", "label", "satisfaction", "gb"), LEVEL_TABLE)
def test_level_maps_both_ways(level: Level, label: str, satisfaction: int, gb: int) -> None:
    assert level.label == label
    assert level_to_satisfaction(level) == satisfaction
    assert level_from_satisfaction(satisfaction) is level
    assert level_from_satisfaction(str(satisfaction)) is level
    assert level_to_gb39046(level) == gb
    assert level_from_gb39046(gb) is level
    assert level_from_gb39046(str(gb)) is level


def test_only_the_two_lowest_levels_are_bad() -> None:
    assert [int(level) for level in Level if is_bad(level)] == [2, 1]
    assert Level.DISSATISFIED.is_bad
    assert not Level.BASICALLY_SATISFIED.is_bad


@pytest.mark.parametrize("code", [0, 6, "x", "", None])
def test_unknown_level_codes_raise(code: object) -> None:
    with pytest.raises(UnknownCode):
        level_from_satisfaction(code)  # type: ignore[arg-type]
    with pytest.raises(UnknownCode):
        level_from_gb39046(code)  # type: ignore[arg-type]


def test_channels_have_labels_groups_and_national_pf() -> None:
    assert {c.value for c in Channel} == {"web", "app", "mini_program", "sms", "qr_code",
                                          "evaluator", "kiosk", "phone", "hotline", "default"}
    assert Channel.WEB.group is ChannelGroup.ONLINE
    assert Channel.EVALUATOR.group is ChannelGroup.OFFLINE
    assert Channel.EVALUATOR.label == "窗口评价器"
    assert [PF_NATIONAL.to_pf(c) for c in (Channel.WEB, Channel.APP, Channel.QR_CODE,
                                           Channel.EVALUATOR, Channel.KIOSK, Channel.PHONE,
                                           Channel.SMS)] == ["1", "2", "3", "4", "5", "6", "7"]
    assert PF_NATIONAL.from_pf("4") is Channel.EVALUATOR
    assert PF_NATIONAL.from_pf(2) is Channel.APP


def test_pf_table_is_per_exchange_profile() -> None:
    zhejiang = pf_profile("zhejiang")
    assert zhejiang.to_pf(Channel.SMS) == "6"
    assert zhejiang.to_pf(Channel.DEFAULT) == "7"
    assert zhejiang.from_pf("7") is Channel.DEFAULT
    assert pf_profile().to_pf(Channel.SMS) == "7"
    with pytest.raises(UnknownCode):
        PF_NATIONAL.to_pf(Channel.DEFAULT)
    with pytest.raises(UnknownCode):
        PF_NATIONAL.from_pf("8")
    with pytest.raises(UnknownCode):
        pf_profile("atlantis")


def test_other_code_tables() -> None:
    assert user_prop_label(1) == "自然人"
    assert user_prop_label("9") == "其他组织"
    assert cert_type_label("111") == "居民身份证"
    assert pro_status_label(3) == "已办结"
    for lookup, code in ((user_prop_label, "7"), (cert_type_label, "112"),
                         (pro_status_label, "4")):
        with pytest.raises(UnknownCode):
            lookup(code)


ITEMS = [("510", 5), ("511", 5), ("207", 2), ("108", 1)]


def test_validate_content_codes_accepts_codes_of_the_level() -> None:
    assert validate_content_codes(ITEMS, Level.VERY_SATISFIED, ["510", "511"]) == []
    assert validate_content_codes(ITEMS, 1, ["108"]) == []


def test_validate_content_codes_rejects_other_level_and_unknown() -> None:
    problems = validate_content_codes(ITEMS, Level.DISSATISFIED, ["207", "108", "999"])
    assert [(p.code, p.kind) for p in problems] == [("108", "wrong_level"), ("999", "unknown")]
    assert "非常不满意" in problems[0].message
