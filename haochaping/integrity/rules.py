"""Integrity signals against 刷好评 and coerced ratings (issue 15) as pure rules. No ORM.

Each signal is a function from plain rows (:class:`Rating`, the office's registered
links, the rater's call-back answers) and the policy's thresholds (:class:`Thresholds`)
to :class:`Hit` s: the rating flagged and the plain-Chinese explanation the office reads.
Nothing here decides: a hit puts a rating in the office's review queue (services).

Thresholds follow the policy's org subtree overrides: ``th`` is the deployment-wide set and
``overrides`` maps an org to its own where a subtree changed one. A rating is judged by its
org's; a pad or window by the org most of its ratings belong to. Baselines (the peers of
signal 3, a phone's other ratings in signal 2) stay deployment-wide.

1. 即时关联评价 — rated within ``quick_seconds`` of completion from a phone a staff member
   of the rated department registered, or (not from a pad or kiosk, which sit on that
   network by design) from the network the office registered for the window or hall.
2. 同号多评 — one phone rating the handlings of ``phone_raters`` or more different
   applicants within ``days``.
3. 等级分布异常 — a pad (or window) whose share of 非常满意 is implausibly high against
   its peers: one-sided exact binomial test (:mod:`haochaping.integrity.stats_rules`) of
   its count of 5s against the pooled share of every other pad (window), with at least
   ``uniform_min`` ratings, p below ``uniform_p`` and a share of at least
   ``uniform_share``; its 5s are flagged.
4. 回访不一致 — a pad rating whose rater later denied, in a call-back, a pad rating at
   the same window (``days`` back from the call-back).
5. 非工作时间集中评价 — ``burst_count`` or more pad or kiosk ratings of one pad (or window)
   within ``burst_seconds``, all outside the hall's hours.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.integrity.network_rules import contains, mask_ip
from haochaping.integrity.network_rules import parse_network as parse_network
from haochaping.integrity.stats_rules import binomial_upper_tail

PAD_CHANNELS = frozenset({"evaluator", "kiosk"})
TOP_LEVEL = 5


class Signal(StrEnum):
    QUICK_LINKED = "quick_linked"
    SHARED_PHONE = "shared_phone"
    UNIFORM = "uniform"
    CALLBACK = "callback"
    OFF_HOURS = "off_hours"

    @property
    def label(self) -> str:
        return SIGNAL_LABELS[self]


SIGNAL_LABELS = {
    Signal.QUICK_LINKED: "办结即评且关联工作人员",
    Signal.SHARED_PHONE: "同一手机号评价多名办事人",
    Signal.UNIFORM: "评价等级分布异常",
    Signal.CALLBACK: "回访答复与评价不一致",
    Signal.OFF_HOURS: "非工作时间集中评价",
}


@dataclass(frozen=True)
class Thresholds:
    quick_seconds: int
    days: int
    phone_raters: int
    uniform_min: int
    uniform_p: float
    uniform_share: float
    burst_count: int
    burst_seconds: int
    hours_start: int
    hours_end: int


@dataclass(frozen=True, slots=True)  # slots: an hourly scan holds a province's month
class Rating:
    """A current, valid, non-default rating with what the signals read."""

    id: int
    at: datetime
    completed_at: datetime | None
    level: int
    channel: str
    org: int
    rater: int
    phone: str = ""  # the rater's phone blind index ("" none)
    phone_masked: str = ""
    window: int | None = None
    hall: int | None = None
    device: int | None = None
    ip: str | None = None
    place: str = ""  # the window's (or pad's) name for the explanation


@dataclass(frozen=True)
class StaffPhone:
    phone: str  # blind index
    staff: int
    org: int
    label: str  # the staff member's name and number
    masked: str


@dataclass(frozen=True)
class Network:
    cidr: str
    label: str  # the window's or hall's name
    window: int | None = None
    hall: int | None = None
    orgs: frozenset[int] = frozenset()  # the orgs of the window (every org of the hall)


@dataclass(frozen=True)
class Denial:
    """A call-back in which the rater denied a pad rating (supervision's finding)."""

    rater: int
    window: int | None
    rating: int
    at: datetime
    how: str  # e.g. 核查抽查电话回访


@dataclass(frozen=True)
class Hit:
    rating: int
    signal: Signal
    explanation: str
    details: dict[str, object] = field(default_factory=dict)


Overrides = Mapping[int, Thresholds]  # org id -> thresholds where a subtree set its own


def of_org(org: int, th: Thresholds, overrides: Overrides | None) -> Thresholds:
    return overrides.get(org, th) if overrides else th


def of_unit(rows: Sequence[Rating], th: Thresholds, overrides: Overrides | None) -> Thresholds:
    """A pad's or window's thresholds: those of the org most of its ratings belong to."""
    if not overrides:
        return th
    org = Counter(r.org for r in rows).most_common(1)[0][0]
    return overrides.get(org, th)


def local(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


def _seconds(r: Rating) -> float | None:
    if r.completed_at is None:
        return None
    return (r.at - r.completed_at).total_seconds()


def quick_linked(ratings: Iterable[Rating], phones: Sequence[StaffPhone],
                 networks: Sequence[Network], th: Thresholds,
                 overrides: Overrides | None = None) -> list[Hit]:
    """Signal 1 (see the module)."""
    by_phone: dict[str, list[StaffPhone]] = defaultdict(list)
    for p in phones:
        by_phone[p.phone].append(p)
    hits = []
    for r in ratings:
        after = _seconds(r)
        if after is None or not 0 <= after <= of_org(r.org, th, overrides).quick_seconds:
            continue
        staff = [p for p in by_phone.get(r.phone, []) if p.org == r.org] if r.phone else []
        if staff:
            hits.append(Hit(r.id, Signal.QUICK_LINKED,
                            f"办结后 {int(after)} 秒即评价，评价手机号（{staff[0].masked}）"
                            f"是本部门工作人员{staff[0].label}登记的手机号",
                            {"seconds": int(after), "staff": staff[0].staff}))
            continue
        if r.channel in PAD_CHANNELS:
            continue
        for net in networks:
            mine = (net.window is not None and net.window == r.window
                    or net.hall is not None and net.hall == r.hall or r.org in net.orgs)
            if mine and contains(net.cidr, r.ip):
                hits.append(Hit(r.id, Signal.QUICK_LINKED,
                                f"办结后 {int(after)} 秒即从{net.label}登记的内部网段"
                                f"（{net.cidr}）提交评价",
                                {"seconds": int(after), "network": net.cidr,
                                 "ip_net": mask_ip(r.ip)}))
                break
    return hits


def _phone_span(rows: Sequence[Rating], th: Thresholds) -> set[int]:
    """The ratings of one phone (sorted by time) in a span of ``days`` in which it rated
    for ``phone_raters`` or more different applicants."""
    span = timedelta(days=th.days)
    flagged: set[int] = set()
    count: Counter[int] = Counter()
    left = 0
    for right, r in enumerate(rows):
        count[r.rater] += 1
        while rows[right].at - rows[left].at > span:
            count[rows[left].rater] -= 1
            if not count[rows[left].rater]:
                del count[rows[left].rater]
            left += 1
        if len(count) >= th.phone_raters:
            flagged.update(x.id for x in rows[left:right + 1])
    return flagged


def shared_phone(ratings: Iterable[Rating], th: Thresholds,
                 overrides: Overrides | None = None) -> list[Hit]:
    """Signal 2: for each phone, every rating in a span of ``days`` in which it rated
    for ``phone_raters`` or more different applicants (raters). The phone's ratings of
    every org count; a rating is flagged by its own org's thresholds."""
    groups: dict[str, list[Rating]] = defaultdict(list)
    for r in ratings:
        if r.phone:
            groups[r.phone].append(r)
    hits = []
    for rows in groups.values():
        rows.sort(key=lambda r: (r.at, r.id))
        raters_all = len({r.rater for r in rows})
        for t in dict.fromkeys(of_org(r.org, th, overrides) for r in rows):
            if raters_all < max(t.phone_raters, 2):
                continue
            flagged = _phone_span(rows, t)
            chosen = [r for r in rows
                      if r.id in flagged and of_org(r.org, th, overrides) == t]
            if not chosen:
                continue
            raters, orgs = len({r.rater for r in chosen}), len({r.org for r in chosen})
            text = (f"同一手机号（{chosen[0].phone_masked or '已脱敏'}）在 {t.days} 天内为 "
                    f"{raters} 名不同办事人的 {len(chosen)} 件办件评价，涉及 {orgs} 个部门")
            hits += [Hit(r.id, Signal.SHARED_PHONE, text,
                         {"raters": raters, "ratings": len(chosen), "orgs": orgs})
                     for r in chosen]
    return hits


def _units(ratings: Iterable[Rating]) -> dict[tuple[str, int], list[Rating]]:
    """Each rating under its pad (device) and under its window."""
    units: dict[tuple[str, int], list[Rating]] = defaultdict(list)
    for r in ratings:
        if r.device is not None:
            units[("device", r.device)].append(r)
        if r.window is not None:
            units[("window", r.window)].append(r)
    return units


def uniform(ratings: Iterable[Rating], th: Thresholds,
            overrides: Overrides | None = None) -> list[Hit]:
    """Signal 3 (see the module): units compared with the other units of their kind."""
    units = _units(ratings)
    totals: Counter[str] = Counter()
    tops: Counter[str] = Counter()
    for (kind, _), rows in units.items():
        totals[kind] += len(rows)
        tops[kind] += sum(r.level == TOP_LEVEL for r in rows)
    hits = []
    for (kind, _), rows in sorted(units.items()):
        n, k = len(rows), sum(r.level == TOP_LEVEL for r in rows)
        peers_n, peers_k = totals[kind] - n, tops[kind] - k
        t = of_unit(rows, th, overrides)
        if n < t.uniform_min or peers_n <= 0 or k / n < t.uniform_share:
            continue
        share = peers_k / peers_n
        if k / n <= share:
            continue
        p = binomial_upper_tail(k, n, share)
        if p >= t.uniform_p:
            continue
        what = "评价器" if kind == "device" else "窗口"
        text = (f"{rows[0].place or what}{t.days} 天内 {n} 条评价中“非常满意”{k} 条"
                f"（{k / n:.0%}），同类{what}为 {share:.0%}；单侧二项检验 p={p:.1e}，"
                f"低于 {t.uniform_p:g}")
        hits += [Hit(r.id, Signal.UNIFORM, text, {"unit": kind, "n": n, "k": k,
                                                  "peer_share": round(share, 4), "p": p})
                 for r in rows if r.level == TOP_LEVEL]
    return hits


def callback(pad_ratings: Iterable[Rating], denials: Sequence[Denial],
             th: Thresholds, overrides: Overrides | None = None) -> list[Hit]:
    """Signal 4: a pad rating whose rater denied a pad rating at the same window in a
    later call-back (within ``days`` before it); the denied rating itself included."""
    by_rater: dict[int, list[Denial]] = defaultdict(list)
    for d in denials:
        by_rater[d.rater].append(d)
    hits = []
    for r in pad_ratings:
        if r.channel not in PAD_CHANNELS:
            continue
        span = timedelta(days=of_org(r.org, th, overrides).days)
        for d in by_rater.get(r.rater, []):
            same = r.id == d.rating or (d.window is not None and d.window == r.window
                                        and d.at - span <= r.at <= d.at)
            if same:
                when = local(d.at).strftime("%Y-%m-%d")
                text = (f"评价人在 {when} 的{d.how}中否认了在{r.place or '该窗口'}评价器上"
                        "作出的评价" + ("" if r.id == d.rating
                                   else "，本条为其在同一窗口评价器上的评价"))
                hits.append(Hit(r.id, Signal.CALLBACK, text, {"denied": d.rating}))
                break
    return hits


def off_hours(moment: datetime, th: Thresholds) -> bool:
    if th.hours_start == th.hours_end:
        return False
    hour = local(moment).hour
    if th.hours_start < th.hours_end:
        return not th.hours_start <= hour < th.hours_end
    return th.hours_end <= hour < th.hours_start


def bursts(ratings: Iterable[Rating], th: Thresholds,
           overrides: Overrides | None = None) -> list[Hit]:
    """Signal 5: ``burst_count`` or more off-hours pad or kiosk ratings of one pad (or,
    without a pad, one window) within ``burst_seconds``; the hours are each rating's org's."""
    groups: dict[tuple[str, int], list[Rating]] = defaultdict(list)
    for r in ratings:
        if r.channel not in PAD_CHANNELS or not off_hours(r.at, of_org(r.org, th, overrides)):
            continue
        if r.device is not None:
            groups[("device", r.device)].append(r)
        elif r.window is not None:
            groups[("window", r.window)].append(r)
    hits = []
    for rows in groups.values():
        t = of_unit(rows, th, overrides)
        span = timedelta(seconds=t.burst_seconds)
        rows.sort(key=lambda r: (r.at, r.id))
        flagged: set[int] = set()
        left = 0
        for right in range(len(rows)):
            while rows[right].at - rows[left].at > span:
                left += 1
            if right - left + 1 >= max(t.burst_count, 1):
                flagged.update(x.id for x in rows[left:right + 1])
        chosen = [r for r in rows if r.id in flagged]
        if not chosen:
            continue
        first, last = local(chosen[0].at), local(chosen[-1].at)
        text = (f"{chosen[0].place or '该评价器'}在非工作时间（{t.hours_start:02d}:00 前或 "
                f"{t.hours_end:02d}:00 后）{first:%m-%d %H:%M} 至 {last:%m-%d %H:%M} 集中"
                f"产生 {len(chosen)} 条评价")
        hits += [Hit(r.id, Signal.OFF_HOURS, text, {"count": len(chosen)}) for r in chosen]
    return hits


def all_hits(ratings: Sequence[Rating], pad_ratings: Sequence[Rating],
             phones: Sequence[StaffPhone], networks: Sequence[Network],
             denials: Sequence[Denial], th: Thresholds,
             overrides: Overrides | None = None) -> list[Hit]:
    """Every signal over the ratings of the look-back; one hit per rating and signal."""
    o = overrides
    found = (quick_linked(ratings, phones, networks, th, o) + shared_phone(ratings, th, o)
             + uniform(ratings, th, o) + callback(pad_ratings, denials, th, o)
             + bursts(ratings, th, o))
    seen: set[tuple[int, Signal]] = set()
    unique = []
    for hit in found:
        if (hit.rating, hit.signal) not in seen:
            seen.add((hit.rating, hit.signal))
            unique.append(hit)
    return unique


def summary(hits: Iterable[Hit]) -> Mapping[Signal, int]:
    counted: Counter[Signal] = Counter(h.signal for h in hits)
    return {s: counted.get(s, 0) for s in Signal}
