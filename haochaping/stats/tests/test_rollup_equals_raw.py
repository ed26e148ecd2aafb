"""Rollups equal a recomputation from raw rows after a random mix of writes (issue 5).

The recomputation below is deliberately plain: it walks the raw rows in Python with the
exclusions of docs/metrics.md and shares nothing with the rollup SQL of stats.rollup.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.catalog.models import PolicyOverride
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.catalog.rules.standards import Channel
from haochaping.core.errors import AppError
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import (
    evaluation_invalidate,
    evaluation_submit,
    sweep_default_ratings,
)
from haochaping.evaluations.tests import factories as ef
from haochaping.handlings.models import Handling, HandlingMove
from haochaping.handlings.services import handling_intake
from haochaping.stats import rollup
from haochaping.stats.models import (
    ChannelMonthRollup,
    EvaluationRollup,
    HandlingRollup,
    MatterMonthRollup,
    OrgDayRollup,
    OrgMonthRollup,
    WindowMonthRollup,
    WorkOrderRollup,
)
from haochaping.stats.rules import COUNT_FIELDS, local_day
from haochaping.workorders.models import OPEN_VALUES, WorkOrder, WorkOrderEvent
from haochaping.workorders.services import (
    workorder_appeal_file,
    workorder_appeal_rule,
    workorder_callback,
    workorder_rectify,
    workorder_redispatch,
    workorder_reply,
    workorder_review,
    workorder_sign,
)
from haochaping.workorders.services.clocks import sweep_overdue
from tests import factories as f

GRAIN = ("day", "org_id", "hall_id", "window_id", "staff_id", "matter_id")
EVAL_COUNTS = ("level_5", "level_4", "level_3", "level_2", "level_1", "default_ratings",
               "invalidated", "superseded")
HANDLING_COUNTS = ("completed", "rated_real", "rated_default")
ORDER_COUNTS = ("orders", "voided", "closed", "closed_on_time", "called_back", "appealed",
                "appeal_upheld")
CHANNELS = [Channel.WEB, Channel.APP, Channel.SMS, Channel.EVALUATOR, Channel.QR_CODE]
# A fixed start (a Monday): a seeded history is then the same whichever day the tests run
# (working-day clocks, month ends); long before the real clock.
START = datetime(2026, 3, 16, 9, 0, tzinfo=SHANGHAI)

Table = dict[tuple[Any, ...], Counter[str]]


def raw_evaluations() -> Table:
    table: Table = {}
    for e in Evaluation.objects.all():
        key = (local_day(e.created_at), e.org_id, e.hall_id, e.window_id, e.staff_id,
               e.matter_id, e.channel)
        bucket = table.setdefault(key, Counter())
        if e.invalidated_at is not None:
            bucket["invalidated"] += 1
        elif not e.is_current:
            bucket["superseded"] += 1
        elif e.is_default:
            bucket["default_ratings"] += 1
        else:
            bucket[f"level_{e.level}"] += 1
    return table


def raw_handlings() -> Table:
    table: Table = {}
    for h in (Handling.objects.filter(status="completed").exclude(completed_at=None)
              .prefetch_related("evaluations")):
        assert h.completed_at is not None
        key = (local_day(h.completed_at), h.org_id, h.hall_id, h.window_id, h.staff_id,
               h.matter_id)
        bucket = table.setdefault(key, Counter())
        bucket["completed"] += 1
        # the handling's own rating: a rating of one of its stages is not (issue 13)
        valid = [e for e in h.evaluations.all()
                 if e.is_current and e.invalidated_at is None and e.stage_id is None]
        bucket["rated_real"] += any(not e.is_default for e in valid)
        bucket["rated_default"] += any(e.is_default for e in valid)
    return table


def raw_orders() -> Table:
    table: Table = {}
    for o in WorkOrder.objects.select_related("handling").prefetch_related("callback_set",
                                                                           "appeal_set"):
        h = o.handling
        key = (local_day(o.created_at), o.org_id, h and h.hall_id, h and h.window_id,
               h and h.staff_id, h and h.matter_id, o.kind)
        bucket = table.setdefault(key, Counter())
        bucket["orders"] += 1
        bucket["voided"] += o.status == "voided"
        bucket["closed"] += o.status == "closed"
        bucket["closed_on_time"] += o.status == "closed" and o.overdue_at is None
        bucket["called_back"] += bool(o.callback_set.all())
        appeals = list(o.appeal_set.all())
        bucket["appealed"] += bool(appeals)
        bucket["appeal_upheld"] += any(a.ruling == "upheld" for a in appeals)
    return table


def stored(model: Any, extra: str | None, counts: tuple[str, ...]) -> Table:
    keys = [*GRAIN, *([extra] if extra else [])]
    table: Table = {}
    for row in model.objects.values(*keys, *counts):
        key = tuple(row[k] for k in keys)
        assert key not in table, "one rollup row per bucket"
        table[key] = Counter({c: row[c] for c in counts if row[c]})
    return table


def snapshot() -> tuple[Table, Table, Table]:
    return (stored(EvaluationRollup, "channel", EVAL_COUNTS),
            stored(HandlingRollup, None, HANDLING_COUNTS),
            stored(WorkOrderRollup, "kind", ORDER_COUNTS))


def normalised(table: Table) -> Table:
    return {k: Counter({c: n for c, n in v.items() if n}) for k, v in table.items()}


def raw() -> tuple[Table, Table, Table]:
    return (normalised(raw_evaluations()), normalised(raw_handlings()),
            normalised(raw_orders()))


ALL_COUNTS = (*EVAL_COUNTS, *HANDLING_COUNTS, *ORDER_COUNTS)
STEPS = 240  # steps of each seeded history below


Coarse = tuple[Table, Table, Table, Table, Table]


def coarse_of(tables: tuple[Table, Table, Table]) -> Coarse:
    """The coarse tables (org × day; by month: org, org × channel, org × matter,
    org × window) summed from per-bucket tables (key: day, org, hall, window, staff,
    matter[, channel | kind])."""
    found: Coarse = ({}, {}, {}, {}, {})
    for index, table in enumerate(tables):
        for key, counts in table.items():
            day, org, month = key[0], key[1], key[0].replace(day=1)
            keys = [(0, (day, org)), (1, (month, org)), (3, (month, org, key[5])),
                    (4, (month, org, key[3]))]
            if index == 0:  # only ratings have a channel (the key's last column)
                keys.append((2, (month, org, key[-1])))
            for position, coarse_key in keys:
                found[position].setdefault(coarse_key, Counter()).update(counts)
    org_day, org_month, channel, matter, window = (normalised(t) for t in found)
    return org_day, org_month, channel, matter, window


def coarse_stored() -> Coarse:
    def read(model: Any, keys: tuple[str, ...], counts: tuple[str, ...]) -> Table:
        table: Table = {}
        for row in model.objects.values(*keys, *counts):
            key = tuple(row[k] for k in keys)
            assert key not in table, "one coarse row per key"
            table[key] = Counter({c: row[c] for c in counts if row[c]})
        return table

    return (read(OrgDayRollup, ("day", "org_id"), ALL_COUNTS),
            read(OrgMonthRollup, ("day", "org_id"), ALL_COUNTS),
            read(ChannelMonthRollup, ("day", "org_id", "channel"), EVAL_COUNTS),
            read(MatterMonthRollup, ("day", "org_id", "matter_id"), ALL_COUNTS),
            read(WindowMonthRollup, ("day", "org_id", "window_id"), ALL_COUNTS))


@pytest.fixture
def town(locality: SimpleNamespace, personas: SimpleNamespace) -> SimpleNamespace:
    return build_town(locality, personas)


def build_town(locality: SimpleNamespace, personas: SimpleNamespace) -> SimpleNamespace:
    """Two departments, their places and raters (also built by the writer process of
    tests/integration/test_rollup_two_workers)."""
    PolicyOverride.objects.create(org=None, key="multiple_ratings", value="latest_wins")
    PolicyOverride.objects.create(org=None, key="default_rating_level", value=3)
    # The business system reports for the whole city (both places), so its corrections
    # may move a handling from one department to the other.
    source, _ = ef.make_client(locality.city_office, scopes=("handlings:write",),
                               name="审批系统")
    hr_hall = f.make_hall(locality.district_office, name="区市民之家", code="HALLD")
    hr_window = f.make_window(hr_hall, locality.district_hr, number="D1")
    hr_staff = f.make_staff(locality.district_hr, window=hr_window, name="李红")
    hr_matter = f.make_matter(locality.district_hr, name="社保卡补办", category="confirmation")
    places = [
        dict(org=locality.market, matter=locality.matter, hall=locality.hall,
             window=locality.window, staff=locality.staff),
        dict(org=locality.district_hr, matter=hr_matter, hall=hr_hall, window=hr_window,
             staff=hr_staff),
    ]
    identities = [dict(name="张三", id_no=ef.ID_NO, phone=ef.PHONE),
                  dict(name="李四", id_no="110105198001010016", phone="13900001111")]
    raters = [ef.make_rater(**who) for who in identities]
    return SimpleNamespace(loc=locality, people=personas, source=source, places=places,
                           raters=raters, identities=dict(zip((r.pk for r in raters),
                                                              identities, strict=True)))


class Simulation:
    """A seeded random history of the town. Every write runs at the simulation clock
    ``now``, passed to the services and also the time of the wall clock meanwhile
    (time_machine), so the rows a service stamps by itself (``auto_now`` columns, the work
    order its rating's on-commit hook opens or voids) carry simulation time too and every
    roll-up run sees exactly what changed since its watermark.

    ``orders``: the whole work-order mix — every step of the department and the office
    (reply, QA pass or return, appeals upheld and rejected, redispatch) and the overdue
    sweep, under a short rectification limit and with QA for the market — instead of
    signing and call-backs only (the histories other statistics tests are built on).
    ``checked``: compare the roll-ups with a recomputation from raw rows after every
    roll-up run, not only at the end. ``corrections``: the business system also re-sends
    completed handlings through the intake service with another department or place and
    a completion time on an earlier day (:meth:`correct`)."""

    def __init__(self, town: SimpleNamespace, seed: int, capture: Any,
                 start: datetime | None = None, *, orders: bool = False,
                 checked: bool = False, corrections: bool = False) -> None:
        self.town, self.rng, self.capture = town, random.Random(seed), capture
        self.now = start or timezone.now() - timedelta(days=40)
        self.orders, self.checked, self.corrections = orders, checked, corrections
        self.handlings: list[Handling] = []
        if orders:
            # Orders run out of time within the history (overdue, then closed late); the
            # market's replies go through the office's QA, the district's close on reply.
            PolicyOverride.objects.create(org=None, key="rectify_limit",
                                          value={"amount": 3, "unit": "natural_days"})
            PolicyOverride.objects.create(org=town.loc.market, key="qa_required", value=True)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """At the simulation clock, on-commit hooks run before it is left."""
        with time_machine.travel(self.now, tick=False), self.capture(execute=True):
            yield

    def tick(self) -> None:
        self.now += timedelta(minutes=self.rng.randint(10, 600))

    def complete(self, place: int | None = None) -> Handling:
        where = (self.rng.choice(self.town.places) if place is None
                 else self.town.places[place])
        offline = self.rng.random() < 0.7
        fields = dict(where) if offline else {"org": where["org"], "matter": where["matter"]}
        with self.writing():
            h = ef.make_handling(
                SimpleNamespace(matter=where["matter"], market=where["org"]),
                client=self.town.source, rater=self.rng.choice(self.town.raters),
                offline=False, completed_at=self.now,
                default_due_at=self.now + timedelta(hours=self.rng.randint(1, 30)),
                **{k: v for k, v in fields.items() if k not in ("org", "matter")})
        Handling.objects.filter(pk=h.pk).update(service_channel="offline" if offline else
                                                "online")
        self.handlings.append(h)
        return h

    def corrected_item(self, handling: Handling, place: int | None = None,
                       days_earlier: int | None = None) -> dict[str, Any]:
        """The intake item of ``handling`` as its business system re-sends it: at a place
        (random unless given: a department, its matter and, offline, its window and staff)
        and completed ``days_earlier`` days earlier (random: the same day or up to three
        days earlier)."""
        h = Handling.objects.get(pk=handling.pk)
        assert h.completed_at is not None
        where = (self.rng.choice(self.town.places) if place is None
                 else self.town.places[place])
        offline = self.rng.random() < 0.7
        if days_earlier is None:
            days_earlier = self.rng.choice([0, 1, 1, 2, 3])
        done = h.completed_at - timedelta(days=days_earlier,
                                          minutes=self.rng.randint(0, 300))
        who = self.town.identities[h.rater_id]
        item: dict[str, Any] = {
            "proj_no": h.proj_no, "matter_code": where["matter"].impl_code,
            "matter_version": where["matter"].version, "org_code": where["org"].code,
            "status": "completed", "service_channel": "offline" if offline else "online",
            "accepted_at": (done - timedelta(hours=1)).isoformat(),
            "completed_at": done.isoformat(), "applicant_kind": "1",
            "applicant_name": who["name"], "applicant_id_type": "111",
            "applicant_id_no": who["id_no"], "applicant_phone": who["phone"]}
        if offline:
            item.update(window_code=where["window"].code, staff_no=where["staff"].staff_no)
        return item

    def correct(self, items: list[dict[str, Any]] | None = None) -> None:
        """The business system's correction of completed handlings (one random one
        unless ``items``), through the real intake service at the simulation clock."""
        if items is None:
            if not self.handlings:
                return
            items = [self.corrected_item(self.rng.choice(self.handlings))]
        with self.writing():
            result = handling_intake(client=self.town.source, items=items, now=self.now)
        assert not result.errors, result.errors

    def rate(self, handling: Handling | None = None, level: int | None = None) -> None:
        if not self.handlings and handling is None:
            return
        h = handling or self.rng.choice(self.handlings)
        level = level or self.rng.randint(1, 5)
        rating = RatingInput(level, reason_codes=["108"] if level <= 2 else [],
                             text="办理时间过长" if level <= 2 else "")
        try:
            with self.writing():
                evaluation_submit(handling=h, rating=rating, channel=self.rng.choice(CHANNELS),
                                  now=self.now)
        except AppError:
            pass  # the rules refused this one (e.g. window closed): nothing was written

    def invalidate(self) -> None:
        candidates = list(Evaluation.objects.filter(invalidated_at=None, is_current=True,
                                                    level__lte=self.rng.choice([2, 5]))
                          .order_by("pk"))  # the same history on every database
        if candidates:
            with self.writing():
                evaluation_invalidate(actor=actor_for_user(self.town.people.supervisor),
                                      evaluation=self.rng.choice(candidates),
                                      reason="经核实为恶意差评", now=self.now)

    # --- work orders: the department's and the office's steps --------------------------

    def handler(self, order: WorkOrder) -> Actor:
        people = self.town.people
        return actor_for_user(people.handler if order.org_id == self.town.loc.market.pk
                              else people.outsider)

    def office(self) -> Actor:
        return actor_for_user(self.town.people.supervisor)

    def sign(self, order: WorkOrder) -> None:
        workorder_sign(actor=self.handler(order), order=order, now=self.now,
                       complexity=self.rng.choice(["simple", "complex"]))

    def call_back(self, order: WorkOrder) -> None:
        workorder_callback(actor=self.handler(order), order=order, method="phone",
                           reached=True, summary="已电话回访", now=self.now)

    def rectify(self, order: WorkOrder) -> None:
        workorder_rectify(actor=self.handler(order), order=order, measures="优化受理流程",
                          result="已向办事人说明并办结", now=self.now)

    def reply(self, order: WorkOrder) -> None:
        workorder_reply(actor=self.handler(order), order=order, text="已整改，感谢监督",
                        now=self.now)

    def appeal(self, order: WorkOrder) -> None:
        workorder_appeal_file(actor=self.handler(order), order=order, now=self.now,
                              grounds=self.rng.choice(["untrue", "malicious"]),
                              evidence="窗口录像显示已按规定办理")

    def redispatch(self, order: WorkOrder, org_id: int | None = None) -> None:
        others = [p["org"].pk for p in self.town.places if p["org"].pk != order.org_id]
        workorder_redispatch(actor=self.office(), order=order, now=self.now,
                             org_id=org_id or self.rng.choice(others),
                             note="改由实际承办部门办理")

    def review(self, order: WorkOrder) -> None:
        passed = self.rng.random() < 0.6
        workorder_review(actor=self.office(), order=order, passed=passed, now=self.now,
                         reasons="" if passed else "整改措施不具体，请重新整改")

    def rule(self, order: WorkOrder) -> None:
        upheld = self.rng.random() < 0.5
        workorder_appeal_rule(actor=self.office(), order=order, upheld=upheld, now=self.now,
                              reason="经核实评价不实" if upheld else "申诉理由不成立")

    def moves(self, status: str) -> list[tuple[Callable[[WorkOrder], None], int]]:
        """(step, weight) an open order of this status may take next."""
        working = [(self.call_back, 1), (self.rectify, 3), (self.reply, 3), (self.appeal, 1),
                   (self.redispatch, 1)]
        return {"dispatched": [(self.sign, 5), (self.appeal, 1), (self.redispatch, 1)],
                "signed": working, "returned": working,
                "replied": [(self.review, 1)], "appealing": [(self.rule, 1)]}[status]

    def work(self) -> None:
        if not self.orders:
            return self.sign_or_call_back()
        open_orders = list(WorkOrder.objects.filter(status__in=OPEN_VALUES).order_by("pk"))
        if not open_orders:
            return None
        order = self.rng.choice(open_orders)
        steps, weights = zip(*self.moves(order.status), strict=True)
        move = self.rng.choices(steps, weights=weights)[0]
        try:
            with self.writing():
                move(order)
        except AppError:
            pass  # a step the rules refuse now (e.g. a reply before any rectification)
        return None

    def sign_or_call_back(self) -> None:
        orders = list(WorkOrder.objects.filter(status__in=["dispatched", "signed"])
                      .order_by("pk"))
        if not orders:
            return
        order = self.rng.choice(orders)
        try:
            with self.writing():
                (self.sign_plainly if order.status == "dispatched" else self.call_back)(order)
        except AppError:
            pass  # a step this actor may not take: nothing was written

    def sign_plainly(self, order: WorkOrder) -> None:
        workorder_sign(actor=self.handler(order), order=order, now=self.now)

    def overdue(self) -> None:
        with self.writing():
            sweep_overdue(self.now)

    def step(self) -> None:
        self.tick()
        if self.orders:
            actions = [self.complete, self.rate, self.invalidate, self.work, self.overdue,
                       self.sweep, self.roll]
            weights = [6, 7, 1, 14, 3, 2, 2]
        else:
            actions = [self.complete, self.rate, self.invalidate, self.work, self.sweep,
                       self.roll]
            weights = [5, 5, 2, 3, 2, 2]
        if self.corrections:
            actions, weights = [*actions, self.correct], [*weights, 3]
        self.rng.choices(actions, weights=weights)[0]()

    def sweep(self) -> None:
        with self.writing():
            sweep_default_ratings(self.now)

    def roll(self) -> None:
        rollup.rollup_tick(self.now)
        if self.checked:
            expected = raw()
            assert snapshot() == expected, f"roll-ups differ from raw rows at {self.now}"
            assert coarse_stored() == coarse_of(expected)


def simulate(town: SimpleNamespace, capture: Any, seed: int, steps: int,
             start: datetime | None = None, *, orders: bool = False,
             checked: bool = False, corrections: bool = False) -> Simulation:
    """``steps`` random steps of the town's history, then one roll-up run."""
    sim = Simulation(town, seed, capture, start, orders=orders, checked=checked,
                     corrections=corrections)
    for _ in range(steps):
        sim.step()
    sim.tick()
    sim.roll()
    return sim


# Every count the roll-ups keep, rating, handling and work order alike, is non-zero in
# each seeded history, so none of them is compared only as an empty column. The seeds are
# histories (the same on every database and day) that reach every ending checked below;
# a change of the mix that loses one fails here rather than silently testing less.
EXERCISED = set(ALL_COUNTS)


@pytest.mark.parametrize("seed", [1, 2, 5])
def test_incremental_rollups_equal_raw_recomputation(
        town: SimpleNamespace, django_capture_on_commit_callbacks: Any, seed: int) -> None:
    sim = simulate(town, django_capture_on_commit_callbacks, seed, steps=STEPS, start=START,
                   orders=True, checked=True)
    expected = raw()
    assert sum(len(t) for t in expected) > 10  # the mix produced rows in every table
    totals = Counter[str]()
    for table in expected:
        for bucket in table.values():
            totals.update(bucket)
    # the mix exercised superseding, defaults, invalidation, and work orders through every
    # ending: closed on time and late (overdue), voided, appealed and upheld
    assert set(totals) >= EXERCISED, EXERCISED - set(totals)
    assert totals["closed"] > totals["closed_on_time"]  # some closed after running overdue
    assert totals["appealed"] > totals["appeal_upheld"]  # some appeals were rejected
    # through the real work-order services, every step the roll-ups can see
    assert {"open", "sign", "callback", "rectify", "reply", "auto_close", "review_pass",
            "review_return", "appeal_file", "appeal_uphold", "appeal_reject", "redispatch",
            "overdue", "evaluation_void"} <= set(WorkOrderEvent.objects.values_list(
                "action", flat=True))
    # on the simulation clock: no row carries the wall clock
    assert not WorkOrder.objects.filter(updated_at__gt=sim.now).exists()
    assert not WorkOrderEvent.objects.filter(at__gt=sim.now).exists()
    assert not Handling.objects.filter(updated_at__gt=sim.now).exists()
    assert snapshot() == expected
    assert coarse_stored() == coarse_of(expected)
    assert any(len(t) > 0 for t in coarse_stored())
    # the roll-ups follow the change timestamps: a run with nothing new recomputes nothing
    assert rollup.rollup_tick(sim.now + timedelta(seconds=30)) == "recomputed 0 buckets"
    assert snapshot() == expected
    assert coarse_stored() == coarse_of(expected)


@pytest.mark.parametrize("seed", [3, 4])
def test_incremental_rollups_follow_corrected_handlings(
        town: SimpleNamespace, django_capture_on_commit_callbacks: Any, seed: int) -> None:
    """The business system corrects completed handlings through the intake service (the
    department, the place, the completion day) amid the whole mix: every incremental run
    leaves the roll-ups equal to a recomputation from raw rows, the buckets the
    handlings left included, with no nightly repair."""
    sim = simulate(town, django_capture_on_commit_callbacks, seed, steps=STEPS, start=START,
                   orders=True, checked=True, corrections=True)
    moves = list(HandlingMove.objects.select_related("handling"))
    # corrections that moved a handling to the other department and to another day
    assert any(m.org_id != m.handling.org_id for m in moves)
    assert any(local_day(m.completed_at) != local_day(m.handling.completed_at)
               for m in moves)
    assert not Handling.objects.filter(updated_at__gt=sim.now).exists()
    expected = raw()
    assert snapshot() == expected
    assert coarse_stored() == coarse_of(expected)


def test_full_rebuild_equals_incremental(town: SimpleNamespace,
                                         django_capture_on_commit_callbacks: Any) -> None:
    simulate(town, django_capture_on_commit_callbacks, 7, steps=100, start=START, orders=True)
    incremental, incremental_coarse = snapshot(), coarse_stored()
    # Damage the stored rollups: the full rebuild replaces whatever is there.
    for model in (EvaluationRollup, HandlingRollup, WorkOrderRollup, OrgDayRollup,
                  OrgMonthRollup, ChannelMonthRollup, MatterMonthRollup, WindowMonthRollup):
        first = model.objects.order_by("pk").first()
        assert first is not None
        model.objects.filter(pk=first.pk).delete()
        counts = [f.name for f in model._meta.concrete_fields if f.name in COUNT_FIELDS]
        model.objects.update(**{counts[0]: 999})
    call_command("stats_rebuild", stdout=None)
    assert snapshot() == incremental == raw()
    assert coarse_stored() == incremental_coarse == coarse_of(raw())
    # a rebuild of a few days inside a month keeps the month tables whole
    some_day = min(key[0] for key in incremental[0])
    rollup.rebuild(some_day, some_day + timedelta(days=2))
    assert coarse_stored() == incremental_coarse


def test_first_run_rebuilds_then_follows_the_watermark(
        town: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> None:
    sim = Simulation(town, 11, django_capture_on_commit_callbacks, START)
    for _ in range(5):
        sim.complete()
        sim.tick()
    assert rollup.rollup_tick(sim.now).startswith("first run")
    assert snapshot() == raw()
    sim.tick()
    sim.rate()
    sim.tick()
    assert rollup.rollup_tick(sim.now).startswith("recomputed")
    assert snapshot() == raw()
    assert coarse_stored() == coarse_of(raw())





def test_rebuild_by_months_equals_raw(town: SimpleNamespace,
                                      django_capture_on_commit_callbacks: Any) -> None:
    """The full rebuild as independent per-month units (issue 12): whatever is stored,
    rebuilding every month of the plan, in any order, leaves the roll-ups equal to raw
    rows and drops the dirty rows of those months."""
    from haochaping.stats import services
    from haochaping.stats.models import DirtyBucket

    sim = simulate(town, django_capture_on_commit_callbacks, 9, steps=120, start=START,
                   orders=True)
    sim.complete()  # after the last tick: a dirty bucket waits
    months = services.rebuild_plan()
    assert len(months) >= 2
    assert months == sorted(months, reverse=True)
    for model in (EvaluationRollup, OrgMonthRollup, ChannelMonthRollup):
        counts = [f.name for f in model._meta.concrete_fields if f.name in COUNT_FIELDS]
        model.objects.update(**{counts[0]: 999})
    assert DirtyBucket.objects.exists()
    oldest, *others = reversed(months)
    out = StringIO()
    call_command("stats_rebuild", "--month", f"{oldest[0]}-{oldest[1]:02d}", stdout=out)
    assert out.getvalue().startswith(f"已重建 {oldest[0]}-{oldest[1]:02d}")
    for year, month in others:
        assert services.rebuild_month(year, month) >= 28
    expected = raw()
    assert snapshot() == expected
    assert coarse_stored() == coarse_of(expected)
    assert not DirtyBucket.objects.exists()
