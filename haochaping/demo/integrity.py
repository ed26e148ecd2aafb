"""The demo's 防刷评 (issue 15): fraud of every kind planted among the clean ratings, the
scan run, and two of the flagged ratings decided by the office (one fraud confirmed with
a deduction and invalidated, one cleared). :func:`plant` is also what the measuring test
(``integrity/tests/test_measured.py``) plants into its own clean data.

What is planted (each through the intake and ``evaluation_submit``, as a real rating):
1. a staff member's registered phone used as two applicants' phone and rated by the
   window QR seconds after completion; two web ratings from a window's registered
   internal network a minute after completion;
2. one phone given as the phone of five different applicants at three departments;
3. one window whose 80 pad ratings in three weeks are all 非常满意;
4. two pad ratings of one rater at a window, one of which the rater denied in a later
   call-back (a one-day spot check of that day's good ratings, all drawn);
5. six pad ratings at one window between 22:05 and 22:30.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from haochaping.accounts.models import ApiClient
from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.catalog.models import Matter, Staff
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.catalog.rules.standards import Channel
from haochaping.core.localtime import local_day
from haochaping.demo.people import resident_id
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.handlings.models import Handling
from haochaping.handlings.services import handling_intake
from haochaping.integrity import services
from haochaping.integrity.models import Flag
from haochaping.integrity.review_rules import Decision
from haochaping.integrity.rules import Signal
from haochaping.supervision.models import CheckItem
from haochaping.supervision.rules import Finding, Method, Stratum
from haochaping.supervision.services import check_draw, finding_record, plan_create

STAFF_PHONE = "13903710000"  # the demo staff member's own phone (registered by the office)
SHARED_PHONE = "13803712222"  # one phone for five applicants
NETWORK = "10.88.1.0/24"  # a window's internal network
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"

Planted = dict[Signal, set[int]]

# The planted handlings' case numbers (the activity tests leave them out: they are
# taken live, at planted hours, with planted level mixes).
PLANTED_PREFIX = "IGP"


class Planter:
    """Makes handlings through the intake and rates them, each with a new applicant:
    :meth:`add` plans one, :meth:`flush` takes them in with one intake per thousand and
    submits each rating at its own moment."""

    def __init__(self, client: ApiClient, matters: Mapping[int, Matter], rng: random.Random,
                 prefix: str, now: datetime) -> None:
        self.client, self.matters, self.rng, self.prefix = client, matters, rng, prefix
        self.now = now
        self.seq = 0
        self.pending: list[tuple[dict[str, str], int, Channel, str | None, datetime]] = []

    def applicant(self, phone: str = "") -> dict[str, str]:
        self.seq += 1
        birth = date(1960, 1, 1) + timedelta(days=self.rng.randrange(15000))
        name = self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN, 2))
        return {"applicant_kind": "1", "applicant_name": name, "applicant_id_type": "111",
                "applicant_id_no": resident_id("410105", birth, self.seq % 500,
                                               male=self.seq % 2 == 0),
                "applicant_phone": phone or f"135{self.rng.randrange(10**8):08d}"}

    def add(self, staff: Staff, *, completed: datetime, after: timedelta, level: int = 5,
            channel: Channel = Channel.EVALUATOR, phone: str = "", ip: str | None = None,
            applicant: dict[str, str] | None = None) -> str:
        """Plan one rated handling; its project number is the key :meth:`flush` answers."""
        window = staff.window
        assert window is not None
        matter = self.matters[staff.org_id]
        self.seq += 1
        proj_no = f"{self.prefix}{self.seq:05d}"
        item = {"proj_no": proj_no, "matter_code": matter.impl_code,
                "matter_version": matter.version, "org_code": staff.org.code,
                "hall_code": window.hall.code, "window_code": window.code,
                "staff_no": staff.staff_no, "status": "completed",
                "service_channel": "offline",
                "accepted_at": (completed - timedelta(minutes=20)).astimezone(SHANGHAI)
                .isoformat(), "completed_at": completed.astimezone(SHANGHAI).isoformat(),
                **(applicant or self.applicant(phone))}
        self.pending.append((item, level, channel, ip, completed + after))
        return proj_no

    def flush(self) -> dict[str, Evaluation]:
        done: dict[str, Evaluation] = {}
        pending, self.pending = self.pending, []
        for i in range(0, len(pending), 1000):
            result = handling_intake(client=self.client,
                                     items=[p[0] for p in pending[i:i + 1000]], now=self.now)
            if result.errors:
                raise RuntimeError(f"planted intake refused: {result.errors[0].as_dict()}")
        handlings = {h.proj_no: h for h in Handling.objects.filter(
            client=self.client, proj_no__in=[p[0]["proj_no"] for p in pending])}
        for item, level, channel, ip, at in pending:
            [done[item["proj_no"]]] = evaluation_submit(
                handling=handlings[item["proj_no"]], rating=RatingInput(level), channel=channel,
                ip=ip, now=at)
        return done


# Enough that a few genuine ratings of 满意 at the window leave it significant against the
# demo's peers (80-85% 非常满意): 40 were not, at some hours of the build.
UNIFORM_PLANTED = 80


def _day(now: datetime, back: int, hour: int, minute: int = 0) -> datetime:
    day = (now.astimezone(SHANGHAI) - timedelta(days=back)).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _denied(office: Actor, rating: Evaluation, now: datetime) -> None:
    """The rater's call-back answer as the office records it: a one-day spot check of
    the good ratings of the rating's day (every one drawn), the planted one found
    不认可 on the phone (supervision invalidates it, as for any denied rating)."""
    day = rating.created_at.astimezone(SHANGHAI).date()
    plan = plan_create(actor=office, title=f"防刷评专项电话回访（{day:%m月%d日}好评）", start=day,
                       end=day, rates={Stratum.GOOD: 100}, now=now)
    check_draw(actor=office, plan=plan, seed="igp2026", now=now)
    item = CheckItem.objects.get(draw__plan=plan, evaluation=rating)
    finding_record(actor=office, item_id=item.pk, method=Method.PHONE.value,
                   finding=Finding.NOT_CONFIRMED.value, checked_on=local_day(now), now=now,
                   note="电话回访，评价人称当天未在评价器上评价，疑为工作人员代评")


def plant(*, client: ApiClient, office: Actor, staff: Sequence[Staff],
          matters: Mapping[int, Matter], now: datetime, seed: int = 15,
          prefix: str = PLANTED_PREFIX) -> Planted:
    """Plant one case of every signal at five windows (``staff[0..4]``, each at its own
    window; ``staff[0..2]`` of different departments) in the days before ``now``."""
    if len(staff) < 5:
        raise ValueError("plant needs five staff members at five windows")
    p = Planter(client, matters, random.Random(seed), prefix, now)
    keys: dict[Signal, list[str]] = {s: [] for s in Signal}
    a, b, c, d, e = staff[:5]
    services.staff_phone_add(actor=office, staff_no=a.staff_no, phone=STAFF_PHONE, now=now)
    assert a.window is not None
    services.network_add(actor=office, place=f"w:{a.window_id}", cidr=NETWORK,
                         note="窗口工作电脑", now=now)
    for back in (3, 5):
        keys[Signal.QUICK_LINKED].append(p.add(
            a, completed=_day(now, back, 10, 5), after=timedelta(seconds=25),
            channel=Channel.QR_CODE, phone=STAFF_PHONE))
        keys[Signal.QUICK_LINKED].append(p.add(
            a, completed=_day(now, back, 15, 40), after=timedelta(seconds=70),
            channel=Channel.WEB, ip=f"10.88.1.{20 + back}"))
    for n, who in enumerate([a, b, c, a, b]):
        keys[Signal.SHARED_PHONE].append(p.add(
            who, completed=_day(now, 2 + n * 3, 9, 30), after=timedelta(hours=3),
            channel=Channel.WEB, phone=SHARED_PHONE, ip=f"58.20.{n}.9"))
    for n in range(UNIFORM_PLANTED):
        keys[Signal.UNIFORM].append(p.add(
            c, completed=_day(now, 1 + n % 20, 9 + n % 8, n % 50), after=timedelta(minutes=2)))
    rater = p.applicant()
    for back in (12, 6):
        keys[Signal.CALLBACK].append(p.add(d, completed=_day(now, back, 10),
                                           after=timedelta(minutes=1), applicant=rater))
    completed = _day(now, 4, 16, 0)
    for n in range(6):
        keys[Signal.OFF_HOURS].append(p.add(
            e, completed=completed + timedelta(minutes=n),
            after=timedelta(hours=6, minutes=5 + 5 * n)))
    rows = p.flush()
    _denied(office, rows[keys[Signal.CALLBACK][-1]], now)
    return {s: {rows[k].pk for k in ks} for s, ks in keys.items()}


def measure(planted: Planted) -> dict[Signal, dict[str, Any]]:
    """Per signal: planted, flagged, found (planted and flagged), recall, precision and
    the flags on ratings planted for no signal (the clean data's false positives)."""
    all_planted = set().union(*planted.values())
    report = {}
    for signal in Signal:
        flagged = set(Flag.objects.filter(signal=signal.value)
                      .values_list("evaluation_id", flat=True))
        found = flagged & planted[signal]
        clean = flagged - all_planted
        report[signal] = {"planted": len(planted[signal]), "flagged": len(flagged),
                          "found": len(found), "clean_flagged": len(clean),
                          "recall": len(found) / len(planted[signal]) if planted[signal] else 1,
                          "precision": len(found) / len(flagged) if flagged else 1.0}
    return report


def table(report: Mapping[Signal, Mapping[str, Any]], clean_total: int) -> str:
    lines = []
    for signal, r in report.items():
        lines.append(f"{signal.value:<14} 植入 {r['planted']}，标记 {r['flagged']}，查出 "
                     f"{r['found']}，召回率 {r['recall']:.0%}，精确率 {r['precision']:.0%}，"
                     f"正常评价误报 {r['clean_flagged']}")
    lines.append(f"回看期内正常评价 {clean_total} 条")
    return "\n".join(lines)


def build_integrity(*, users: dict[str, Any], now: datetime,
                    step: Callable[[str], None]) -> dict[str, int]:
    step("防刷评：植入刷评并计算信号 …")
    office = actor_for_user(users["supervisor"])
    scope = office.scope_path or ""
    client = ApiClient.objects.filter(is_active=True).order_by("pk").first()
    assert client is not None
    staff, orgs = [], set()
    for s in (Staff.objects.filter(window__isnull=False, org__path__startswith=scope,
                                   window__is_active=True)
              .select_related("org", "window__hall").order_by("staff_no")):
        if s.org_id in orgs or not Matter.objects.filter(org_id=s.org_id,
                                                         is_active=True).exists():
            continue
        orgs.add(s.org_id)
        staff.append(s)
        if len(staff) == 5:
            break
    matters = {s.org_id: Matter.objects.filter(org_id=s.org_id, is_active=True)
               .order_by("pk").first() for s in staff}
    planted = plant(client=client, office=office, staff=staff, matters=matters,  # type: ignore[arg-type]
                    now=now)
    services.scan(now=now)
    report = measure(planted)
    clean = Evaluation.objects.filter(created_at__gte=now - timedelta(days=30)).count() - sum(
        len(v) for v in planted.values())
    for line in table(report, clean).splitlines():
        step("  " + line)
    quick = sorted(planted[Signal.QUICK_LINKED])
    services.review_decide(actor=office, evaluation_id=quick[0], decision=Decision.CONFIRMED,
                           deduction="2", invalidate=True, now=timezone.now(),
                           note="调取视频监控，确认为窗口工作人员用本人手机代评")
    services.review_decide(actor=office, evaluation_id=sorted(planted[Signal.OFF_HOURS])[0],
                           decision=Decision.CLEARED, deduction="", invalidate=False,
                           note="经核实为延时服务期间办事群众的评价", now=timezone.now())
    pending = Flag.objects.values("evaluation_id").distinct().count() - 2
    step(f"  防刷评：{Flag.objects.count()} 个信号，{pending} 条评价待核查")
    return {"integrity_flags": Flag.objects.count(), "integrity_pending": pending}
