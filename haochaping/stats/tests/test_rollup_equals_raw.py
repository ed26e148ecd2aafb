"""Rollups equal a recomputation from raw rows after a random mix of writes (issue 5).

The recomputation below is deliberately plain: it walks the raw rows in Python with the
exclusions of docs/metrics.md and shares nothing with the rollup SQL of stats.rollup.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.models import PolicyOverride
from haochaping.catalog.rules.standards import Channel
from haochaping.core import testing as f
from haochaping.core.errors import AppError
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import (
    evaluation_invalidate,
    evaluation_submit,
    sweep_default_ratings,
)
from haochaping.evaluations.tests import factories as ef
from haochaping.handlings.models import Handling
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
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.services import workorder_callback, workorder_sign

GRAIN = ("day", "org_id", "hall_id", "window_id", "staff_id", "matter_id")
EVAL_COUNTS = ("level_5", "level_4", "level_3", "level_2", "level_1", "default_ratings",
               "invalidated", "superseded")
HANDLING_COUNTS = ("completed", "rated_real", "rated_default")
ORDER_COUNTS = ("orders", "voided", "closed", "closed_on_time", "called_back", "appealed",
                "appeal_upheld")
CHANNELS = [Channel.WEB, Channel.APP, Channel.SMS, Channel.EVALUATOR, Channel.QR_CODE]

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
    for h in Handling.objects.filter(status="completed").exclude(completed_at=None):
        assert h.completed_at is not None
        key = (local_day(h.completed_at), h.org_id, h.hall_id, h.window_id, h.staff_id,
               h.matter_id)
        bucket = table.setdefault(key, Counter())
        bucket["completed"] += 1
        valid = [e for e in h.evaluations.all() if e.is_current and e.invalidated_at is None]
        bucket["rated_real"] += any(not e.is_default for e in valid)
        bucket["rated_default"] += any(e.is_default for e in valid)
    return table


def raw_orders() -> Table:
    table: Table = {}
    for o in WorkOrder.objects.select_related("handling"):
        h = o.handling
        key = (local_day(o.created_at), o.org_id, h and h.hall_id, h and h.window_id,
               h and h.staff_id, h and h.matter_id, o.kind)
        bucket = table.setdefault(key, Counter())
        bucket["orders"] += 1
        bucket["voided"] += o.status == "voided"
        bucket["closed"] += o.status == "closed"
        bucket["closed_on_time"] += o.status == "closed" and o.overdue_at is None
        bucket["called_back"] += o.callback_set.exists()
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
    PolicyOverride.objects.create(org=None, key="multiple_ratings", value="latest_wins")
    PolicyOverride.objects.create(org=None, key="default_rating_level", value=3)
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
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
    raters = [ef.make_rater(), ef.make_rater(id_no="110105198001010016", phone="13900001111",
                                             name="李四")]
    return SimpleNamespace(loc=locality, people=personas, source=source, places=places,
                           raters=raters)


class Simulation:
    def __init__(self, town: SimpleNamespace, seed: int, capture: Any) -> None:
        self.town, self.rng, self.capture = town, random.Random(seed), capture
        self.now = timezone.now() - timedelta(days=40)  # stays before the real clock (updated_at)
        self.handlings: list[Handling] = []

    def tick(self) -> None:
        self.now += timedelta(minutes=self.rng.randint(10, 600))

    def complete(self) -> None:
        place = self.rng.choice(self.town.places)
        offline = self.rng.random() < 0.7
        fields = dict(place) if offline else {"org": place["org"], "matter": place["matter"]}
        h = ef.make_handling(SimpleNamespace(matter=place["matter"], market=place["org"]),
                             client=self.town.source, rater=self.rng.choice(self.town.raters),
                             offline=False, completed_at=self.now,
                             default_due_at=self.now + timedelta(hours=self.rng.randint(1, 30)),
                             **{k: v for k, v in fields.items() if k not in ("org", "matter")})
        Handling.objects.filter(pk=h.pk).update(service_channel="offline" if offline else
                                                "online")
        self.handlings.append(h)

    def rate(self) -> None:
        if not self.handlings:
            return
        h = self.rng.choice(self.handlings)
        level = self.rng.randint(1, 5)
        rating = RatingInput(level, reason_codes=["108"] if level <= 2 else [],
                             text="办理时间过长" if level <= 2 else "")
        try:
            with self.capture(execute=True):
                evaluation_submit(handling=h, rating=rating, channel=self.rng.choice(CHANNELS),
                                  now=self.now)
        except AppError:
            pass  # the rules refused this one (e.g. window closed): nothing was written

    def invalidate(self) -> None:
        candidates = list(Evaluation.objects.filter(invalidated_at=None, is_current=True,
                                                    level__lte=self.rng.choice([2, 5])))
        if candidates:
            with self.capture(execute=True):
                evaluation_invalidate(actor=actor_for_user(self.town.people.supervisor),
                                      evaluation=self.rng.choice(candidates),
                                      reason="经核实为恶意差评", now=self.now)

    def work(self) -> None:
        open_orders = list(WorkOrder.objects.filter(status__in=["dispatched", "signed"]))
        if not open_orders:
            return
        order = self.rng.choice(open_orders)
        people = self.town.people
        handler = actor_for_user(people.handler if order.org_id == self.town.loc.market.pk
                                 else people.outsider)
        try:
            if order.status == "dispatched":
                workorder_sign(actor=handler, order=order)
            else:
                workorder_callback(actor=handler, order=order, method="phone", reached=True,
                                   summary="已电话回访")
        except AppError:
            pass  # a step this actor may not take: nothing was written

    def step(self) -> None:
        self.tick()
        action = self.rng.choices(
            [self.complete, self.rate, self.invalidate, self.work, self.sweep, self.roll],
            weights=[5, 5, 2, 3, 2, 2])[0]
        action()

    def sweep(self) -> None:
        with self.capture(execute=True):
            sweep_default_ratings(self.now)

    def roll(self) -> None:
        rollup.rollup_tick(self.now)


def simulate(town: SimpleNamespace, capture: Any, seed: int, steps: int) -> Simulation:
    """``steps`` random steps of the town's history, then one roll-up run."""
    sim = Simulation(town, seed, capture)
    for _ in range(steps):
        sim.step()
    sim.tick()
    rollup.rollup_tick(sim.now)
    return sim


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_rollups_equal_raw_recomputation(
        town: SimpleNamespace, django_capture_on_commit_callbacks: Any, seed: int) -> None:
    sim = simulate(town, django_capture_on_commit_callbacks, seed, steps=70)
    expected = raw()
    assert sum(len(t) for t in expected) > 10  # the mix produced rows in every table
    totals = Counter[str]()
    for table in expected:
        for bucket in table.values():
            totals.update(bucket)
    # the mix exercised superseding, defaults, invalidation, orders and their steps
    assert {"superseded", "default_ratings", "invalidated", "orders", "voided",
            "called_back", "rated_default"} <= set(totals)
    assert snapshot() == expected
    assert coarse_stored() == coarse_of(expected)
    assert any(len(t) > 0 for t in coarse_stored())
    rollup.rollup_tick(sim.now + timedelta(seconds=30))
    assert snapshot() == expected  # a second run changes nothing
    assert coarse_stored() == coarse_of(expected)


def test_full_rebuild_equals_incremental(town: SimpleNamespace,
                                         django_capture_on_commit_callbacks: Any) -> None:
    simulate(town, django_capture_on_commit_callbacks, 7, steps=60)
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
    sim = Simulation(town, 11, django_capture_on_commit_callbacks)
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



