"""Six months of handlings and ratings (issue 3 "Demo"), written in chunks.

Applicants go into the rater vault through ``raters_upsert`` (the intake's own bulk write:
encrypted fields, blind indexes, masks); handlings carry the content hash and the sweep
deadlines the intake would store (``DeadlineCalculator`` over the effective policy and the
calendar); ratings follow ``demo.ratings``. Rows are written in chunks of :data:`CHUNK`
handlings (raters with the vault's bulk upsert, handlings and evaluations with
``demo.bulk.insert_rows``: COPY on PostgreSQL, bulk_create elsewhere), so memory stays flat
for the large size.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import reset_queries

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.models import BadReason, ContentItem, Indicator, Matter, Org
from haochaping.catalog.rules.policies import Policy
from haochaping.catalog.selectors.policy import calendar_overrides, effective_policy
from haochaping.catalog.selectors.standards import active_standard
from haochaping.core.privacy import NOTICE_NONE, notice_version
from haochaping.demo.access import APP, CLIENTS, INTAKE, Access, create_access, set_city_policy
from haochaping.demo.bulk import insert_rows, manual_timestamps
from haochaping.demo.geo import Locality
from haochaping.demo.names import NameMaker
from haochaping.demo.people import ApplicantMaker
from haochaping.demo.points import Point, Points, build_points
from haochaping.demo.ratings import Context, Handled, RatingMaker, Standard
from haochaping.demo.showcase import build_showcase
from haochaping.demo.sites import Sites
from haochaping.demo.timeline import Timeline
from haochaping.evaluations.models import Evaluation
from haochaping.handlings.intake import deadline_calculator
from haochaping.handlings.models import Handling
from haochaping.handlings.rules import Applicant, HandlingInput
from haochaping.handlings.services import content_hash
from haochaping.vault.services import identity_index_of, raters_upsert

CHUNK = 20_000  # handlings per write; bounds memory at any size
RATER_BATCH = 2_000
POOL_MAX = 20_000  # recent applicants who may come back
REPEAT_SHARE = 0.3
ONLINE_SHARE = 0.4
WITHDRAWN_SHARE = 0.015
BATCH_SHARE = 0.04  # visits that handle 2–4 matters together (一件事一次办, seed 003 §11)


@dataclass
class Planned:
    """One handling before it is written (the rater is resolved at flush time)."""

    identity: str
    proj_no: str
    client_id: int
    matter: Matter
    org: Org
    point: Point | None
    staff_id: int | None
    staff_no: str
    status: str
    batch_no: str
    accepted_at: datetime
    completed_at: datetime | None
    ratings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Counts:
    handlings: int = 0
    raters: int = 0
    evaluations: int = 0


class ActivityBuilder:
    def __init__(self, *, points: Points, access: Access, people: ApplicantMaker,
                 ratings: RatingMaker, timeline: Timeline, rng: random.Random,
                 log: Callable[[str], None]) -> None:
        self.points, self.access, self.people = points, access, people
        self.ratings, self.timeline, self.rng, self.log = ratings, timeline, rng, log
        self.now = timeline.now
        start = datetime.combine(timeline.past[0], datetime.min.time(), tzinfo=self.now.tzinfo)
        self.calc = deadline_calculator([start, self.now])
        self.policies: dict[int, Policy] = {}
        self.pool: list[str] = []  # identity indexes of returning applicants, oldest first
        self.known: dict[str, tuple[int, Applicant]] = {}  # pool members: (rater id, app)
        self.pending: dict[str, Applicant] = {}  # new applicants of the current chunk
        self.chunk: list[Planned] = []
        self.counts = Counts()
        self.seq: dict[str, int] = {}
        self.client_of = {d: s.purpose for s in CLIENTS for d in s.departments}

    # --- planning -------------------------------------------------------------------

    def _applicant(self) -> str:
        if self.pool and self.rng.random() < REPEAT_SHARE:
            return self.rng.choice(self.pool)
        app = self.people()
        identity = identity_index_of(app)
        if identity not in self.known and identity not in self.pending:
            # A drawn ID number that already exists is that person coming back.
            self.pending[identity] = app
            self.pool.append(identity)
        return identity

    def _client(self, matter: Matter) -> tuple[int, str]:
        purpose = self.client_of.get(self.points.dept_of_org.get(matter.org_id, ""), INTAKE)
        spec = next(s for s in CLIENTS if s.purpose == purpose)
        return self.access.clients[purpose].pk, spec.proj_prefix

    def _proj_no(self, prefix: str, day: date) -> str:
        self.seq[prefix] = n = self.seq.get(prefix, 0) + 1
        return f"{prefix}{day:%Y%m%d}{n:08d}"

    def _completion(self, day: date, accepted: datetime, matter: Matter) -> datetime:
        if matter.promised_days == 0:
            return accepted + timedelta(minutes=self.rng.uniform(4, 45))
        days = self.rng.randint(0, min(matter.promised_days, 12))
        done = self.timeline.working_moment(self.timeline.add_working_days(day, days), self.rng)
        return done if done > accepted else accepted + timedelta(minutes=self.rng.uniform(20, 90))

    def visit(self, day: date) -> int:
        """One applicant's visit: one handling, or a batch of 2–4; returns how many."""
        rng = self.rng
        identity = self._applicant()
        online = rng.random() < ONLINE_SHARE and bool(self.points.online)
        point = None if online else self.points.pick_offline(rng)
        size = rng.randint(2, 4) if rng.random() < BATCH_SHARE else 1
        pool = self.points.online if point is None else list(point.matters)
        chosen = rng.sample(pool, min(size, len(pool)))
        accepted = self.timeline.working_moment(day, rng)
        staff = rng.choice(point.staff) if point else None
        batch_no = ""
        if len(chosen) > 1:
            batch_no = f"PC{day:%Y%m%d}{self.counts.handlings + len(self.chunk):09d}"
        withdrawn = rng.random() < WITHDRAWN_SHARE
        times = [accepted + timedelta(minutes=3 * i) for i in range(len(chosen))]
        # A batch is completed (and rated, seed 003 §11) together: at its last completion.
        done = None if withdrawn else max(self._completion(day, t, m)
                                          for t, m in zip(times, chosen, strict=True))
        status = "withdrawn" if withdrawn else "completed"
        if done is not None and done > self.now:
            status, done = ("accepted" if rng.random() < 0.3 else "in_progress"), None
        for at, matter in zip(times, chosen, strict=True):
            client_id, prefix = self._client(matter)
            org = point.org if point else self.points.orgs[matter.org_id]
            self.chunk.append(Planned(
                identity=identity, proj_no=self._proj_no(prefix, day), client_id=client_id,
                matter=matter, org=org, point=point, staff_id=staff.pk if staff else None,
                staff_no=staff.staff_no if staff else "", status=status, batch_no=batch_no,
                accepted_at=at, completed_at=done))
        return len(chosen)

    # --- writing --------------------------------------------------------------------

    def _policy(self, org: Org) -> Policy:
        policy = self.policies.get(org.pk)
        if policy is None:
            policy = self.policies[org.pk] = effective_policy(org)
        return policy

    def _raters(self) -> dict[str, tuple[int, Applicant]]:
        """Rater id and identity of every applicant of the chunk; new ones are written
        through the vault's bulk upsert, then join the pool of returning applicants."""
        pending = list(self.pending.items())
        for i in range(0, len(pending), RATER_BATCH):
            ids = raters_upsert(dict(pending[i:i + RATER_BATCH]))
            for identity, app in pending[i:i + RATER_BATCH]:
                self.known[identity] = (ids[identity], app)
        self.counts.raters += len(pending)
        self.pending = {}
        chunk = {p.identity: self.known[p.identity] for p in self.chunk}
        if len(self.pool) > POOL_MAX:
            for identity in self.pool[:-POOL_MAX]:
                self.known.pop(identity, None)
            self.pool = self.pool[-POOL_MAX:]
        return chunk

    def _handling(self, p: Planned, rater_id: int, app: Applicant,
                  batch_outcomes: dict[str, list[dict[str, Any]]]) -> Handling:
        point, w = p.point, p.point.window if p.point else None
        item = HandlingInput(
            proj_no=p.proj_no, matter_code=p.matter.impl_code, matter_version=p.matter.version,
            org_code=p.org.code, hall_code=point.hall.code if point else "",
            window_code=w.code if w else "", staff_no=p.staff_no, status=p.status,
            service_channel="offline" if point else "online", batch_no=p.batch_no,
            accepted_at=p.accepted_at, completed_at=p.completed_at, applicant=app)
        h = Handling(client_id=p.client_id, proj_no=p.proj_no, matter_id=p.matter.pk,
                     org_id=p.org.pk, hall_id=point.hall.pk if point else None,
                     window_id=w.pk if w else None, staff_id=p.staff_id, rater_id=rater_id,
                     service_channel=item.service_channel, status=p.status,
                     batch_no=p.batch_no, accepted_at=p.accepted_at,
                     completed_at=p.completed_at, content_hash=content_hash(item),
                     created_at=p.accepted_at + timedelta(minutes=self.rng.uniform(1, 10)))
        h.updated_at = p.completed_at or h.created_at
        if p.completed_at is None:
            return h
        due = self.calc.deadlines(p.completed_at, self._policy(p.org), has_phone=bool(app.phone))
        h.invite_due_at, h.default_due_at = due.invite_due_at, due.default_due_at
        h.rating_closes_at = due.rating_closes_at
        if p.batch_no and p.batch_no in batch_outcomes:
            rows = [dict(r) for r in batch_outcomes[p.batch_no]]
        else:
            rows = self.ratings.outcome(Handled(
                window_id=h.window_id, offline=point is not None, has_phone=bool(app.phone),
                completed_at=p.completed_at, invite_due_at=h.invite_due_at,
                default_due_at=h.default_due_at))
            if p.batch_no:
                batch_outcomes[p.batch_no] = rows
        p.ratings = rows
        if rows:
            h.rated_at = rows[-1]["created_at"]
            h.invite_due_at = h.default_due_at = None
            h.updated_at = h.rated_at
        return h

    def flush(self) -> None:
        if not self.chunk:
            return
        raters = self._raters()
        batch_outcomes: dict[str, list[dict[str, Any]]] = {}
        rows = [self._handling(p, *raters[p.identity], batch_outcomes) for p in self.chunk]
        with manual_timestamps(Handling):
            insert_rows(Handling, rows)
        notice = notice_version()  # the demo's raters were shown today's notice
        evaluations = [
            Evaluation(handling_id=h.pk, rater_id=h.rater_id, org_id=h.org_id,
                       matter_id=h.matter_id, hall_id=h.hall_id, window_id=h.window_id,
                       staff_id=h.staff_id, batch_no=h.batch_no,
                       notice_version=NOTICE_NONE if r.get("is_default") else notice, **r)
            for p, h in zip(self.chunk, rows, strict=True) for r in p.ratings]
        insert_rows(Evaluation, evaluations)
        self.counts.handlings += len(rows)
        self.counts.evaluations += len(evaluations)
        self.chunk = []
        reset_queries()  # with DEBUG on, Django keeps the SQL of the last 9,000 queries

    def run(self, total: int) -> Counts:
        for day, count in self.timeline.per_day(total):
            made = 0
            while made < count:
                made += self.visit(day)
            if len(self.chunk) >= CHUNK:
                self.flush()
                self.log(f"  {day:%Y-%m-%d}：办件 {self.counts.handlings:,}，"
                         f"评价 {self.counts.evaluations:,}，评价人 {self.counts.raters:,}")
        self.flush()
        return self.counts


def active_standard_data() -> Standard:
    version = active_standard()
    items: dict[int, list[str]] = {}
    for code, level in ContentItem.objects.filter(version=version).order_by(
            "level", "sort", "code").values_list("code", "level"):
        items.setdefault(level, []).append(code)
    indicators: dict[str, list[str]] = {}
    for group, code in Indicator.objects.filter(version=version).order_by(
            "channel_group", "sort").values_list("channel_group", "code"):
        indicators.setdefault(group, []).append(code)
    return Standard(
        version_id=version.pk, items={k: tuple(v) for k, v in items.items()},
        indicators={k: tuple(v) for k, v in indicators.items()},
        reasons=tuple(BadReason.objects.filter(version=version).order_by("sort")
                      .values_list("code", flat=True)))


def build_activity(*, locality: Locality, sites: Sites, users: dict[str, Any], total: int,
                   seed: int, names: NameMaker, rng: random.Random, now: datetime,
                   step: Callable[[str], None]) -> dict[str, int]:
    """The handlings-and-ratings step of the demo build; returns row counts."""
    admin = actor_for_user(users["admin"])
    set_city_policy(admin, locality)
    default_level = effective_policy(locality.office).default_rating_level
    access = create_access(admin, locality, sites, seed, default_level)
    step(f"  {len(access.clients)} 个接口客户端, {len(access.devices) + 1} 台评价设备")
    timeline = Timeline(now, calendar_overrides(range(now.year - 1, now.year + 2)))
    ctx = Context(standard=active_standard_data(), devices=access.devices, kiosk=access.kiosk,
                  app_client_id=access.clients[APP].pk,
                  supervisor_id=users["supervisor"].pk, default_level=default_level)
    people = ApplicantMaker(rng, names, {d.spec.code6: d.spec.short for d in locality.districts})
    builder = ActivityBuilder(points=build_points(locality, sites), access=access,
                              people=people, ratings=RatingMaker(rng, ctx, timeline),
                              timeline=timeline, rng=rng, log=step)
    counts = builder.run(total)
    shown = build_showcase(sites=sites, client=access.clients[INTAKE], now=now)
    step(f"  演示评价人 {shown.handlings} 件待评价办件（窗口 {shown.window_code}），"
         f"短信邀评 {shown.sms} 条")
    return {"handlings": counts.handlings + shown.handlings, "raters": counts.raters + 1,
            "evaluations": counts.evaluations, "api_clients": len(access.clients),
            "devices": len(access.devices) + 1}
