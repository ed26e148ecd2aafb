"""Handling intake from business systems (docs/api-intake.md).

One call takes one item or a bulk of up to :data:`MAX_BULK`; each item is validated on its
own, valid items are stored in one transaction, invalid ones are reported by index. Built
for volume (≥ 10,000 handlings/s): references, existing handlings and raters are fetched
by key in a few queries, rows are written with bulk_create / bulk_update.

No audit row is written for intake: the handling row is its own record (client,
created_at, updated_at, content hash), and one audit append per call would put the audit
chain's global lock on the busiest write path. Identity access stays fully audited
(``rater.reveal``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from haochaping.accounts.models import ApiClient
from haochaping.accounts.scoping import actor_for_client
from haochaping.core.errors import AppError, Conflict
from haochaping.handlings import rules
from haochaping.handlings.intake import Catalog, Refs, deadline_calculator
from haochaping.handlings.models import Handling
from haochaping.handlings.rules import HandlingInput, ItemError
from haochaping.handlings.vault.identity import keyed_digest
from haochaping.handlings.vault.keys import index_key
from haochaping.handlings.vault.services import identity_index_of, raters_upsert

MAX_BULK = 1000
PAD_KEY = "pad:window:{window_id}"  # bumped after commit when a window gets new work
UPDATE_FIELDS = ["matter", "org", "hall", "window", "staff", "rater", "service_channel",
                 "status", "batch_no", "accepted_at", "completed_at", "content_hash",
                 "invite_due_at", "default_due_at", "rating_closes_at", "updated_at"]
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


@dataclass
class _Write:
    handling: Handling
    item: HandlingInput
    identity: str = ""
    becomes_completed: bool = False


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


def _apply(h: Handling, item: HandlingInput, refs: Refs, digest: str) -> None:
    h.matter_id, h.org_id = refs.matter_id, refs.org.pk
    h.hall_id, h.window_id, h.staff_id = refs.hall_id, refs.window_id, refs.staff_id
    h.service_channel, h.status, h.batch_no = item.service_channel, item.status, item.batch_no
    h.accepted_at, h.completed_at, h.content_hash = item.accepted_at, item.completed_at, digest


def _plan(client: ApiClient, parsed: list[tuple[int, HandlingInput]], result: IntakeResult,
          catalog: Catalog) -> dict[int, _Write]:
    """Decide each valid item against the stored (and earlier same-call) state; returns the
    rows to write by id(handling)."""
    actor = actor_for_client(client)
    current: dict[str, Handling] = {h.proj_no: h for h in Handling.objects.select_for_update()
                                    .filter(client=client,
                                            proj_no__in={i.proj_no for _, i in parsed})}
    writes: dict[int, _Write] = {}
    for index, item in parsed:
        refs, problems = catalog.resolve(item, actor)
        if refs is None:
            result.errors.extend(IntakeError(index, p.field, p.code, p.message)
                                 for p in problems)
            continue
        digest = content_hash(item)
        h = current.get(item.proj_no)
        if h is None:
            h = current[item.proj_no] = Handling(client=client, proj_no=item.proj_no)
            old_status, kind = "", CREATED
        elif h.content_hash == digest:
            result.outcomes.append(Outcome(index, item.proj_no, UNCHANGED, h.status))
            continue
        elif not rules.transition_allowed(h.status, item.status):
            result.errors.append(IntakeError(index, item.names["status"],
                                             "handling.bad_transition",
                                             rules.transition_message(h.status, item.status)))
            continue
        else:
            old_status, kind = h.status, UPDATED
        _apply(h, item, refs, digest)
        write = writes.setdefault(id(h), _Write(h, item))
        write.item = item
        write.becomes_completed |= (item.status == rules.COMPLETED
                                    and old_status != rules.COMPLETED)
        result.outcomes.append(Outcome(index, item.proj_no, kind, item.status))
    return writes


def _set_deadlines(writes: list[_Write], catalog: Catalog) -> None:
    completing = [w for w in writes if w.becomes_completed and w.handling.rated_at is None]
    calc = deadline_calculator([w.item.completed_at for w in completing
                                if w.item.completed_at is not None])
    for w in completing:
        h = w.handling
        assert h.completed_at is not None
        due = calc.deadlines(h.completed_at, catalog.policy(h.org),
                             has_phone=bool(w.item.applicant.phone))
        h.invite_due_at, h.default_due_at = due.invite_due_at, due.default_due_at
        h.rating_closes_at = due.rating_closes_at
    for w in writes:
        if w.handling.status == rules.WITHDRAWN:
            h = w.handling
            h.invite_due_at = h.default_due_at = h.rating_closes_at = None


def _update_rows(rows: list[Handling]) -> None:
    """One parameterised UPDATE per row, sent with executemany (pipelined by psycopg,
    in-process on SQLite). Django's bulk_update builds one CASE per column with a branch
    per row, which PostgreSQL evaluates in quadratic time (≈100 rows/s at 1,000 rows)."""
    by_name = {f.name: f for f in Handling._meta.concrete_fields}
    fields = [by_name[name] for name in UPDATE_FIELDS]
    qn = connection.ops.quote_name
    sql = (f"UPDATE {qn(Handling._meta.db_table)} SET "
           + ", ".join(f"{qn(f.column)} = %s" for f in fields)
           + f" WHERE {qn(Handling._meta.pk.column)} = %s")
    params = [[f.get_db_prep_save(getattr(h, f.attname), connection) for f in fields] + [h.pk]
              for h in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _write(writes: list[_Write], catalog: Catalog, now: datetime) -> set[int]:
    for w in writes:
        w.identity = identity_index_of(w.item.applicant)
    rater_ids = raters_upsert({w.identity: w.item.applicant for w in writes})
    org_by_id = {o.pk: o for o in catalog.orgs.values()}
    for w in writes:
        w.handling.rater_id = rater_ids[w.identity]
        w.handling.org = org_by_id[w.handling.org_id]
    _set_deadlines(writes, catalog)
    new = [w.handling for w in writes if w.handling.pk is None]
    old = [w.handling for w in writes if w.handling.pk is not None]
    for h in old:
        h.updated_at = now  # bulk_update skips auto_now
    if new:
        Handling.objects.bulk_create(new, batch_size=MAX_BULK)
    if old:
        _update_rows(old)
    return {h.window_id for h in new + old if h.window_id is not None}


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
            writes = list(_plan(client, parsed, result, catalog).values())
            windows = _write(writes, catalog, now) if writes else set()
            transaction.on_commit(lambda: bump_pads(sorted(windows)))
    except IntegrityError as exc:
        raise Conflict("handling.concurrent_intake",
                       "同一办件正被并发推送，请稍后重试（重试是安全的）") from exc
    result.errors.sort(key=lambda e: e.index)
    result.outcomes.sort(key=lambda o: o.index)
    return result


def _errors(index: int, problems: list[ItemError]) -> list[IntakeError]:
    return [IntakeError(index, p.field, p.code, p.message) for p in problems]
