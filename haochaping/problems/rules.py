"""共性问题 (issue 15, seed 004 §7 举一反三, 双归零): the detection rule, the task's states
and the evidence it closes with. Pure: no ORM, no clock (``now`` is given).

**Signals.** A bad rating (差评) whose content items or reasons map to a cause
(``complaints.rules.causes.rating_causes``: one signal per cause it names) and an accepted
诉求件 with a cause (``Submission.cause``). Each carries its matter (if any), the org it
counts for and its moment.

**Clusters.** Within the policy's window (``problem_window``), signals of one cause on
one matter, or on one org, form a cluster once they reach ``problem_min_count``. A matter
cluster belongs to the matter's org. An org cluster is a separate problem only when enough
of its signals are *not* already in a firing matter cluster of the same cause nor covered
by a task of their matter (otherwise it is the same problem seen twice).

**One task per problem.** A subject (cause, matter or org) with an open task gets no
second one. After a task closes, only signals later than its closing count towards a new
cluster; a new cluster within ``problem_recurrence_window`` of that closing is a
**recurrence**, linked to the closed task.

**Whose thresholds.** The owning org's (a matter's org, or the org itself): a subtree that
overrides ``problem_window``, ``problem_min_count`` or ``problem_recurrence_window`` sets
them for the clusters its orgs own (``overrides``); every other owner has the
deployment's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from haochaping.catalog.rules.policy_values import Duration, DurationUnit
from haochaping.complaints.rules.causes import cause_label


class Source(StrEnum):
    RATING = "rating"  # 差评
    ITEM = "item"  # 诉求件


class SubjectKind(StrEnum):
    MATTER = "matter"
    ORG = "org"

    @property
    def label(self) -> str:
        return {"matter": "事项", "org": "部门"}[self.value]


class Status(StrEnum):
    OPEN = "open"  # 待整改: waiting for the department's evidence
    SUBMITTED = "submitted"  # 待核查: evidence in, the office checks it
    RETURNED = "returned"  # 退回重报: the office returned the evidence with a reason
    CLOSED = "closed"  # 已销号: the office accepted the systemic fix

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.OPEN: "待整改", Status.SUBMITTED: "待核查", Status.RETURNED: "退回重报",
    Status.CLOSED: "已销号",
}
# The department may submit evidence in these; the office checks only a submitted task.
SUBMITTABLE = frozenset({Status.OPEN, Status.RETURNED})
UNFINISHED = frozenset({Status.OPEN, Status.SUBMITTED, Status.RETURNED})


class EvidenceKind(StrEnum):
    GUIDE = "guide"  # 修订办事指南（新版本）
    PROCESS = "process"  # 优化办事流程
    OTHER = "other"  # 其他系统性整改

    @property
    def label(self) -> str:
        return EVIDENCE_LABELS[self]


EVIDENCE_LABELS: dict[EvidenceKind, str] = {
    EvidenceKind.GUIDE: "修订办事指南（发布新版本）",
    EvidenceKind.PROCESS: "优化办事流程",
    EvidenceKind.OTHER: "其他系统性整改措施",
}
MIN_EVIDENCE_TEXT = 10  # a sentence saying what changed, not "已整改"
MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)  # slots: a detection run holds a month of signals
class Signal:
    source: Source
    ref: int  # the rating's or the item's id
    cause: str
    matter_id: int | None
    org_id: int | None
    at: datetime


Key = tuple[str, SubjectKind, int]  # (cause, subject kind, subject id)


@dataclass(frozen=True)
class Known:
    """The latest task of one key: open, or closed at ``closed_at``."""

    task_id: int
    unfinished: bool
    closed_at: datetime | None = None


@dataclass(frozen=True)
class Decision:
    """Open one task: its key, the org that owns it, the signals behind it, and the
    closed task it recurs after (if any)."""

    key: Key
    owner_id: int
    signals: tuple[Signal, ...]
    recurrence_of: int | None = None

    @property
    def ratings(self) -> list[int]:
        return sorted({s.ref for s in self.signals if s.source is Source.RATING})

    @property
    def items(self) -> list[int]:
        return sorted({s.ref for s in self.signals if s.source is Source.ITEM})

    @property
    def title(self) -> str:
        return f"{cause_label(self.key[0])}问题在{self.key[1].label}集中出现"


@dataclass(frozen=True)
class ClusterRule:
    """The thresholds of an owner's clusters (the policy's ``problem_*`` values)."""

    window: Duration
    min_count: int
    recurrence_window: Duration


def lookback(window: Duration) -> timedelta:
    """The window as a span back from now. Working days count as 7/5 natural days each
    (rounded up): a look-back, not a deadline, needs no holiday calendar."""
    if window.unit is DurationUnit.HOURS:
        return timedelta(hours=window.amount)
    if window.unit is DurationUnit.WORKING_DAYS:
        return timedelta(days=-(-window.amount * 7 // 5))
    return timedelta(days=window.amount)


def _counted(signals: Iterable[Signal], since: datetime, now: datetime,
             known: Mapping[Key, Known]) -> tuple[dict[Key, list[Signal]], set[Signal]]:
    """The signals of each key that count towards a new task, and the signals a matter's
    existing task already covers (unfinished, or closed after them): those belong to
    that matter's problem, never to an org cluster."""
    groups: dict[Key, list[Signal]] = defaultdict(list)
    covered: set[Signal] = set()
    for s in signals:
        if not since <= s.at <= now or not s.cause:
            continue
        keys: list[Key] = []
        if s.matter_id is not None:
            keys.append((s.cause, SubjectKind.MATTER, s.matter_id))
        if s.org_id is not None:
            keys.append((s.cause, SubjectKind.ORG, s.org_id))
        for key in keys:
            last = known.get(key)
            before_fix = (last is not None and last.closed_at is not None
                          and s.at <= last.closed_at)
            if key[1] is SubjectKind.MATTER and last is not None and (
                    last.unfinished or before_fix):
                covered.add(s)
            if not before_fix:  # before the last fix: it belongs to the closed task
                groups[key].append(s)
    return groups, covered


def _recurrence(last: Known | None, now: datetime, recurrence: timedelta) -> int | None:
    if last is None or last.closed_at is None:
        return None
    return last.task_id if now - last.closed_at <= recurrence else None


def detect(signals: Iterable[Signal], *, now: datetime, window: Duration, min_count: int,
           recurrence_window: Duration, matter_orgs: Mapping[int, int],
           known: Mapping[Key, Known],
           overrides: Mapping[int, ClusterRule] | None = None) -> list[Decision]:
    """The tasks to open now (see the module's rule), most signals first. ``matter_orgs``
    maps a matter to its owning org; ``known`` is the latest task of each key;
    ``overrides`` gives an owner org its own thresholds (else those given here)."""
    default = ClusterRule(window, min_count, recurrence_window)
    owned = overrides or {}
    longest = max(lookback(r.window) for r in [default, *owned.values()])
    groups, covered = _counted(signals, now - longest, now, known)

    def within(found: list[Signal], rule: ClusterRule) -> list[Signal]:
        since = now - lookback(rule.window)
        return [s for s in found if s.at >= since]

    decisions: list[Decision] = []
    for key in sorted(k for k in groups if k[1] is SubjectKind.MATTER):
        owner = matter_orgs.get(key[2])
        if owner is None:
            continue
        rule = owned.get(owner, default)
        found = within(groups[key], rule)
        if len(found) < max(int(rule.min_count), 1):
            continue
        covered.update(found)  # a firing matter cluster: the org cluster leaves them out
        last = known.get(key)
        if last is not None and last.unfinished:
            continue
        decisions.append(Decision(key, owner, tuple(found),
                                  _recurrence(last, now, lookback(rule.recurrence_window))))
    for key in sorted(k for k in groups if k[1] is SubjectKind.ORG):
        rule = owned.get(key[2], default)
        rest = [s for s in within(groups[key], rule) if s not in covered]
        last = known.get(key)
        if len(rest) < max(int(rule.min_count), 1) or (last is not None and last.unfinished):
            continue
        decisions.append(Decision(key, key[2], tuple(rest),
                                  _recurrence(last, now, lookback(rule.recurrence_window))))
    return sorted(decisions, key=lambda d: (-len(d.signals), d.key))


def subject_key(kind: SubjectKind, subject_id: int) -> str:
    """The stored form of a subject (``ProblemTask.subject_key``): one open task each."""
    return f"{kind.value}:{subject_id}"


def is_overdue(status: Status, due_at: datetime | None, now: datetime) -> bool:
    """Unfinished past the deadline (a submitted task waits for the office, not late)."""
    return status in (Status.OPEN, Status.RETURNED) and due_at is not None and now > due_at
