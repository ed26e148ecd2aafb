"""Rules of a rating (评价): pure functions over plain values, no ORM.

The service gathers the facts (the handling's state, its current rating, the active
standard's tables, the org's policy, who enters the rating) into the dataclasses below and
asks :func:`check_rating` whether the rating may be recorded and how: a
:class:`RatingDecision` says whether it supersedes the current rating and which
``assess_number`` it gets. A refusal raises :class:`RatingRejected` with a stable code.

Policy clauses implemented here (docs/evaluations.md has the full table):

- five levels, 1–2 are 差评 (seed 003 §6);
- a 差评 needs a listed reason or a typed reason (seed 003 §7), except the first SMS reply,
  a bare digit; the reason is asked by a follow-up SMS and arrives as assess_number 2
  (the rating form opened from an SMS link is channel SMS too, but is no reply: it needs
  its reason); and except a degraded device's rating (a four-key pad has no way to give
  one), whose reason the department asks at the work order's call-back;
- one rating per service: a second one is refused under ``one_per_service`` (seed 000 §7,
  001 一事一评) and supersedes the first under ``latest_wins`` (seed 003 §10);
- only after completion and before the supplementary window closes (seed 003 §12);
- a phone-invitation rating is entered by the supervising office, never by the staff
  member who served the handling (seed 003 §15, seed 004 §11); one made on the provincial
  or national platform (``from_remote``, exchange) was entered there;
- a default rating (seed 000 §11) is replaced by any real rating and never replaces one;
- a rating may name one stage (环节) of the handling that the policy lets raters rate and
  that the business system reported (seed 002 二(三): 任何环节; seed 001 各环节); such a
  rating is the stage's, superseded as above by the next rating of that stage, and may be
  given as soon as the stage happened (the handling need not be completed yet).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from haochaping.accounts import rules as access
from haochaping.catalog.rules.codes import WHOLE_HANDLING, Stage, stage_of
from haochaping.catalog.rules.standards import (
    Channel,
    ChannelGroup,
    Level,
    is_bad,
    validate_content_codes,
)
from haochaping.core.errors import RuleViolation

MAX_TEXT_CHARS = 500
MIN_REASON_TEXT_CHARS = 5  # "文字输入差评原因" (seed 003 §7): a short sentence, not "差"
FIRST_RATING = 1  # assess_number: 首次评价
FOLLOW_UP = 2  # assess_number: 追加评价
# The "其他（请填写）" reason only counts together with typed text.
FREE_TEXT_REASON = "other"
# Roles of the supervising office that may enter a phone-invitation rating (seed 004 §11):
# accounts.rules decides.
PHONE_ENTRY_ROLES: frozenset[str] = frozenset(
    r.value for r in access.roles_allowed(access.PHONE_ENTRY, access.WRITE))

ONE_PER_SERVICE = "one_per_service"
LATEST_WINS = "latest_wins"

STATUS_COMPLETED = "completed"
STATUS_WITHDRAWN = "withdrawn"


class RatingRejected(RuleViolation):
    """A rating that may not be recorded: stable ``code``, Chinese ``message``."""


@dataclass(frozen=True)
class RatingInput:
    """What the rater chose. ``item_levels`` maps indicator codes to levels 1..5."""

    level: int
    item_levels: dict[str, int] = field(default_factory=dict)
    content_codes: list[str] = field(default_factory=list)
    reason_codes: list[str] = field(default_factory=list)
    text: str = ""


@dataclass(frozen=True)
class StandardTables:
    """The active standard version as plain data."""

    content_items: tuple[tuple[str, int], ...]  # (code, level)
    indicators: Mapping[str, frozenset[str]]  # channel group -> indicator codes
    reason_codes: frozenset[str]


@dataclass(frozen=True)
class CurrentRating:
    """The handling's current rating, if any."""

    level: int
    is_default: bool
    invalidated: bool
    has_reason: bool


@dataclass(frozen=True)
class HandlingState:
    status: str
    channel_group: ChannelGroup
    rating_closes_at: datetime | None
    staff_user_id: int | None  # the login linked to the Staff who served, if any
    current: CurrentRating | None


@dataclass(frozen=True)
class RatingPolicy:
    multiple_ratings: str  # ONE_PER_SERVICE | LATEST_WINS
    phone_invitation: bool
    # stage codes a rater may rate (policy ratable_stages); 办结 is the handling itself
    ratable_stages: frozenset[str] = frozenset({WHOLE_HANDLING.value})


@dataclass(frozen=True)
class StageFacts:
    """The stage a rating names: its code as given and whether the business system
    reported that stage for the handling."""

    code: str
    reported: bool


@dataclass(frozen=True)
class EnteredBy:
    user_id: int
    role: str


@dataclass(frozen=True)
class RatingDecision:
    supersedes: bool  # the current rating is replaced
    assess_number: int


def channel_group_of(*, has_window: bool, service_channel: str) -> ChannelGroup:
    """Offline (hall) service shows the offline indicators; everything else online."""
    if has_window or service_channel == ChannelGroup.OFFLINE.value:
        return ChannelGroup.OFFLINE
    return ChannelGroup.ONLINE


def has_reason(rating: RatingInput, tables: StandardTables) -> bool:
    """A listed reason, a content item of the chosen (bad) level, or typed text (§7)."""
    if len(rating.text.strip()) >= MIN_REASON_TEXT_CHARS:
        return True
    if any(code != FREE_TEXT_REASON and code in tables.reason_codes
           for code in rating.reason_codes):
        return True
    level_items = {code for code, lvl in tables.content_items if lvl == rating.level}
    return any(code in level_items for code in rating.content_codes)


def check_content(rating: RatingInput, tables: StandardTables, group: ChannelGroup) -> None:
    """Level, item levels, content items, reason codes and text length."""
    if isinstance(rating.level, bool) or rating.level not in {lv.value for lv in Level}:
        raise RatingRejected("evaluation.invalid_level", "评价等级须为 1 至 5", "level")
    allowed = tables.indicators.get(group.value, frozenset())
    for code, value in rating.item_levels.items():
        if code not in allowed:
            raise RatingRejected("evaluation.unknown_indicator",
                                 f"分项指标“{code}”不属于{group.label}评价指标", "item_levels")
        if isinstance(value, bool) or value not in {lv.value for lv in Level}:
            raise RatingRejected("evaluation.invalid_item_level",
                                 f"分项指标“{code}”的等级须为 1 至 5", "item_levels")
    problems = validate_content_codes(tables.content_items, rating.level, rating.content_codes)
    if problems:
        raise RatingRejected("evaluation.invalid_content", problems[0].message,
                             "content_codes")
    if len(set(rating.content_codes)) != len(rating.content_codes):
        raise RatingRejected("evaluation.invalid_content", "评价内容有重复", "content_codes")
    unknown = [c for c in rating.reason_codes if c not in tables.reason_codes]
    if unknown:
        raise RatingRejected("evaluation.unknown_reason", f"差评原因代码 {unknown[0]} 不存在",
                             "reason_codes")
    if rating.reason_codes and not is_bad(rating.level):
        raise RatingRejected("evaluation.reason_not_allowed",
                             "只有“不满意”“非常不满意”可以选择差评原因", "reason_codes")
    if len(rating.text) > MAX_TEXT_CHARS:
        raise RatingRejected("evaluation.text_too_long",
                             f"文字评价不能超过 {MAX_TEXT_CHARS} 字", "text")


def reason_exempt(channel: Channel, assess_number: int) -> bool:
    """The first SMS reply is a bare digit (seed 003 §9(三)); its reason is asked by a
    follow-up SMS whose answer is recorded as assess_number 2 and must carry it. Only a
    reply (``check_rating(sms_reply=True)``) may use this; the form of an SMS link is
    channel SMS as well and asks for the reason itself."""
    return channel is Channel.SMS and assess_number == FIRST_RATING


# The hall channels a degraded device (a four-key pad, evaluations.devices) rates through.
DEGRADED_CHANNELS = frozenset({Channel.EVALUATOR, Channel.KIOSK})


def check_timing(state: HandlingState, now: datetime) -> None:
    """Only completed handlings, and not after the supplementary window (seed 003 §12)."""
    if state.status == STATUS_WITHDRAWN:
        raise RatingRejected("evaluation.withdrawn", "该办件已撤回，不能评价")
    if state.status != STATUS_COMPLETED:
        raise RatingRejected("evaluation.not_completed", "办件尚未办结，办结后才能评价")
    if state.rating_closes_at is not None and now > state.rating_closes_at:
        raise RatingRejected("evaluation.window_closed", "已超过补充评价期限，不能再评价")


def stage_named(value: str | None) -> Stage | None:
    """The stage a rating names (our code or its national name), None for the handling as
    a whole (nothing, or 办结); ``evaluation.unknown_stage`` for anything else."""
    if value is None or not value.strip():
        return None
    stage = stage_of(value)
    if stage is None:
        raise RatingRejected("evaluation.unknown_stage", f"未知的评价环节“{value.strip()[:20]}”",
                             "stage")
    return None if stage is WHOLE_HANDLING else stage


def check_stage(stage: StageFacts, policy: RatingPolicy) -> None:
    """The stage is known, ratable under the policy, and was reported for the handling."""
    named = stage_named(stage.code)
    if named is None:
        return
    if named.value not in policy.ratable_stages:
        allowed = "、".join(s.label for s in Stage if s.value in policy.ratable_stages)
        raise RatingRejected("evaluation.stage_not_ratable",
                             f"“{named.label}”环节不在可评价范围内（可评价：{allowed}）", "stage")
    if not stage.reported:
        raise RatingRejected("evaluation.stage_not_reported",
                             f"该办件没有“{named.label}”环节的办理记录，不能评价", "stage")


def check_stage_timing(state: HandlingState, now: datetime) -> None:
    """A stage may be rated once it happened, before or after completion; never for a
    withdrawn handling nor after the supplementary window (seed 003 §10, §12)."""
    if state.status == STATUS_WITHDRAWN:
        raise RatingRejected("evaluation.withdrawn", "该办件已撤回，不能评价")
    if state.rating_closes_at is not None and now > state.rating_closes_at:
        raise RatingRejected("evaluation.window_closed", "已超过补充评价期限，不能再评价")


def check_phone_entry(state: HandlingState, policy: RatingPolicy,
                      entered_by: EnteredBy | None) -> None:
    """电话邀约 (seed 004 §11) by the office; never by the staff who served (003 §15)."""
    if not policy.phone_invitation:
        raise RatingRejected("evaluation.phone_disabled", "本地区未开通电话邀约评价")
    if entered_by is None or entered_by.role not in PHONE_ENTRY_ROLES:
        raise RatingRejected("evaluation.phone_entry_forbidden",
                             "电话邀约评价只能由政务服务管理机构人员录入")
    if state.staff_user_id is not None and entered_by.user_id == state.staff_user_id:
        raise RatingRejected("evaluation.self_rating", "工作人员不能代替评价人评价自己经办的办件")


def decide_supersede(state: HandlingState, policy: RatingPolicy, rating: RatingInput,
                     assess_number: int | None) -> RatingDecision:
    """How the new rating relates to the current one (seed 003 §10, seed 000 §7/§11)."""
    current = state.current
    if current is None:
        return RatingDecision(False, assess_number or FIRST_RATING)
    if current.is_default or current.invalidated:
        # A real rating within the window always replaces a default (or voided) one.
        return RatingDecision(True, assess_number or FIRST_RATING)
    if policy.multiple_ratings == LATEST_WINS:
        return RatingDecision(True, assess_number or FOLLOW_UP)
    follow_up = (assess_number == FOLLOW_UP and is_bad(current.level)
                 and not current.has_reason and rating.level == current.level)
    if follow_up:
        # The reason answering the SMS follow-up completes the first rating; it is not a
        # second opinion, so one_per_service lets it through.
        return RatingDecision(True, FOLLOW_UP)
    raise RatingRejected("evaluation.already_rated", "该办件已评价，一次服务只能评价一次")


def check_rating(rating: RatingInput, *, channel: Channel, tables: StandardTables,
                 state: HandlingState, policy: RatingPolicy, now: datetime,
                 entered_by: EnteredBy | None = None,
                 assess_number: int | None = None,
                 sms_reply: bool = False, degraded: bool = False,
                 from_remote: bool = False,
                 stage: StageFacts | None = None) -> RatingDecision:
    """Decide whether ``rating`` may be recorded; raise :class:`RatingRejected` if not.
    ``sms_reply``: the rating is the rater's SMS reply, which may defer its reason.
    ``degraded``: it comes from a device that cannot give a reason (a four-key pad); its
    差评 reason is collected at the call-back of the work order it opens.
    ``from_remote``: it was made on a remote platform (exchange), whose own office
    entered its phone-invitation ratings.
    ``stage``: the rating is of that stage; ``state.current`` is then the stage's
    current rating."""
    if channel is Channel.DEFAULT:
        raise RatingRejected("evaluation.invalid_channel", "系统默认评价只能由系统生成", "channel")
    if degraded and channel not in DEGRADED_CHANNELS:
        raise RatingRejected("evaluation.invalid_channel", "只有大厅评价设备可以提交降级评价",
                             "channel")
    if assess_number is not None and assess_number not in (FIRST_RATING, FOLLOW_UP):
        raise RatingRejected("evaluation.invalid_assess_number", "评价次序须为 1 或 2",
                             "assess_number")
    if stage is not None and stage_named(stage.code) is not None:
        check_stage(stage, policy)
        check_stage_timing(state, now)
        sms_reply = False  # a bare SMS digit rates the handling, never a stage
    else:
        check_timing(state, now)
    if channel is Channel.PHONE and not from_remote:
        check_phone_entry(state, policy, entered_by)
    check_content(rating, tables, state.channel_group)
    decision = decide_supersede(state, policy, rating, assess_number)
    exempt = degraded or (sms_reply and reason_exempt(channel, decision.assess_number))
    if is_bad(rating.level) and not exempt and not has_reason(rating, tables):
        raise RatingRejected("evaluation.reason_required",
                             f"差评须选择差评原因或填写不少于 {MIN_REASON_TEXT_CHARS} 个字的原因",
                             "reason_codes")
    return decision


def default_rating_due(*, status: str, current: CurrentRating | None,
                       default_level: int | None) -> bool:
    """Seed 000 §11: an unrated completed handling gets the policy's default level.
    A default never overrides a real rating (nor an earlier default)."""
    return status == STATUS_COMPLETED and current is None and default_level is not None
