"""The work-order engine as data (差评整改闭环, issue 4). Pure Python, no ORM.

One state machine serves every kind: bad reviews, and the requests (咨询、投诉、建议)
opened without a rating by ``services.requests``: their reply states four elements
(``request_rules``) and, when the policy says so, the department head approves it
(审阅, state ``approving``) before the office's QA (seed 004 §6(二)).
``TRANSITIONS`` lists every action: the states it may be taken from, the state it leads
to (``None``: a step recorded in place), which party may take it, and which clocks it
starts and stops. :func:`transition_table_markdown` renders it for docs/workorders.md.

Clocks are deadlines stored on the order (STYLE.md §6), computed by :func:`clock_limits`
and :func:`rectify_limit` from the org's effective policy and the working-day calendar.

Appeal clock rule (docs/workorders.md): while an appeal is pending the rectification
clock is PAUSED. Filing stores the time left in the limit's own unit (working days left
for a working-day limit, natural days for a natural-day one) and clears ``rectify_due_at``;
a rejected appeal restores exactly that much from the ruling (:func:`resume_after`), so a
department loses no working time to the office's deliberation and gains none either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from haochaping.catalog.rules import calendar
from haochaping.catalog.rules.calendar import NO_OVERRIDES
from haochaping.catalog.rules.policies import Duration, DurationUnit, Policy
from haochaping.core.errors import RuleViolation


class State(StrEnum):
    DISPATCHED = "dispatched"
    SIGNED = "signed"
    APPROVING = "approving"
    REPLIED = "replied"
    RETURNED = "returned"
    APPEALING = "appealing"
    CLOSED = "closed"
    VOIDED = "voided"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS: dict[State, str] = {
    State.DISPATCHED: "待签收",
    State.SIGNED: "办理中",
    State.APPROVING: "待部门审阅",
    State.REPLIED: "已反馈待质检",
    State.RETURNED: "退回重办",
    State.APPEALING: "申诉中",
    State.CLOSED: "已办结",
    State.VOIDED: "已撤销",
}
TERMINAL: frozenset[State] = frozenset({State.CLOSED, State.VOIDED})
OPEN_STATES: tuple[State, ...] = tuple(s for s in State if s not in TERMINAL)
WORKING: frozenset[State] = frozenset({State.SIGNED, State.RETURNED})


class Kind(StrEnum):
    BAD_REVIEW = "bad_review"  # 差评
    COMPLAINT = "complaint"  # 投诉 (forwarded by the provincial platform, issue 13)
    INQUIRY = "inquiry"  # 咨询 (complaints app; forwarded by the provincial platform)
    SUGGESTION = "suggestion"  # 建议、综合点评 (complaints app)


KIND_LABELS = {Kind.BAD_REVIEW: "差评", Kind.COMPLAINT: "投诉", Kind.INQUIRY: "咨询",
               Kind.SUGGESTION: "建议"}
# Orders without a rating (services.requests): their own reply, approval and clocks.
REQUEST_KINDS: frozenset[Kind] = frozenset({Kind.COMPLAINT, Kind.INQUIRY, Kind.SUGGESTION})


class Complexity(StrEnum):
    SIMPLE = "simple"  # 情况简单、事实清楚：立行立改
    COMPLEX = "complex"  # 情况复杂：限期整改


class Party(StrEnum):
    HANDLER = "handler"  # the handling department (assigned org subtree)
    HEAD = "head"  # its head (承办部门负责人, role dept_head): approves request replies
    OFFICE = "office"  # the supervising office of the order's subtree
    SYSTEM = "system"  # the platform itself (ratings, policy)


PARTY_LABELS = {Party.HANDLER: "承办部门", Party.HEAD: "部门负责人", Party.OFFICE: "管理机构",
                Party.SYSTEM: "系统"}


class Clock(StrEnum):
    CONTACT = "contact"  # 先行联系 (seed 004 §6: 1 working day)
    INVESTIGATE = "investigate"  # 调查核实 (seed 004 §6: 5 working days)
    RECTIFY = "rectify"  # 整改反馈 (every preset)
    APPEAL_FILE = "appeal_file"  # 申诉提出 (seed 003 §23: 3 working days)
    RULING = "ruling"  # 申诉复核 (seed 003 §23: 3 working days)

    @property
    def field(self) -> str:
        return f"{self.value}_due_at"


CLOCK_LABELS = {Clock.CONTACT: "联系时限", Clock.INVESTIGATE: "核实时限",
                Clock.RECTIFY: "整改时限", Clock.APPEAL_FILE: "申诉提出时限",
                Clock.RULING: "申诉复核时限"}


class Action(StrEnum):
    SIGN = "sign"
    CALLBACK = "callback"
    VERIFY = "verify"
    RECTIFY = "rectify"
    REPLY = "reply"
    SUBMIT = "submit"
    HEAD_APPROVE = "head_approve"
    HEAD_RETURN = "head_return"
    AUTO_CLOSE = "auto_close"
    REVIEW_PASS = "review_pass"
    REVIEW_RETURN = "review_return"
    EXTENSION_REQUEST = "extension_request"
    EXTENSION_DECIDE = "extension_decide"
    APPEAL_FILE = "appeal_file"
    APPEAL_UPHOLD = "appeal_uphold"
    APPEAL_REJECT = "appeal_reject"
    REDISPATCH = "redispatch"
    SATISFACTION = "satisfaction"
    RERATING_FOLLOW = "rerating_follow"
    RERATING_CLOSE = "rerating_close"
    EVALUATION_VOID = "evaluation_void"
    MARK_TYPICAL = "mark_typical"
    REOPEN = "reopen"  # the office's spot check found the fix was not made (issue 15)
    DISSENT = "dissent"  # the rater is not satisfied: back to the office's QA (issue 16)


@dataclass(frozen=True)
class Transition:
    action: Action
    label: str
    sources: frozenset[State]
    target: State | None  # None: a step recorded without changing state
    parties: frozenset[Party]
    starts: frozenset[Clock] = frozenset()
    stops: frozenset[Clock] = frozenset()
    pauses: frozenset[Clock] = frozenset()

    def target_from(self, source: State) -> State:
        return self.target if self.target is not None else source


def _t(action: Action, label: str, sources: set[State] | frozenset[State], target: State | None,
       parties: set[Party], *, starts: set[Clock] | None = None,
       stops: set[Clock] | None = None, pauses: set[Clock] | None = None) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(parties),
                      frozenset(starts or ()), frozenset(stops or ()), frozenset(pauses or ()))


H, HD, OFC, SYS = Party.HANDLER, Party.HEAD, Party.OFFICE, Party.SYSTEM
_OPEN = set(OPEN_STATES)
_ALL_CLOCKS = set(Clock)

TRANSITIONS: dict[Action, Transition] = {t.action: t for t in (
    _t(Action.SIGN, "签收", {State.DISPATCHED}, State.SIGNED, {H}),
    _t(Action.CALLBACK, "回访评价人", WORKING, None, {H}, stops={Clock.CONTACT}),
    _t(Action.VERIFY, "核实", WORKING, None, {H}, stops={Clock.CONTACT, Clock.INVESTIGATE}),
    _t(Action.RECTIFY, "记录整改措施", WORKING, None, {H}),
    _t(Action.REPLY, "反馈评价人", WORKING, State.REPLIED, {H},
       stops={Clock.CONTACT, Clock.INVESTIGATE, Clock.RECTIFY, Clock.APPEAL_FILE}),
    _t(Action.SUBMIT, "答复提交部门审阅", WORKING, State.APPROVING, {H},
       stops={Clock.CONTACT, Clock.INVESTIGATE}),
    _t(Action.HEAD_APPROVE, "部门负责人审阅通过", {State.APPROVING}, State.REPLIED, {HD},
       stops={Clock.RECTIFY}),
    _t(Action.HEAD_RETURN, "部门负责人退回", {State.APPROVING}, State.RETURNED, {HD}),
    _t(Action.AUTO_CLOSE, "反馈即办结（无需质检）", {State.REPLIED}, State.CLOSED, {SYS}),
    _t(Action.REVIEW_PASS, "质检通过", {State.REPLIED}, State.CLOSED, {OFC}),
    _t(Action.REVIEW_RETURN, "质检退回", {State.REPLIED}, State.RETURNED, {OFC},
       starts={Clock.RECTIFY}),
    _t(Action.EXTENSION_REQUEST, "申请延期", WORKING, None, {H}),
    _t(Action.EXTENSION_DECIDE, "审批延期", WORKING, None, {OFC}),
    _t(Action.APPEAL_FILE, "提出申诉", WORKING | {State.DISPATCHED}, State.APPEALING, {H},
       starts={Clock.RULING}, stops={Clock.APPEAL_FILE}, pauses={Clock.RECTIFY}),
    _t(Action.APPEAL_UPHOLD, "申诉成立", {State.APPEALING}, State.VOIDED, {OFC},
       stops=_ALL_CLOCKS),
    _t(Action.APPEAL_REJECT, "申诉驳回", {State.APPEALING}, State.SIGNED, {OFC},
       stops={Clock.RULING}, starts={Clock.RECTIFY}),
    _t(Action.REDISPATCH, "改派", WORKING | {State.DISPATCHED, State.APPROVING},
       State.DISPATCHED, {OFC}),
    _t(Action.SATISFACTION, "记录评价人对整改的满意度", {State.REPLIED, State.CLOSED}, None,
       {SYS, OFC}),
    _t(Action.RERATING_FOLLOW, "重新评价仍为差评", _OPEN, None, {SYS}),
    _t(Action.RERATING_CLOSE, "重新评价为满意，工单办结", _OPEN, State.CLOSED, {SYS},
       stops=_ALL_CLOCKS),
    _t(Action.EVALUATION_VOID, "评价已作废，工单撤销", _OPEN, State.VOIDED, {SYS},
       stops=_ALL_CLOCKS),
    _t(Action.MARK_TYPICAL, "标记典型案例", {State.CLOSED}, None, {OFC}),
    _t(Action.REOPEN, "核查整改不实，重新整改", {State.CLOSED}, State.RETURNED, {OFC},
       starts={Clock.RECTIFY}),
    _t(Action.DISSENT, "评价人不满意，退回管理机构复核", {State.REPLIED, State.CLOSED},
       State.REPLIED, {SYS, OFC}),
)}


class TransitionRefused(RuleViolation):
    """An action the table does not allow: stable ``code``, Chinese ``message``."""


def next_state(state: State, action: Action, party: Party) -> State:
    """The state ``action`` leads to from ``state`` when taken by ``party``, or
    TransitionRefused: an undeclared transition is impossible."""
    tr = TRANSITIONS.get(action)
    if tr is None:
        raise TransitionRefused("workorder.unknown_action", "未知的工单操作", "action")
    if party not in tr.parties:
        who = "或".join(PARTY_LABELS[p] for p in Party if p in tr.parties)
        raise TransitionRefused("workorder.wrong_party", f"“{tr.label}”须由{who}办理")
    if state not in tr.sources:
        raise TransitionRefused("workorder.invalid_transition",
                                f"工单当前为“{state.label}”，不能执行“{tr.label}”")
    return tr.target_from(state)


def actions_for(state: State, party: Party) -> list[Action]:
    """Every action ``party`` may take from ``state`` (the table only; the services add
    the step and policy preconditions)."""
    return [a for a, tr in TRANSITIONS.items() if state in tr.sources and party in tr.parties]


# --- step preconditions (policy) --------------------------------------------------------

@dataclass(frozen=True)
class Steps:
    """Which step records an order holds since it was (re)signed."""

    called_back: bool = False
    verified: bool = False
    rectified: bool = False


def needs_head_approval(policy: Policy, kind: Kind) -> bool:
    """Seed 004 §6(二): a request's reply is approved by the department head (审阅)."""
    return kind in REQUEST_KINDS and policy.request_head_approval


def reply_action(policy: Policy, kind: Kind) -> Action:
    """What the department's reply form does: submit to the head, or reply."""
    return Action.SUBMIT if needs_head_approval(policy, kind) else Action.REPLY


def reply_refusal(policy: Policy, steps: Steps, kind: Kind = Kind.BAD_REVIEW,
                  action: Action = Action.REPLY) -> TransitionRefused | None:
    """Why a reply (``reply``, or ``submit`` to the head) may not be sent yet, or None.
    A bad review: seed 003 §18, every one is called back (回访率100%) before the answer;
    every preset, a rectification record first. A request states its own four elements
    in the reply (request_rules), so it needs no step record."""
    if action is not reply_action(policy, kind):
        if action is Action.REPLY:
            return TransitionRefused("workorder.head_approval_required",
                                     "答复须先提交部门负责人审阅")
        return TransitionRefused("workorder.head_approval_not_required",
                                 "本地政策无需部门负责人审阅，请直接答复")
    if kind in REQUEST_KINDS:
        return None
    if policy.callback_required and not steps.called_back:
        return TransitionRefused("workorder.callback_required", "须先回访评价人并记录回访情况")
    if not steps.rectified:
        return TransitionRefused("workorder.rectification_required", "须先记录整改措施和结果")
    return None


def reply_closes(policy: Policy) -> bool:
    """Without QA the reply closes the order once the rater is notified (seed 004 §6(二)
    and seed 003 §5 require the office's QA first)."""
    return not policy.qa_required


# --- clocks -----------------------------------------------------------------------------

ON_THE_SPOT = Duration.natural(0)  # 立行立改: by the end of the day it was dispatched

def rectify_limit(policy: Policy, complexity: Complexity) -> Duration:
    """The rectification limit of a bad review.

    complex: ``rectify_limit`` (000 §9 / 002: 15 natural days; 001: 5 working days;
    003 §17: 10 working days; 004 §6: 15 working days). simple: the lower bound of a
    range when there is one (003 §17: 3 working days), else on the spot where the
    policy says so (001, 004), else the same limit as complex cases.
    """
    if complexity is Complexity.COMPLEX:
        return policy.rectify_limit
    if policy.rectify_limit_min is not None:
        return policy.rectify_limit_min
    if policy.rectify_on_spot:
        return ON_THE_SPOT
    return policy.rectify_limit


def request_close_limit(policy: Policy, urgent: bool = False) -> Duration:
    """A request's close limit (the rectify clock): "15" of seed 004 §6(一), or the
    policy's fast track for an urgent item (紧急类的从快解决)."""
    return policy.complaint_urgent_close_limit if urgent else policy.complaint_close_limit


def _shorter(first: Duration, second: Duration) -> Duration:
    """The shorter of two limits of one unit; ``second`` when the units differ."""
    if first.unit is second.unit and first.amount < second.amount:
        return first
    return second


def clock_limits(policy: Policy, *, kind: Kind, complexity: Complexity,
                 staged: bool, urgent: bool = False) -> dict[Clock, Duration]:
    """The limits that start when an order is dispatched (ruling starts on filing). An
    urgent request: the urgent contact and close limits, and investigation done by the
    urgent close at the latest."""
    limits: dict[Clock, Duration] = {}
    if kind is not Kind.BAD_REVIEW or staged:
        limits[Clock.CONTACT] = policy.complaint_contact_limit
        limits[Clock.INVESTIGATE] = policy.complaint_investigate_limit
    if kind is Kind.BAD_REVIEW:
        limits[Clock.RECTIFY] = rectify_limit(policy, complexity)
        if policy.appeal_enabled:
            limits[Clock.APPEAL_FILE] = policy.appeal_filing_limit
    elif urgent:
        limits[Clock.CONTACT] = policy.complaint_urgent_contact_limit
        limits[Clock.INVESTIGATE] = _shorter(policy.complaint_investigate_limit,
                                             policy.complaint_urgent_close_limit)
        limits[Clock.RECTIFY] = policy.complaint_urgent_close_limit
    else:
        limits[Clock.RECTIFY] = policy.complaint_close_limit
    return limits


def due_dates(start: datetime, limits: Mapping[Clock, Duration],
              overrides: Mapping[date, bool] = NO_OVERRIDES) -> dict[Clock, datetime]:
    return {clock: calendar.add_duration(start, limit, overrides)
            for clock, limit in limits.items()}


@dataclass(frozen=True)
class Paused:
    """Time left on a paused clock, in the unit of its limit."""

    amount: int
    unit: DurationUnit


def pause(now: datetime, due: datetime, unit: DurationUnit,
          overrides: Mapping[date, bool] = NO_OVERRIDES) -> Paused:
    """What is left of a clock at ``now`` (never negative: an overdue clock stays due
    right away when resumed)."""
    if unit is DurationUnit.WORKING_DAYS:
        left = calendar.working_days_between(now, due, overrides)
    elif unit is DurationUnit.NATURAL_DAYS:
        left = (calendar.local_day(due) - calendar.local_day(now)).days
    else:
        left = int((due - now) / timedelta(hours=1))
    return Paused(max(left, 0), unit)


def resume_after(moment: datetime, paused: Paused,
                 overrides: Mapping[date, bool] = NO_OVERRIDES) -> datetime:
    return calendar.add_duration(moment, Duration(paused.amount, paused.unit), overrides)


def extension_refusal(policy: Policy, *, current_due: datetime | None,
                      requested_day: date, today: date) -> TransitionRefused | None:
    """Seed 000 §9: a department that cannot finish states the reason and a new limit."""
    if not policy.rectify_extension_allowed:
        return TransitionRefused("workorder.extension_not_allowed", "本地政策不允许延期整改")
    if requested_day <= today or (current_due is not None
                                  and requested_day <= calendar.local_day(current_due)):
        return TransitionRefused("workorder.extension_too_short",
                                 "新的整改期限须晚于当前期限", "new_due_date")
    return None


# --- docs -------------------------------------------------------------------------------

def transition_table_markdown() -> str:
    """The transition table as Markdown (docs/workorders.md embeds it verbatim)."""
    order = list(State)

    def states(values: frozenset[State]) -> str:
        return "、".join(f"{s.value} {s.label}" for s in sorted(values, key=order.index))

    def clocks(values: frozenset[Clock]) -> str:
        return ", ".join(c.value for c in Clock if c in values) or "—"

    rows = ["| action | 名称 | from | to | who | starts | stops | pauses |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for tr in TRANSITIONS.values():
        target = "(same)" if tr.target is None else f"{tr.target.value} {tr.target.label}"
        who = ", ".join(p.value for p in Party if p in tr.parties)
        rows.append(f"| `{tr.action.value}` | {tr.label} | {states(tr.sources)} | {target} "
                    f"| {who} | {clocks(tr.starts)} | {clocks(tr.stops)} "
                    f"| {clocks(tr.pauses)} |")
    return "\n".join(rows) + "\n"
