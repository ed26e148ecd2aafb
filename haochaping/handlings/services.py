"""Handling intake from business systems (docs/api-intake.md).

One call takes one item or a bulk of up to :data:`MAX_BULK`; each item is validated on its
own, valid items are stored in one transaction, invalid ones are reported by index. Built
for volume (≥ 10,000 handlings/s): references, existing handlings and raters are fetched
by key in a few queries as plain tuples, references and deadlines are resolved once per
distinct value, and rows are written from tuples in one multi-row statement each
(``core.bulk``: COPY on PostgreSQL) — no model instance per item.

No audit row is written for intake: the handling row is its own record (client,
created_at, updated_at, content hash), and one audit append per call would put the audit
chain's global lock on the busiest write path. Identity access stays fully audited
(``rater.reveal``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from haochaping.accounts.models import ApiClient
from haochaping.accounts.scoping import actor_for_client
from haochaping.core import bulk
from haochaping.core.engine import enqueue
from haochaping.core.errors import AppError, Conflict
from haochaping.handlings import rules
from haochaping.handlings.intake import Catalog, Refs, StageRefs, deadline_calculator
from haochaping.handlings.models import Handling, HandlingMove
from haochaping.handlings.rules import Applicant, HandlingInput, ItemError
from haochaping.handlings.stages import stages_upsert
from haochaping.handlings.tasks import wake_pads
from haochaping.vault.identity import keyed_digest
from haochaping.vault.keys import index_key
from haochaping.vault.services import identity_index_of, raters_upsert

MAX_BULK = 1000
PAD_KEY = "pad:window:{window_id}"  # bumped after commit when a window gets new work
UPDATE_FIELDS = ["matter", "org", "hall", "window", "staff", "rater", "service_channel",
                 "status", "batch_no", "accepted_at", "completed_at", "content_hash",
                 "invite_due_at", "default_due_at", "rating_closes_at", "updated_at"]
UPDATE_COLUMNS = bulk.columns_of(Handling, UPDATE_FIELDS)
STATE_COLUMNS = bulk.columns_of(Handling, ["id", "proj_no", "status", "content_hash",
                                           "completed_at", "rated_at", "invite_due_at",
                                           "default_due_at", "rating_closes_at", "org"])
MOVE_COLUMNS = bulk.columns_of(HandlingMove, ["handling", "org", "completed_at", "at"])
INSERT_COLUMNS = bulk.columns_of(Handling, ["client", "proj_no", *UPDATE_FIELDS[:-1],
                                            "rated_at", "created_at", "updated_at"])
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass(frozen=True)
class IntakeError:
    index: int
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "code": self.code,
                "message": self.message}


@dataclass(frozen=True)
class Outcome:
    index: int
    proj_no: str
    result: str  # created | updated | unchanged
    status: str


@dataclass
class IntakeResult:
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[IntakeError] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(1 for o in self.outcomes if o.result == result)

    @property
    def accepted(self) -> int:
        return len(self.outcomes)

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "created": self.count(CREATED),
                "updated": self.count(UPDATED), "unchanged": self.count(UNCHANGED),
                "errors": [e.as_dict() for e in self.errors]}


@dataclass(slots=True)
class _Row:
    """A handling's state as the intake sees it: stored (pk), or created earlier in the
    same call (pk None), updated item by item."""

    pk: int | None
    status: str = ""
    content_hash: str = ""
    completed_at: datetime | None = None
    rated_at: datetime | None = None
    due: rules.Deadlines = rules.NO_DEADLINES
    completion_moved: bool = False  # completes now, or its completion time was corrected
    # Stored and completed: the (org id, completion time) it counts under in the
    # statistics until this call's write (rules.left_bucket).
    counted_in: tuple[int, datetime] | None = None


@dataclass(slots=True)
class _Write:
    """The last accepted item of a project number in this call, to write over its row."""

    row: _Row
    item: HandlingInput
    refs: Refs
    # the stages of every accepted item of this project number in the call, the later
    # item's report of a stage winning (None, no allocation, for the usual item without)
    stages: dict[str, StageRefs] | None = None


def content_hash(item: HandlingInput) -> str:
    """Keyed digest of the normalised item (keyed, because the content includes the
    applicant's identity and an unkeyed hash of a phone number is guessable)."""
    return keyed_digest("content", item.canonical(), index_key())


def bump_pads(window_ids: Iterable[int]) -> None:
    for window_id in window_ids:
        key = PAD_KEY.format(window_id=window_id)
        cache.add(key, 0, timeout=None)
        try:
            cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=None)


def _stored(client: ApiClient, proj_nos: set[str]) -> dict[str, _Row]:
    """The client's stored handlings among ``proj_nos``, locked until commit."""
    rows = bulk.select_by_key(
        Handling._meta.db_table, STATE_COLUMNS, "proj_no", proj_nos,
        where=f"{connection.ops.quote_name('client_id')} = %s", params=[client.pk],
        datetimes=[4, 5, 6, 7, 8], for_update=True)
    return {proj_no: _Row(pk, status, digest, completed_at, rated_at,
                          rules.Deadlines(invite_due, default_due, closes),
                          counted_in=_counted_in(status, org_id, completed_at))
            for (pk, proj_no, status, digest, completed_at, rated_at, invite_due, default_due,
                 closes, org_id) in rows}


def _counted_in(status: str, org_id: int, completed_at: datetime | None
                ) -> tuple[int, datetime] | None:
    if status != rules.COMPLETED or completed_at is None:
        return None
    return org_id, completed_at


def _plan(client: ApiClient, parsed: list[tuple[int, HandlingInput]], result: IntakeResult,
          catalog: Catalog) -> list[_Write]:
    """Decide each valid item against the stored (and earlier same-call) state; returns the
    rows to write, one per project number."""
    actor = actor_for_client(client)
    current = _stored(client, {i.proj_no for _, i in parsed})
    writes: dict[str, _Write] = {}
    for index, item in parsed:
        refs, problems = catalog.resolve(item, actor)
        stages: list[StageRefs] = []
        if refs is not None and item.stages:
            stages, problems = catalog.resolve_stages(item.stages)
            refs = None if problems else refs
        if refs is None:
            result.errors.extend(IntakeError(index, p.field, p.code, p.message)
                                 for p in problems)
            continue
        digest = content_hash(item)
        row = current.get(item.proj_no)
        if row is None:
            row = current[item.proj_no] = _Row(None)
            kind = CREATED
        elif row.content_hash == digest:
            result.outcomes.append(Outcome(index, item.proj_no, UNCHANGED, row.status))
            continue
        elif not rules.transition_allowed(row.status, item.status):
            result.errors.append(IntakeError(index, item.names["status"],
                                             "handling.bad_transition",
                                             rules.transition_message(row.status,
                                                                      item.status)))
            continue
        else:
            kind = UPDATED
        row.completion_moved |= (item.status == rules.COMPLETED
                                 and (row.status != rules.COMPLETED
                                      or item.completed_at != row.completed_at))
        row.status, row.content_hash = item.status, digest
        row.completed_at = item.completed_at
        reported = writes[item.proj_no].stages if item.proj_no in writes else None
        if stages:
            reported = {**(reported or {}), **{s.stage.stage.value: s for s in stages}}
        writes[item.proj_no] = _Write(row, item, refs, reported)
        result.outcomes.append(Outcome(index, item.proj_no, kind, item.status))
    return list(writes.values())


def _set_deadlines(writes: list[_Write], catalog: Catalog) -> None:
    """Deadlines of the rows completing now or whose completion time was corrected, from
    their org's policy; one computation per distinct (completion time, org, has phone).

    Every deadline counts from the completion, so a corrected ``completed_at`` moves them
    all while the handling is unrated (a new ``invite_due_at`` after the SMS went out
    sends nothing: the outbox dedupe key ``invite:<id>`` is taken). A rated handling keeps
    its invitation and default deadlines (void once rated, cleared by their sweeps) but
    gets the new ``rating_closes_at``: the supplementary window, in which a rating may
    be superseded or completed (seed 003 §10, §12), runs from the true completion.
    Withdrawn: none."""
    completing = [(w, w.item.completed_at) for w in writes
                  if w.row.completion_moved and w.item.completed_at is not None]
    calc = deadline_calculator([done for _, done in completing])
    memo: dict[tuple[datetime, int, bool], rules.Deadlines] = {}
    for w, done in completing:
        org, has_phone = w.refs.org, bool(w.item.applicant.phone)
        key = (done, org.pk, has_phone)
        due = memo.get(key)
        if due is None:
            due = memo[key] = calc.deadlines(done, catalog.policy(org), has_phone=has_phone)
        if w.row.rated_at is None:
            w.row.due = due
        else:
            w.row.due = replace(w.row.due, rating_closes_at=due.rating_closes_at)
    for w in writes:
        if w.row.status == rules.WITHDRAWN:
            w.row.due = rules.NO_DEADLINES


def _values(w: _Write, rater_id: int) -> tuple[object, ...]:
    """UPDATE_FIELDS values of a row to write (``updated_at`` excepted)."""
    item, refs, due = w.item, w.refs, w.row.due
    return (refs.matter_id, refs.org.pk, refs.hall_id, refs.window_id, refs.staff_id,
            rater_id, item.service_channel, item.status, item.batch_no, item.accepted_at,
            item.completed_at, w.row.content_hash, due.invite_due_at, due.default_due_at,
            due.rating_closes_at)


def _write(client: ApiClient, writes: list[_Write], catalog: Catalog,
           now: datetime) -> set[int]:
    identities: dict[Applicant, str] = {}
    wanted: dict[str, Applicant] = {}
    for w in writes:
        app = w.item.applicant
        if app not in identities:
            identities[app] = identity_index_of(app)
        wanted[identities[app]] = app
    rater_ids = raters_upsert(wanted)
    _set_deadlines(writes, catalog)
    table = Handling._meta.db_table
    new: list[tuple[object, ...]] = []
    old: list[tuple[object, ...]] = []
    for w in writes:
        values = _values(w, rater_ids[identities[w.item.applicant]])
        if w.row.pk is None:
            new.append((client.pk, w.item.proj_no, *values, None, now, now))
        else:
            old.append((*values, now, w.row.pk))
    bulk.insert_rows(table, INSERT_COLUMNS, new)
    bulk.update_rows(table, "id", UPDATE_COLUMNS, old)
    bulk.insert_rows(HandlingMove._meta.db_table, MOVE_COLUMNS, _moves(writes, now))
    _write_stages(client, [w for w in writes if w.stages], now)
    return {w.refs.window_id for w in writes if w.refs.window_id is not None}


def _write_stages(client: ApiClient, writes: list[_Write], now: datetime) -> None:
    """The stages reported with the items (none in most calls: no query then)."""
    if not writes:
        return
    created = [w.item.proj_no for w in writes if w.row.pk is None]
    ids = dict(Handling.objects.filter(client=client, proj_no__in=created).values_list(
        "proj_no", "pk")) if created else {}
    stages_upsert([(w.row.pk or ids[w.item.proj_no], ref) for w in writes
                   for ref in (w.stages or {}).values()], now)


def _moves(writes: list[_Write], now: datetime) -> list[tuple[object, ...]]:
    """HandlingMove rows of the stored handlings this call takes out of the statistics
    bucket they counted in (written in one statement, none when nothing moved)."""
    return [(w.row.pk, *w.row.counted_in, now) for w in writes
            if w.row.pk is not None and w.row.counted_in is not None
            and rules.left_bucket(w.row.counted_in, status=w.item.status,
                                  org_id=w.refs.org.pk, completed_at=w.item.completed_at)]


def handling_intake(*, client: ApiClient, items: list[Any],
                    now: datetime | None = None) -> IntakeResult:
    """Store one item or a bulk of up to MAX_BULK items reported by ``client``.

    Idempotent on (client, proj_no): an identical re-send is "unchanged" and writes
    nothing; a status update (rules.TRANSITIONS) or a data correction is "updated"; a
    backwards or final→other change is ``handling.bad_transition``. Raises only for the
    request as a whole (empty, too large, a concurrent intake of the same project).
    """
    if not items:
        raise AppError("handling.bulk_empty", "请求中没有办件", status=422)
    if len(items) > MAX_BULK:
        raise AppError("handling.bulk_too_large",
                       f"每次最多推送 {MAX_BULK} 条办件，本次 {len(items)} 条", status=413)
    now = now or timezone.now()
    result = IntakeResult()
    parsed: list[tuple[int, HandlingInput]] = []
    for index, raw in enumerate(items):
        item, problems = rules.normalise(raw, now=now)
        if item is None:
            result.errors.extend(_errors(index, problems))
        else:
            parsed.append((index, item))
    if not parsed:
        return result
    catalog = Catalog.load([item for _, item in parsed])
    try:
        with transaction.atomic():
            writes = _plan(client, parsed, result, catalog)
            windows = _write(client, writes, catalog, now) if writes else set()
            if windows:  # the pads' wake-up commits with the handlings
                enqueue(wake_pads, sorted(windows))
    except IntegrityError as exc:
        raise Conflict("handling.concurrent_intake",
                       "同一办件正被并发推送，请稍后重试（重试是安全的）") from exc
    result.errors.sort(key=lambda e: e.index)
    result.outcomes.sort(key=lambda o: o.index)
    return result


def _errors(index: int, problems: list[ItemError]) -> list[IntakeError]:
    return [IntakeError(index, p.field, p.code, p.message) for p in problems]
