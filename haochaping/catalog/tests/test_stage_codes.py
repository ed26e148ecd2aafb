"""The stage (环节) code table and the policy's ratable stages (pure, no database)."""

from __future__ import annotations

import pytest

from haochaping.catalog.rules.codes import (
    IS_SERVICE,
    NODE_NAME,
    WHOLE_HANDLING,
    Stage,
    national_stage_fields,
    stage_of,
)
from haochaping.catalog.rules.policies import (
    PolicyError,
    apply_overrides,
    display_value,
    validate_override,
)
from haochaping.catalog.rules.policy_presets import NATIONAL, PRESETS


def test_the_six_stages_in_order_with_their_national_names() -> None:
    assert [(s.value, s.label) for s in Stage] == [
        ("consult", "咨询"), ("apply", "申报"), ("amend", "补正"), ("pay", "缴费"),
        ("sign", "签收"), ("done", "办结")]
    assert WHOLE_HANDLING is Stage.DONE


@pytest.mark.parametrize(("value", "stage"), [
    ("apply", Stage.APPLY), ("申报", Stage.APPLY), (" 补正 ", Stage.AMEND),
    ("done", Stage.DONE), ("办结", Stage.DONE), ("受理", None), ("", None), (3, None),
    (None, None), ("APPLY", None),
])
def test_stage_of_reads_our_code_or_the_national_name(value: object,
                                                       stage: Stage | None) -> None:
    assert stage_of(value) is stage


def test_national_fields_name_the_stage_and_whether_it_is_one_service() -> None:
    assert national_stage_fields(Stage.AMEND) == {NODE_NAME: "补正", IS_SERVICE: "1"}
    assert national_stage_fields(Stage.DONE) == {"nodeName": "办结", "isService": "0"}


def test_national_default_rates_the_handling_as_a_whole_only() -> None:
    assert NATIONAL.ratable_stages == (Stage.DONE,)
    for name in ("zhengdong", "haiyang", "xinxiang"):
        assert PRESETS[name].ratable_stages == (Stage.DONE,)


def test_chongqing_and_jiangxi_let_raters_rate_every_stage() -> None:
    # seed 001 三(二)1: 各环节均能进行评价; seed 002 二(三): 对事项办理的任何环节进行在线评价
    assert PRESETS["chongqing"].ratable_stages == tuple(Stage)
    assert PRESETS["jiangxi"].ratable_stages == tuple(Stage)


def test_an_override_names_stages_kept_in_table_order() -> None:
    policy = apply_overrides(NATIONAL, [{"ratable_stages": ["done", "amend", "apply"]}])
    assert policy.ratable_stages == (Stage.APPLY, Stage.AMEND, Stage.DONE)
    assert validate_override("ratable_stages", ["done", "apply"]) == ["apply", "done"]
    assert display_value(policy.ratable_stages) == "申报、补正、办结"


@pytest.mark.parametrize(("value", "fragment"), [
    (["apply"], "须包含“办结”"),
    ([], "须包含“办结”"),
    (["done", "review"], "未知的环节“review”"),
    (["done", "done"], "重复"),
    ("done", "列表"),
    ([1, "done"], "列表"),
    (None, "列表"),
])
def test_bad_ratable_stages_are_refused_in_chinese(value: object, fragment: str) -> None:
    with pytest.raises(PolicyError) as info:
        apply_overrides(NATIONAL, [{"ratable_stages": value}])
    assert info.value.code == "policy.invalid_value"
    assert info.value.field == "ratable_stages"
    assert fragment in info.value.message
