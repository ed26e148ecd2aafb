"""补报: outbox rows for objects that have none for a remote (written before the remote,
or its route for the kind, existed). Called by ``services.outbox_backfill`` in its
transaction.

The rows are what the triggers would have written, with the same keys: a rating's
``rating:<id>:saved:1`` (and ``…:invalidated:1`` when it was invalidated), a closed
order's ``result:<id>:closed:1``. A handling without any row gets version 0, a key no
trigger writes: a change of that handling committed while 补报 runs takes version 1 and
never collides with it (both carry the handling as it is when sent). ``ignore_conflicts``
makes a row a concurrent writer just added a no-op, so 补报 never doubles a change.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from haochaping.core.localtime import day_bounds, local_day
from haochaping.evaluations.models import Evaluation
from haochaping.exchange.models import OutboxRecord, Remote
from haochaping.exchange.rules.canonical import Event, Kind, record_key
from haochaping.handlings.models import Handling
from haochaping.workorders.models import WorkOrder

CHUNK = 2000
BACKFILL_VERSION = 0  # a handling's first row made by 补报 (module docstring)


def _rows(remote: Remote, kind: Kind, event: Event, version: int, now: datetime,
          found: Iterator[tuple[int, int, datetime, datetime]]) -> int:
    """Insert a row per (object id, org id, day moment, change moment), in chunks."""
    created = 0
    chunk: list[OutboxRecord] = []

    def flush() -> int:
        OutboxRecord.objects.bulk_create(chunk, ignore_conflicts=True)
        return len(chunk)

    for pk, org_id, day_moment, moment in found:
        chunk.append(OutboxRecord(
            remote=remote, kind=kind.value, object_id=pk, event=event.value, version=version,
            record_key=record_key(kind, str(pk), event, version), org_id=org_id,
            day=local_day(day_moment), created_at=moment, next_attempt_at=now))
        if len(chunk) >= CHUNK:
            created += flush()
            chunk = []
    if chunk:
        created += flush()
    return created


def _without_row(qs: QuerySet[Any], remote: Remote, kind: Kind,
                 event: Event | None = None) -> QuerySet[Any]:
    rows = OutboxRecord.objects.filter(remote=remote, kind=kind.value, object_id=OuterRef("pk"))
    if event is not None:
        rows = rows.filter(event=event.value)
    return qs.exclude(Exists(rows))


def _in(path: str | None) -> Q:
    return Q() if path is None else Q(org__path__startswith=path)


def create_missing(remote: Remote, kind: Kind, day_from: date, day_to: date,
                   path: str | None, now: datetime) -> int:
    """Rows for the objects of ``kind`` of those days (in the org subtree at ``path``)
    that have none for ``remote``; how many were made."""
    start, end = day_bounds(day_from)[0], day_bounds(day_to)[1]
    span = {"__gte": start, "__lt": end}

    def between(column: str) -> Q:
        return Q(**{f"{column}{op}": moment for op, moment in span.items()})

    if kind is Kind.RATING:
        saved = _without_row(Evaluation.objects.filter(between("created_at"), _in(path)),
                             remote, kind, Event.SAVED)
        made = _rows(remote, kind, Event.SAVED, 1, now, saved.values_list(
            "pk", "org_id", "created_at", "created_at").order_by("pk").iterator(CHUNK))
        invalidated = _without_row(Evaluation.objects.filter(
            between("invalidated_at"), _in(path)), remote, kind, Event.INVALIDATED)
        return made + _rows(remote, kind, Event.INVALIDATED, 1, now, invalidated.values_list(
            "pk", "org_id", "invalidated_at", "invalidated_at").order_by("pk").iterator(CHUNK))
    if kind is Kind.HANDLING:
        moment = between("completed_at") | (Q(completed_at__isnull=True)
                                            & between("accepted_at"))
        handlings = _without_row(Handling.objects.filter(moment, _in(path)).exclude(
            status="withdrawn"), remote, kind)
        return _rows(remote, kind, Event.SAVED, BACKFILL_VERSION, now, (
            (pk, org_id, completed or accepted, updated)
            for pk, org_id, completed, accepted, updated in handlings.values_list(
                "pk", "org_id", "completed_at", "accepted_at", "updated_at").order_by(
                "pk").iterator(CHUNK)))
    if kind is Kind.RESULT:
        orders = _without_row(WorkOrder.objects.filter(
            between("closed_at"), _in(path), kind="bad_review", status="closed"),
            remote, kind, Event.CLOSED)
        return _rows(remote, kind, Event.CLOSED, 1, now, orders.values_list(
            "pk", "org_id", "closed_at", "closed_at").order_by("pk").iterator(CHUNK))
    raise ValueError(f"{kind} does not leave upward")
