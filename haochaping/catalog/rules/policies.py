"""Locality policies as data (BRIEF "Policies differ by locality"). Pure, no ORM.

A :class:`Policy` holds every time limit and switch the workflows read. Each seed locality
ships as a named preset (``policy_presets.PRESETS``); a deployment picks one with
``HCP_POLICY_PRESET`` and the office overrides single values for the deployment or an org subtree
(``catalog.PolicyOverride``), applied in order by :func:`apply_overrides`. Values a seed is
silent on are inherited from ``national``, the project default (docs/policies.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from haochaping.catalog.rules.codes import WHOLE_HANDLING, Stage

# Re-exported: callers import the value types from here.
from haochaping.catalog.rules.policy_values import SECONDS_MAX as SECONDS_MAX
from haochaping.catalog.rules.policy_values import TIMES_MAX as TIMES_MAX
from haochaping.catalog.rules.policy_values import Duration as Duration
from haochaping.catalog.rules.policy_values import DurationUnit as DurationUnit
from haochaping.catalog.rules.policy_values import Hour as Hour
from haochaping.catalog.rules.policy_values import Permille as Permille
from haochaping.catalog.rules.policy_values import Seconds as Seconds
from haochaping.catalog.rules.policy_values import Times as Times
from haochaping.core.errors import RuleViolation


class MultipleRatings(StrEnum):
    ONE_PER_SERVICE = "one_per_service"  # 一次服务只能评价一次 / 一事一评
    LATEST_WINS = "latest_wins"  # 多次评价以最新评价为准

    @property
    def label(self) -> str:
        return {"one_per_service": "一次服务评价一次（一事一评）",
                "latest_wins": "以最新评价为准"}[self.value]


LEVEL_LABELS: dict[int, str] = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意",
                                1: "非常不满意"}


class FieldKind(StrEnum):
    DURATION = "duration"
    OPTIONAL_DURATION = "optional_duration"
    BOOL = "bool"
    OPTIONAL_LEVEL = "optional_level"
    MULTIPLE_RATINGS = "multiple_ratings"
    STAGES = "stages"
    RETENTION = "retention"  # natural days, MIN_RETENTION_DAYS..MAX_RETENTION_DAYS
    TIMES = "times"
    HOUR = "hour"
    SECONDS = "seconds"  # 0..SECONDS_MAX
    PERMILLE = "permille"  # 0..1000


def _f(label: str, kind: FieldKind, help_text: str = "") -> dict[str, Any]:
    return {"label": label, "kind": kind, "help": help_text}


@dataclass(frozen=True)
class Policy:
    """Every policy value of a locality. Field metadata feeds :func:`policy_fields`."""

    rectify_limit: Duration = field(metadata=_f(
        "差评整改时限", FieldKind.DURATION, "复杂问题的整改期限；有下限时为可选期限的上限"))
    rectify_limit_min: Duration | None = field(metadata=_f(
        "整改时限下限", FieldKind.OPTIONAL_DURATION, "承办部门自定整改期限的下限；空为不设区间"))
    rectify_on_spot: bool = field(metadata=_f(
        "简单问题立行立改", FieldKind.BOOL, "情况简单、事实清楚的差评可当场解决并办结"))
    rectify_extension_allowed: bool = field(metadata=_f(
        "逾期可说明理由延期", FieldKind.BOOL, "期限内无法整改的，说明理由并另定整改期限"))
    default_rating_level: int | None = field(metadata=_f(
        "未评价默认等级", FieldKind.OPTIONAL_LEVEL, "办件逾期未获评价时的默认评价；空为不默认"))
    default_rating_after: Duration = field(metadata=_f(
        "默认评价等待时长", FieldKind.DURATION,
        "办结后经过该时长仍未评价，则按默认等级（办结前不能评价，故从办结起算）"))
    invitation_delay: Duration | None = field(metadata=_f(
        "短信邀评等待时长", FieldKind.OPTIONAL_DURATION,
        "办结后该时长内未评价即发送短信邀请；空为不发送"))
    supplementary_window: Duration | None = field(metadata=_f(
        "补充评价期限", FieldKind.OPTIONAL_DURATION, "未当场评价的办件可补充评价的期限；空为不限"))
    appeal_enabled: bool = field(metadata=_f(
        "允许差评申诉", FieldKind.BOOL, "承办部门可对不实或恶意差评申诉"))
    appeal_filing_limit: Duration = field(metadata=_f(
        "申诉提出时限", FieldKind.DURATION, "收到差评后提出申诉的期限"))
    appeal_ruling_limit: Duration = field(metadata=_f(
        "申诉复核时限", FieldKind.DURATION, "管理机构收到申诉后作出复核结论的期限"))
    callback_required: bool = field(metadata=_f(
        "差评全部回访", FieldKind.BOOL, "承办部门对每一条差评回访（回访率100%）"))
    callback_spot_check: bool = field(metadata=_f(
        "管理机构抽查回访", FieldKind.BOOL, "管理机构抽查、电话回访整改情况"))
    qa_required: bool = field(metadata=_f(
        "整改答复需质检", FieldKind.BOOL, "整改答复经管理机构审核（质检）通过后才反馈评价人"))
    multiple_ratings: MultipleRatings = field(metadata=_f(
        "同一办件多次评价", FieldKind.MULTIPLE_RATINGS))
    phone_invitation: bool = field(metadata=_f(
        "电话邀约评价", FieldKind.BOOL, "管理机构电话邀请未评价的办事人评价并录入"))
    complaint_contact_limit: Duration = field(metadata=_f(
        "投诉联系时限", FieldKind.DURATION, "“1、5、15”之1：先行联系反映人"))
    complaint_investigate_limit: Duration = field(metadata=_f(
        "投诉调查处理时限", FieldKind.DURATION, "“1、5、15”之5：完成调查处理"))
    complaint_close_limit: Duration = field(metadata=_f(
        "复杂投诉办结时限", FieldKind.DURATION, "“1、5、15”之15：较复杂的办结"))
    complaint_urgent_contact_limit: Duration = field(metadata=_f(
        "紧急诉求联系时限", FieldKind.DURATION, "紧急类的从快解决：先行联系反映人"))
    complaint_urgent_close_limit: Duration = field(metadata=_f(
        "紧急诉求办结时限", FieldKind.DURATION, "紧急类的从快解决：办结（调查处理不晚于此）"))
    request_head_approval: bool = field(metadata=_f(
        "答复须部门负责人审阅", FieldKind.BOOL, "咨询投诉建议的答复经承办部门负责人审阅后再送质检"))
    bad_review_staged_limits: bool = field(metadata=_f(
        "差评按“1、5、15”分段时限办理", FieldKind.BOOL,
        "差评工单与投诉同样先联系、再调查、后办结（联系、调查时限取上面两项）"))
    satisfied_rerating_closes: bool = field(metadata=_f(
        "满意重评即办结工单", FieldKind.BOOL, "评价人重新评价为满意及以上时，差评工单自动办结"))
    ratable_stages: tuple[Stage, ...] = field(metadata=_f(
        "可评价环节", FieldKind.STAGES,
        "评价人可以评价的办件环节；须含“办结”（即对办件整体的评价）"))
    retention_identity: Duration = field(metadata=_f("评价人身份信息保存期限", FieldKind.RETENTION,
                                                     "最后一次办件、评价或诉求后满该期限即清除"))
    retention_contacts: Duration = field(metadata=_f("诉求联系方式保存期限", FieldKind.RETENTION,
                                                     "诉求件办结后满该期限清除其手机号索引"))
    retention_messages: Duration = field(metadata=_f("短信地址与回复保存期限", FieldKind.RETENTION,
                                                     "已发短信的地址参数、短信回复原文的保存期限"))
    reveal_by_handler: bool = field(metadata=_f(
        "承办部门可查看评价人身份", FieldKind.BOOL,
        "关闭时承办部门经办人通过隐私号回访，仅在隐私号呼叫失败时可查看一次评价人电话"))
    reveal_daily_alert: Times = field(metadata=_f(
        "单人单日查看身份提醒阈值", FieldKind.TIMES,
        "一人一天查看评价人身份超过该人数时提醒管理机构"))
    reveal_hours_start: Hour = field(metadata=_f(
        "查看身份工作时间起", FieldKind.HOUR, "此时刻之前查看评价人身份的提醒管理机构"))
    reveal_hours_end: Hour = field(metadata=_f(
        "查看身份工作时间止", FieldKind.HOUR,
        "此时刻及之后查看评价人身份的提醒管理机构；起止相同为不限时段"))
    # Issue 15 共性问题 (problems): a cluster of one cause on a matter or org.
    problem_min_count: Times = field(metadata=_f(
        "共性问题最少件数", FieldKind.TIMES,
        "统计时段内同一事项或部门同一问题类别的差评和诉求件达到该件数即生成共性问题任务"))
    problem_window: Duration = field(metadata=_f(
        "共性问题统计时段", FieldKind.DURATION, "向前统计差评和诉求件的时段"))
    problem_fix_limit: Duration = field(metadata=_f(
        "共性问题整改时限", FieldKind.DURATION, "部门提交系统性整改材料的期限，自任务生成时起算"))
    problem_recurrence_window: Duration = field(metadata=_f(
        "共性问题复发观察期", FieldKind.DURATION,
        "任务办结后该期限内同一对象再次出现同类问题的，记为复发"))
    appraisal_bottom_count: Times = field(metadata=_f(
        "考核末位数", FieldKind.TIMES, "绩效考核中排名最后的几名列为末位（另加泄露评价人信息者）"))
    appraisal_bottom_periods: Times = field(metadata=_f(
        "连续末位期数", FieldKind.TIMES, "连续这么多期考核排名末位的，列入限期整改名单"))
    appraisal_rectify_limit: Duration = field(metadata=_f(
        "末位限期整改期限", FieldKind.DURATION, "列入名单后制定整改计划的默认整改期限"))
    # Integrity signals against 刷好评 (issue 15, integrity.rules; docs/supervision.md 防刷评).
    integrity_quick_seconds: Seconds = field(metadata=_f(
        "防刷评：办结后即时评价秒数", FieldKind.SECONDS,
        "办结后该时长内、来自工作人员登记手机号或窗口内网的评价列入核查"))
    integrity_days: Duration = field(metadata=_f(
        "防刷评：核查回看期限", FieldKind.DURATION,
        "同号多评、等级分布、回访不一致按该期限内的评价计算"))
    integrity_phone_raters: Times = field(metadata=_f(
        "防刷评：同一手机号评价人数", FieldKind.TIMES,
        "回看期限内同一手机号为达到该人数的不同办事人评价时列入核查"))
    integrity_uniform_min: Times = field(metadata=_f(
        "防刷评：等级分布检验最少评价数", FieldKind.TIMES,
        "评价器或窗口在回看期限内的评价少于该数时不做检验"))
    integrity_uniform_p: Permille = field(metadata=_f(
        "防刷评：等级分布检验显著性水平", FieldKind.PERMILLE,
        "“非常满意”占比高于同类的单侧二项检验 p 值低于该值时列入核查"))
    integrity_uniform_share: Permille = field(metadata=_f(
        "防刷评：“非常满意”占比下限", FieldKind.PERMILLE,
        "“非常满意”占比还须不低于该值才列入核查"))
    integrity_burst_count: Times = field(metadata=_f(
        "防刷评：非工作时间集中评价条数", FieldKind.TIMES,
        "同一评价器或窗口在非工作时间、下一项时长内达到该条数时列入核查"))
    integrity_burst_seconds: Seconds = field(metadata=_f(
        "防刷评：集中评价时长", FieldKind.SECONDS, "计算集中评价的时间窗"))
    integrity_hours_start: Hour = field(metadata=_f(
        "防刷评：大厅工作时间起", FieldKind.HOUR, "此时刻之前的现场评价为非工作时间评价"))
    integrity_hours_end: Hour = field(metadata=_f(
        "防刷评：大厅工作时间止", FieldKind.HOUR,
        "此时刻及之后的现场评价为非工作时间评价；起止相同为不限时段"))

    def as_json(self) -> dict[str, Any]:
        return {f.name: to_json(getattr(self, f.name)) for f in fields(self)}


def to_json(value: object) -> Any:
    if isinstance(value, Duration):
        return value.as_json()
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    if isinstance(value, Times | Hour | Seconds | Permille):
        return int(value)
    if isinstance(value, StrEnum):
        return value.value
    return value


class PolicyError(RuleViolation):
    """A bad preset name, override key or value: stable ``code``, Chinese ``message``."""


@dataclass(frozen=True)
class PolicyField:
    name: str
    label: str
    kind: FieldKind
    help: str


def policy_fields() -> list[PolicyField]:
    """Every overridable field with its Chinese label and kind (admin UI, API, docs)."""
    return [PolicyField(f.name, f.metadata["label"], f.metadata["kind"], f.metadata["help"])
            for f in fields(Policy)]


_FIELDS: dict[str, PolicyField] = {pf.name: pf for pf in policy_fields()}
MAX_DURATION_AMOUNT = 366  # a year of days; longer limits are almost certainly a typo
MIN_RETENTION_DAYS, MAX_RETENTION_DAYS = 30, 3650  # retention periods: a month to ten years


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_duration(value: object, *, key: str = "", low: int = 0,
                   high: int = MAX_DURATION_AMOUNT) -> Duration:
    """A Duration from ``{"amount": int, "unit": "natural_days|working_days|hours"}``."""
    if isinstance(value, Duration):
        return value
    units = "、".join(u.value for u in DurationUnit)
    if not isinstance(value, dict) or set(value) != {"amount", "unit"}:
        raise PolicyError("policy.invalid_value",
                          f"时限须为 {{\"amount\": 天数, \"unit\": 单位}}，单位可选：{units}", key)
    amount, unit = value["amount"], value["unit"]
    if not _is_int(amount) or not low <= amount <= high:
        raise PolicyError("policy.invalid_value", f"时限数值须为 {low} 至 {high} 之间的整数", key)
    if unit not in {u.value for u in DurationUnit}:
        raise PolicyError("policy.invalid_value", f"时限单位须为以下之一：{units}", key)
    return Duration(amount, DurationUnit(unit))


def _retention(pf: PolicyField, value: object) -> Duration:
    kept = parse_duration(value, key=pf.name, low=MIN_RETENTION_DAYS, high=MAX_RETENTION_DAYS)
    if kept.unit is DurationUnit.NATURAL_DAYS:
        return kept
    raise PolicyError("policy.invalid_value", f"“{pf.label}”须以自然日计", pf.name)


# The whole-number kinds: (largest value, value type).
WHOLE_KINDS: dict[FieldKind, tuple[int, type[int]]] = {
    FieldKind.TIMES: (TIMES_MAX, Times), FieldKind.HOUR: (24, Hour),
    FieldKind.SECONDS: (SECONDS_MAX, Seconds), FieldKind.PERMILLE: (1000, Permille)}


def _parse(pf: PolicyField, value: object) -> object:
    key, kind = pf.name, pf.kind
    if kind in (FieldKind.OPTIONAL_DURATION, FieldKind.OPTIONAL_LEVEL) and value is None:
        return None
    if kind in (FieldKind.DURATION, FieldKind.OPTIONAL_DURATION):
        return parse_duration(value, key=key)
    if kind is FieldKind.BOOL:
        if not isinstance(value, bool):
            raise PolicyError("policy.invalid_value", f"“{pf.label}”须为 true 或 false", key)
        return value
    if kind is FieldKind.OPTIONAL_LEVEL:
        if not _is_int(value) or value not in LEVEL_LABELS:
            raise PolicyError("policy.invalid_value",
                              f"“{pf.label}”须为 1 至 5 的评价等级或 null", key)
        return value
    if kind is FieldKind.STAGES:
        return parse_stages(value, pf)
    if kind is FieldKind.RETENTION:
        return _retention(pf, value)
    if kind in WHOLE_KINDS:
        top, kind_type = WHOLE_KINDS[kind]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
            raise PolicyError("policy.invalid_value", f"“{pf.label}”须为 0 至 {top} 的整数", key)
        return kind_type(value)
    choices = [m.value for m in MultipleRatings]
    if value not in choices:
        raise PolicyError("policy.invalid_value",
                          f"“{pf.label}”须为以下之一：{'、'.join(choices)}", key)
    return MultipleRatings(str(value))


def parse_stages(value: object, pf: PolicyField) -> tuple[Stage, ...]:
    """A list of stage codes, each once, with 办结 (the handling as a whole: every
    channel, the SMS invitation and the default rating rate it); kept in table order."""
    codes = "、".join(s.value for s in Stage)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str | Stage)
                                                       for v in value):
        raise PolicyError("policy.invalid_value",
                          f"“{pf.label}”须为环节代码的列表，可选：{codes}", pf.name)
    chosen = set()
    for code in value:
        if code not in {s.value for s in Stage}:
            raise PolicyError("policy.invalid_value",
                              f"未知的环节“{code}”，可选：{codes}", pf.name)
        if Stage(code) in chosen:
            raise PolicyError("policy.invalid_value", f"环节“{code}”重复", pf.name)
        chosen.add(Stage(code))
    if WHOLE_HANDLING not in chosen:
        raise PolicyError("policy.invalid_value",
                          f"“{pf.label}”须包含“{WHOLE_HANDLING.label}”（{WHOLE_HANDLING.value}）",
                          pf.name)
    return tuple(s for s in Stage if s in chosen)


def parse_value(key: str, value: object) -> object:
    """The typed value of one override, or PolicyError (unknown key, wrong type)."""
    pf = _FIELDS.get(key)
    if pf is None:
        raise PolicyError("policy.unknown_key", f"未知的政策项“{key}”", "key")
    return _parse(pf, value)


def validate_override(key: str, value: object) -> Any:
    """Check one override and return its canonical JSON form (what is stored)."""
    return to_json(parse_value(key, value))


def apply_overrides(base: Policy, layers: list[dict[str, object]]) -> Policy:
    """Apply override layers in order (deployment-wide first, then root org down to the
    org itself): a later layer wins. Every key and value is validated."""
    policy = base
    for layer in layers:
        changes = {key: parse_value(key, value) for key, value in layer.items()}
        policy = replace(policy, **changes)  # type: ignore[arg-type]
    return policy


def display_value(value: object) -> str:
    """A policy value in Chinese for screens (admin, disclosure of the rules)."""
    if value is None:
        return "未设置"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, MultipleRatings):
        return value.label
    if isinstance(value, tuple):
        return "、".join(s.label for s in value)
    if isinstance(value, Times | Hour | Seconds | Permille):
        return str(value)
    if isinstance(value, int):
        return f"{LEVEL_LABELS[value]}（{value}）"
    return str(value)
