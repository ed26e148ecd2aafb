"""The named policy presets: the project default ``NATIONAL`` and one per seed locality.
Pure, no ORM. The Policy fields and their parsing live in ``catalog.rules.policies``."""

from __future__ import annotations

from dataclasses import replace

from haochaping.catalog.rules.codes import WHOLE_HANDLING, Stage
from haochaping.catalog.rules.policies import (
    Duration,
    Hour,
    MultipleRatings,
    Permille,
    Policy,
    PolicyError,
    Seconds,
    Times,
)

# Project default, used where a seed is silent (docs/policies.md explains each choice).
NATIONAL = Policy(
    rectify_limit=Duration.natural(15),
    rectify_limit_min=None,
    rectify_on_spot=False,
    rectify_extension_allowed=False,
    default_rating_level=None,
    default_rating_after=Duration.natural(7),
    invitation_delay=None,
    supplementary_window=None,
    appeal_enabled=True,
    appeal_filing_limit=Duration.working(5),
    appeal_ruling_limit=Duration.working(5),
    callback_required=False,
    callback_spot_check=False,
    qa_required=False,
    multiple_ratings=MultipleRatings.ONE_PER_SERVICE,
    phone_invitation=False,
    complaint_contact_limit=Duration.working(1),
    complaint_investigate_limit=Duration.working(5),
    complaint_close_limit=Duration.working(15),
    complaint_urgent_contact_limit=Duration.hours(2),
    complaint_urgent_close_limit=Duration.working(5),
    request_head_approval=True,
    bad_review_staged_limits=False,
    satisfied_rerating_closes=False,
    ratable_stages=(WHOLE_HANDLING,),  # the handling as a whole, as before stages existed
    retention_identity=Duration.natural(1095),  # no seed states one (docs/privacy.md)
    retention_contacts=Duration.natural(1095),
    retention_messages=Duration.natural(180),
    # Issue 17: call-backs go through the privacy-number relay; the office watches reveals.
    reveal_by_handler=False,
    reveal_daily_alert=Times(5),
    reveal_hours_start=Hour(8),
    reveal_hours_end=Hour(18),
    # Issue 15 共性问题 (seed 004 §7 举一反三; no seed states numbers): 3 of one cause on
    # one subject within 30 days; a month of working days to fix; recurrence within 90.
    problem_min_count=Times(3),
    problem_window=Duration.natural(30),
    problem_fix_limit=Duration.working(20),
    problem_recurrence_window=Duration.natural(90),
    # Issue 15, seed 000 §15: the bottom 3 for 2 consecutive reviews, 90 days to improve.
    appraisal_bottom_count=Times(3),
    appraisal_bottom_periods=Times(2),
    appraisal_rectify_limit=Duration.natural(90),
    # Issue 15: integrity signals (integrity.rules; docs/supervision.md 防刷评).
    integrity_quick_seconds=Seconds(120),
    integrity_days=Duration.natural(30),
    integrity_phone_raters=Times(3),
    integrity_uniform_min=Times(30),
    integrity_uniform_p=Permille(1),
    integrity_uniform_share=Permille(950),
    integrity_burst_count=Times(5),
    integrity_burst_seconds=Seconds(1800),
    integrity_hours_start=Hour(8),
    integrity_hours_end=Hour(19),
)
# Seeds 001 and 002 let a rater rate every stage of a handling.
ALL_STAGES: tuple[Stage, ...] = tuple(Stage)

PRESETS: dict[str, Policy] = {
    "national": NATIONAL,
    "zhengdong": replace(
        NATIONAL,
        rectify_limit=Duration.natural(15),  # seed 000 §9: 15 个自然日内进行整改
        rectify_extension_allowed=True,  # seed 000 §9: 无法整改的，应说明理由和整改期限
        default_rating_level=3,  # seed 000 §11: 7 个自然日内未获评价，默认为基本满意
        default_rating_after=Duration.natural(7),  # seed 000 §11
        appeal_enabled=True,  # seed 000 §11: 问题复核机制，恶意差评视为无效评价
        callback_spot_check=True,  # seed 000 §12: 抽查、电话回访等方法督查核实
        multiple_ratings=MultipleRatings.ONE_PER_SERVICE,  # seed 000 §7: 一次服务可评价一次
    ),
    "chongqing": replace(
        NATIONAL,
        rectify_limit=Duration.working(5),  # seed 001 三(四)1: 限期5个工作日予以解决
        rectify_on_spot=True,  # seed 001 三(四)1: 情况简单、事实清楚的，当场解决
        appeal_enabled=True,  # seed 001 三(五)1: 建立差评申诉复核机制 (no limit stated)
        multiple_ratings=MultipleRatings.ONE_PER_SERVICE,  # seed 001 三(二)1: 一事一评
        ratable_stages=ALL_STAGES,  # seed 001 三(二)1: 各环节均能进行评价
    ),
    "jiangxi": replace(
        NATIONAL,
        rectify_limit=Duration.natural(15),  # seed 002 三(四): 15个自然日内进行整改
        callback_spot_check=True,  # seed 002 二(四): 随机回访等方式核查抽查差评整改
        ratable_stages=ALL_STAGES,  # seed 002 二(三): 对事项办理的任何环节进行在线评价
    ),
    "haiyang": replace(
        NATIONAL,
        rectify_limit=Duration.working(10),  # seed 003 §17: 整改期限为3至10个工作日
        rectify_limit_min=Duration.working(3),  # seed 003 §17
        rectify_on_spot=True,  # seed 003 §17: 情况清楚、诉求合理的，应立行立改
        invitation_delay=Duration.hours(24),  # seed 003 §9(三): 24小时内未评价即发短信
        supplementary_window=Duration.working(5),  # seed 003 §12: 5个工作日内补充评价
        appeal_enabled=True,  # seed 003 §23: 差评申诉复核机制
        appeal_filing_limit=Duration.working(3),  # seed 003 §23: 3个工作日内申诉
        appeal_ruling_limit=Duration.working(3),  # seed 003 §23: 3个工作日内核实
        callback_required=True,  # seed 003 §18: 差评回访率要达到100%
        qa_required=True,  # seed 003 §5: 管理办公室负责处理结果的审核
        multiple_ratings=MultipleRatings.LATEST_WINS,  # seed 003 §10: 以最新评价作为评价结果
        satisfied_rerating_closes=True,  # seed 003 §10: the latest (satisfied) rating stands
    ),
    "xinxiang": replace(
        NATIONAL,
        rectify_limit=Duration.working(15),  # seed 004 §6(一): 较为复杂的，15个工作日内办结
        rectify_on_spot=True,  # seed 004 §6(一): 能够立即解决的要立即解决
        callback_spot_check=True,  # seed 004 §6(三): 抽查、电话回访等方式
        qa_required=True,  # seed 004 §6(二): 质检通过后反馈；未通过的退回重新办理
        phone_invitation=True,  # seed 004 §11: 电话邀约评价功能
        complaint_contact_limit=Duration.working(1),  # seed 004 §6(一): 1个工作日内联系
        complaint_investigate_limit=Duration.working(5),  # seed 004 §6(一): 5个工作日内调查处理
        complaint_close_limit=Duration.working(15),  # seed 004 §6(一): 15个工作日内办结
        request_head_approval=True,  # seed 004 §6(二): 经部门主要负责人审阅后…进行质检
        bad_review_staged_limits=True,  # seed 004 §6: 咨询投诉建议差评 share "1、5、15"
    ),
}

PRESET_LABELS: dict[str, str] = {
    "national": "全国默认", "zhengdong": "郑东新区", "chongqing": "重庆市",
    "jiangxi": "江西省", "haiyang": "海阳市", "xinxiang": "新乡经开区",
}


def preset(name: str) -> Policy:
    try:
        return PRESETS[name]
    except KeyError:
        raise PolicyError("policy.unknown_preset",
                          f"未知的政策预设“{name}”，可选：{'、'.join(PRESETS)}") from None
