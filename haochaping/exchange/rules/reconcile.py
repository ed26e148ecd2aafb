"""Pure rules of the daily reconciliation (对账, issue 13 "Upward"): per remote, day, org
and kind, what we sent and the remote acknowledged against what the remote says it holds
(its count endpoint: a count and the digest of the idempotency keys, ``codec.ids_digest``).

No ORM (STYLE.md §1): ``exchange.reconciling`` reads our outbox rows and asks the remote,
these functions decide the verdict, which records a re-send takes, and when a day is
checked again.

- ``sent``: every outbox row of the group (every change bound for the remote that day,
  whatever its status); ``acked``: the rows the remote acknowledged. The digest compared
  is that of the acked keys: the remote should hold exactly those.
- A profile without a count endpoint (anhui) cannot be asked: we compare sent with acked
  only, and the report says so.
- A remote that could not be asked (down, an unreadable answer, a configuration problem)
  is 未能核对, retried later: never a "match".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from haochaping.core.localtime import day_bounds
from haochaping.exchange.rules.codec import ids_digest


class Verdict(StrEnum):
    MATCH = "match"  # the remote holds exactly our acked keys, and all we sent is acked
    UNACKED = "unacked"  # the remote agrees (or cannot be asked), but not all we sent is acked
    FEWER = "fewer"  # the remote holds fewer records than we have acked
    MORE = "more"  # the remote holds more records than we acked, or other ones (digest)
    UNCHECKED = "unchecked"  # the remote could not be asked: retried, never a match


VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.MATCH: "一致", Verdict.UNACKED: "本地未全部确认", Verdict.FEWER: "平台少于本地",
    Verdict.MORE: "平台多于本地或不一致", Verdict.UNCHECKED: "未能核对",
}
# The report lists differences first, the worst first.
VERDICT_ORDER: dict[Verdict, int] = {
    Verdict.FEWER: 0, Verdict.MORE: 1, Verdict.UNACKED: 2, Verdict.UNCHECKED: 3,
    Verdict.MATCH: 4,
}
DIFFERENCES: frozenset[Verdict] = frozenset({Verdict.FEWER, Verdict.MORE, Verdict.UNACKED})
# The remote's side differs from ours: our acked records are uncertain at the remote.
REMOTE_DIFFERS: frozenset[Verdict] = frozenset({Verdict.FEWER, Verdict.MORE})


@dataclass(frozen=True)
class Ours:
    """Our side of one (day, org, kind): rows sent, and the keys the remote acked."""

    sent: int
    acked_keys: frozenset[str]

    @property
    def acked(self) -> int:
        return len(self.acked_keys)

    @property
    def digest(self) -> str:
        return ids_digest(self.acked_keys)


@dataclass(frozen=True)
class Theirs:
    """The remote's answer to a count query; ``keys`` only where the profile can list the
    keys it holds (a per-record query; no shipped profile has one yet)."""

    count: int
    digest: str
    keys: frozenset[str] | None = None


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    # Our acked keys the remote does not hold, when known (the remote listed its keys);
    # None when a difference leaves every acked key of the group uncertain.
    missing: frozenset[str] | None = None


def judge(ours: Ours, theirs: Theirs | None) -> Outcome:
    """The verdict of one group; ``theirs`` None: the profile has no count endpoint."""
    if theirs is not None and (theirs.digest.lower() != ours.digest
                               or theirs.count != ours.acked):
        missing = None if theirs.keys is None else ours.acked_keys - theirs.keys
        verdict = Verdict.FEWER if theirs.count < ours.acked else Verdict.MORE
        return Outcome(verdict, missing)
    if ours.sent != ours.acked:
        return Outcome(Verdict.UNACKED)
    return Outcome(Verdict.MATCH)


def total_matches(groups: Iterable[Ours], theirs: Theirs) -> bool:
    """Whether the remote's answer for every org at once (org code "") equals the union of
    our groups: then every org's group matches too (the keys are the same set), and the
    job asks no per-org question."""
    keys: set[str] = set()
    for group in groups:
        keys |= group.acked_keys
    return theirs.count == len(keys) and theirs.digest.lower() == ids_digest(keys)


# --- what a re-send takes ----------------------------------------------------------------


@dataclass(frozen=True)
class ResendPlan:
    """Which rows of a group leave again (under their keys: the remote de-duplicates)."""

    acked: bool  # acked rows too (all of them, or only ``keys`` when known)
    keys: frozenset[str] | None  # the acked keys known missing; None: every acked row
    failed: bool  # refused and dead rows (sent, never acknowledged)

    @property
    def empty(self) -> bool:
        return not self.acked and not self.failed


def resend_plan(verdict: Verdict, missing: frozenset[str] | None) -> ResendPlan:
    """A remote that differs from us makes our acked records uncertain (all of them, or
    exactly the missing ones when the remote listed its keys); refused and dead rows are
    missing at the remote whatever it says. Rows still pending or in flight are on their
    way: never touched. A match, or a day not checked, takes nothing."""
    if verdict in REMOTE_DIFFERS:
        return ResendPlan(acked=missing is None or bool(missing), keys=missing, failed=True)
    if verdict is Verdict.UNACKED:
        return ResendPlan(acked=False, keys=None, failed=True)
    return ResendPlan(acked=False, keys=None, failed=False)


# --- when a day is checked ---------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """The reconciliation's clock (settings ``HCP_EXCHANGE_RECONCILE_*``)."""

    settle_hours: int = 2  # yesterday is checked from this hour of today (late acks land)
    recheck_days: int = 7  # days with differences are checked again this long
    recheck_hours: int = 24  # … once per this many hours
    retry_minutes: int = 15  # a remote that could not be asked: first retry
    retry_cap_minutes: int = 360  # … doubling up to this


def first_check_at(day: date, schedule: Schedule) -> datetime:
    """When ``day`` is first reconciled: the next day, after the settle hours."""
    return day_bounds(day)[1] + timedelta(hours=schedule.settle_hours)


def due_days(today: date, schedule: Schedule) -> tuple[date, date]:
    """[oldest, newest] days the job still checks: yesterday back ``recheck_days``."""
    yesterday = today - timedelta(days=1)
    return yesterday - timedelta(days=schedule.recheck_days - 1), yesterday


def next_check(*, day: date, today: date, now: datetime, verdicts: Iterable[Verdict],
               failures: int, schedule: Schedule) -> datetime | None:
    """When a day's run is checked again after this one; None: it is settled (everything
    matched, or the day left the re-check window).

    ``failures`` counts the runs in a row that could not ask the remote (this one
    included): their retries back off from ``retry_minutes`` to ``retry_cap_minutes``."""
    oldest, _ = due_days(today, schedule)
    if day < oldest:
        return None
    found = set(verdicts)
    if Verdict.UNCHECKED in found:
        minutes = min(schedule.retry_minutes * 2 ** max(0, failures - 1),
                      schedule.retry_cap_minutes)
        return now + timedelta(minutes=minutes)
    if found & DIFFERENCES:
        return now + timedelta(hours=schedule.recheck_hours)
    return None


def lease_until(now: datetime, seconds: int) -> datetime:
    """A claimed run is not due again while its task works (a killed task's run is due
    again after the lease)."""
    return now + timedelta(seconds=seconds)
