"""Spot checks (核查抽查, issue 15) as data and formulas. Pure, no ORM.

What is drawn: ratings of a period by class (good, bad, default), each class at the rate
the office sets, stratified by org and spread over channels and windows (:func:`draw`);
and closed bad-review work orders at their own rate, stratified by org. Like the
complaints' call-back draw (``complaints.rules.sampling``, whose stratum size it uses)
each stratum has a generator seeded by the seed and the stratum, so the recorded seed,
rates and candidate digest let anyone re-run it.

What a check finds, and what follows (:data:`CONSEQUENCE`): a rating the rater denies is
invalidated with the finding as its reason; a fix that was not made or was reported
falsely (a fake fix) reopens the work order.

The two figures (docs/metrics.md): 回访一致率 = ratings the rater confirmed / ratings
checked with an answer (confirmed + denied; unreachable raters are not counted);
整改核实率 = orders whose fix was verified / orders checked.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from haochaping.catalog.rules.standards import is_bad
from haochaping.complaints.rules import sampling

MAX_RATE = 100
SEED_PATTERN = sampling.SEED_PATTERN


class Target(StrEnum):
    RATING = "rating"
    ORDER = "order"


class Stratum(StrEnum):
    """The class a candidate is sampled in; each has its own rate."""

    GOOD = "good"
    BAD = "bad"
    DEFAULT = "default"
    ORDER = "order"

    @property
    def label(self) -> str:
        return STRATUM_LABELS[self]

    @property
    def target(self) -> Target:
        return Target.ORDER if self is Stratum.ORDER else Target.RATING


STRATUM_LABELS = {Stratum.GOOD: "好评", Stratum.BAD: "差评", Stratum.DEFAULT: "默认好评",
                  Stratum.ORDER: "已办结差评工单"}


class Method(StrEnum):
    PHONE = "phone"
    ARCHIVE = "archive"
    ON_SITE = "on_site"
    VIDEO = "video"

    @property
    def label(self) -> str:
        return METHOD_LABELS[self]


METHOD_LABELS = {Method.PHONE: "电话回访", Method.ARCHIVE: "调阅档案",
                 Method.ON_SITE: "实地察看", Method.VIDEO: "调取视频监控"}


class Finding(StrEnum):
    CONFIRMED = "confirmed"  # the rater confirms the rating
    NOT_CONFIRMED = "not_confirmed"  # the rater denies it: invalidated
    UNREACHED = "unreached"  # nobody could confirm either way: not counted
    VERIFIED = "verified"  # the fix was made
    NOT_DONE = "not_done"  # the fix was not made: reopened
    FALSE_REPORT = "false_report"  # reported done but not made (fake fix): reopened

    @property
    def label(self) -> str:
        return FINDING_LABELS[self]


FINDING_LABELS = {
    Finding.CONFIRMED: "评价属实（评价人确认）",
    Finding.NOT_CONFIRMED: "评价不属实（评价人否认）",
    Finding.UNREACHED: "未能核实（联系不上）",
    Finding.VERIFIED: "整改属实",
    Finding.NOT_DONE: "整改未落实",
    Finding.FALSE_REPORT: "虚报整改（弄虚作假）",
}
FINDINGS: dict[Target, tuple[Finding, ...]] = {
    Target.RATING: (Finding.CONFIRMED, Finding.NOT_CONFIRMED, Finding.UNREACHED),
    Target.ORDER: (Finding.VERIFIED, Finding.NOT_DONE, Finding.FALSE_REPORT),
}


class Consequence(StrEnum):
    INVALIDATE = "invalidate"  # the rating goes to evaluations' invalidation
    REOPEN = "reopen"  # the work order goes back to its department


CONSEQUENCE: dict[Finding, Consequence] = {
    Finding.NOT_CONFIRMED: Consequence.INVALIDATE,
    Finding.NOT_DONE: Consequence.REOPEN,
    Finding.FALSE_REPORT: Consequence.REOPEN,
}


def stratum_of(level: int, is_default: bool) -> Stratum:
    """A rating's class: the system's default rating, a bad review (the one threshold of
    ``catalog.rules.standards``), or good (every other level)."""
    if is_default:
        return Stratum.DEFAULT
    return Stratum.BAD if is_bad(level) else Stratum.GOOD


def finding_refusal(target: Target, finding: str) -> str | None:
    """Why ``finding`` cannot be recorded for a check of ``target`` (Chinese), or None."""
    try:
        value = Finding(finding)
    except ValueError:
        return "核查结论无效"
    if value not in FINDINGS[target]:
        allowed = "、".join(f.label for f in FINDINGS[target])
        return f"该核查对象的结论须为：{allowed}"
    return None


# --- the draw -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """One rating or order that may be drawn: its stratum, and what it is stratified by."""

    stratum: Stratum
    id: int
    org: int
    channel: str = ""
    window: int = 0

    @property
    def key(self) -> str:
        return f"{self.stratum.value}:{self.id}"


def rates_refusal(rates: Mapping[Stratum, int]) -> str | None:
    if any(not 0 <= rates.get(s, 0) <= MAX_RATE for s in Stratum):
        return "抽查比例须在 0% 至 100% 之间"
    if not any(rates.get(s, 0) for s in Stratum):
        return "至少为一类对象设置抽查比例"
    return None


def _systematic(ids: list[int], size: int, rng: random.Random) -> list[int]:
    """``size`` of ``ids`` (in their order) at an even step from a random start: every
    run of at least one step holds a chosen one."""
    step = len(ids) / size
    start = rng.random() * step
    return [ids[min(int(start + i * step), len(ids) - 1)] for i in range(size)]


def draw(candidates: Sequence[Candidate], *, rates: Mapping[Stratum, int],
         seed: str) -> list[Candidate]:
    """The candidates drawn, in stratum, org and id order.

    Each class is drawn at its own rate (0%: not drawn); within a class every org is a
    stratum, sampled at the rate rounded up (``complaints.rules.sampling.stratum_size``:
    an org with candidates is never left out). Within an org the candidates are ordered by
    channel, window and id and taken at an even step from a random start (systematic
    sampling), so the sample spreads over the org's channels and windows in proportion:
    every channel-and-window group at least one step long is sampled. Each (class, org)
    has its own generator seeded by the seed, the class and the org: the same candidates
    (in any order), rates and seed give the same result, and no class or org moves
    another's draw.
    """
    if rates_refusal(rates):
        raise ValueError("rates out of range")
    if not SEED_PATTERN.match(seed):
        raise ValueError("seed must be 1-16 letters or digits")
    strata: dict[tuple[Stratum, int], list[Candidate]] = defaultdict(list)
    for c in {c.key: c for c in candidates}.values():
        strata[(c.stratum, c.org)].append(c)
    chosen: list[Candidate] = []
    for stratum in Stratum:
        rate = rates.get(stratum, 0)
        if rate == 0:
            continue
        for org in sorted(o for s, o in strata if s is stratum):
            members = sorted(strata[(stratum, org)], key=lambda c: (c.channel, c.window, c.id))
            rng = random.Random(f"{seed}:{stratum.value}:{org}")  # noqa: S311 - a sample
            size = sampling.stratum_size(len(members), rate)
            picked = set(_systematic([c.id for c in members], size, rng))
            chosen.extend(c for c in sorted(members, key=lambda c: c.id) if c.id in picked)
    return chosen


def candidates_digest(candidates: Iterable[Candidate]) -> str:
    """SHA-256 of the candidates (stratum, id, org, channel, window), sorted: recorded
    with the draw, so a re-run can show it started from the same set."""
    lines = sorted(f"{c.key}:{c.org}:{c.channel}:{c.window}" for c in candidates)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


# --- figures ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    """The findings of one department or window, and the two rates (None: nothing to
    divide)."""

    checked_ratings: int
    confirmed: int
    denied: int
    unreached: int
    checked_orders: int
    verified: int
    not_done: int
    false_report: int

    @property
    def consistency_rate(self) -> float | None:
        """回访一致率: confirmed / (confirmed + denied)."""
        answered = self.confirmed + self.denied
        return self.confirmed / answered if answered else None

    @property
    def verification_rate(self) -> float | None:
        """整改核实率: verified / orders checked."""
        return self.verified / self.checked_orders if self.checked_orders else None


def figures(findings: Iterable[Finding]) -> Figures:
    n = Counter(findings)
    return Figures(
        checked_ratings=sum(n[f] for f in FINDINGS[Target.RATING]),
        confirmed=n[Finding.CONFIRMED], denied=n[Finding.NOT_CONFIRMED],
        unreached=n[Finding.UNREACHED],
        checked_orders=sum(n[f] for f in FINDINGS[Target.ORDER]),
        verified=n[Finding.VERIFIED], not_done=n[Finding.NOT_DONE],
        false_report=n[Finding.FALSE_REPORT])


def figures_by(rows: Iterable[tuple[str, Finding]]) -> dict[str, Figures]:
    """Figures per key (a department or window label), keys sorted."""
    grouped: dict[str, list[Finding]] = {}
    for key, finding in rows:
        grouped.setdefault(key, []).append(finding)
    return {key: figures(grouped[key]) for key in sorted(grouped)}


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"
