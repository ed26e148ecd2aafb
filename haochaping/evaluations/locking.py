"""The rating's locking read (the hot path of every channel): one statement finds and
locks the handling row, reading only the columns a rating needs (:data:`LOCK_FIELDS`), its
org's path, its rater's blind indexes and its current rating (docs/architecture.md, "Hot
paths"). The writes that follow are ``evaluations.services``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection

from haochaping.accounts.scoping import Actor
from haochaping.core.errors import AppError, NotFound
from haochaping.core.fastsql import run
from haochaping.evaluations import rules
from haochaping.evaluations.models import Evaluation
from haochaping.handlings.models import Handling, HandlingStage, Rater


def current_facts(level: int, is_default: bool, invalidated: bool, reason_codes: Any,
                  text: str) -> rules.CurrentRating:
    """The rule facts of a current rating from its columns."""
    return rules.CurrentRating(
        level=level, is_default=is_default, invalidated=invalidated,
        has_reason=bool(reason_codes) or len(text.strip()) >= rules.MIN_REASON_TEXT_CHARS)


def current_rating_of(handling_id: int, stage_id: int | None = None
                      ) -> tuple[int | None, rules.CurrentRating | None]:
    """The id and rule facts of the current rating of the handling as a whole (or of
    its stage ``stage_id``), if any."""
    row = Evaluation.objects.filter(handling_id=handling_id, stage_id=stage_id,
                                    is_current=True).values_list(
        "pk", "level", "is_default", "invalidated_at", "reason_codes", "text").first()
    if row is None:
        return None, None
    pk, level, is_default, invalidated_at, reason_codes, text = row
    return pk, current_facts(level, is_default, invalidated_at is not None, reason_codes, text)


@dataclass(frozen=True)
class Locked:
    """A handling row locked for rating, with what deciding the rating needs."""

    handling: Handling
    org_path: str
    current_id: int | None
    current: rules.CurrentRating | None


@dataclass(frozen=True)
class StageTarget:
    """The stage a rating names, read while the handling is locked: its row (None when
    the business system did not report it) and its current rating."""

    facts: rules.StageFacts
    row: HandlingStage | None
    current_id: int | None
    current: rules.CurrentRating | None


def stage_target(handling_id: int, code: str) -> StageTarget:
    """Call with the handling locked (:func:`lock_for_rating`): the lock serialises the
    ratings of all its stages, so the current rating read here stays current."""
    stage = rules.stage_named(code)
    row = None if stage is None else HandlingStage.objects.filter(
        handling_id=handling_id, stage=stage.value).first()
    if row is None:
        return StageTarget(rules.StageFacts(code, reported=False), None, None, None)
    current_id, current = current_rating_of(handling_id, row.pk)
    return StageTarget(rules.StageFacts(code, reported=True), row, current_id, current)


# The handling's columns that deciding and recording a rating read (evaluations.rules,
# new_evaluation, batches, invitations, the API's answer); any other field of the locked
# row loads on first access. In the model's field order, as Model.from_db takes them.
_NEEDED = {"id", "proj_no", "client_id", "org_id", "matter_id", "hall_id", "window_id",
           "staff_id", "rater_id", "service_channel", "status", "batch_no", "rating_closes_at",
           "rated_at"}
LOCK_FIELDS = tuple(f.attname for f in Handling._meta.concrete_fields if f.attname in _NEEDED)

# The hot path of every channel: one statement locks the handling (only its row, FOR
# UPDATE OF h) and reads its org's path, its rater's blind indexes and its current rating
# as a whole (at most one row: the partial unique index one_current_evaluation, whose
# predicate the join repeats; a stage's ratings are read apart, stage_target).
_LOCK_SQL = (
    f"SELECT {', '.join('h.' + c for c in LOCK_FIELDS)}, o.path, r.id_type, r.phone_index, "
    "r.id_no_index, e.id, e.created_at, e.level, e.is_default, e.invalidated_at, "
    "e.reason_codes, e.text "
    "FROM handlings_handling h JOIN catalog_org o ON o.id = h.org_id "
    "JOIN handlings_rater r ON r.id = h.rater_id "
    "LEFT JOIN evaluations_evaluation e ON e.handling_id = h.id AND e.is_current "
    "AND e.stage_id IS NULL ")


@dataclass(frozen=True)
class _Found:
    """One row of _LOCK_SQL: the handling (with LOCK_FIELDS loaded) and what rides along."""

    handling: Handling
    org_path: str
    current: tuple[Any, ...]  # id, created_at, level, is_default, invalidated_at, reasons, text


@cache
def _converters(vendor: str) -> list[tuple[Any, list[Any]]]:
    """Per LOCK_FIELDS column, the backend's and the field's converters (SQLite hands
    dates back as text): what the ORM would apply to these columns."""
    fields = {f.attname: f for f in Handling._meta.concrete_fields}
    found = []
    for name in LOCK_FIELDS:
        column = fields[name].get_col(Handling._meta.db_table)
        found.append((column, connection.ops.get_db_converters(column)
                       + column.get_db_converters(connection)))
    return found


def _locked_rows(where: str, params: list[Any], limit: int = 1) -> list[_Found]:
    """SQLite locks the whole database on the first write instead of FOR UPDATE."""
    lock = " FOR UPDATE OF h" if connection.features.has_select_for_update_of else ""
    rows = run(f"{_LOCK_SQL}WHERE {where} ORDER BY h.id LIMIT {int(limit)}{lock}", params)
    width = len(LOCK_FIELDS)
    converters = _converters(connection.vendor) if connection.vendor != "postgresql" else ()
    found = []
    for row in rows:
        values = list(row[:width])
        for i, (column, funcs) in enumerate(converters):
            for func in funcs:
                values[i] = func(values[i], column, connection)
        handling = Handling.from_db(connection.alias, LOCK_FIELDS, values)
        path, id_type, phone_index, id_no_index = row[width:width + 4]
        rater = Rater(id=handling.rater_id, id_type=id_type, phone_index=phone_index,
                      id_no_index=id_no_index)
        Handling.rater.field.set_cached_value(handling, rater)
        found.append(_Found(handling, path, tuple(row[width + 4:])))
    return found


def lock_for_rating(pk: int) -> Locked:
    """Lock handling ``pk`` in the current transaction and read its current rating."""
    found = _locked_rows("h.id = %s", [pk])
    if not found:
        raise Handling.DoesNotExist(pk)
    return _locked(found[0])


def lock_by_proj_no(actor: Actor, proj_no: str, client_name: str = "") -> Locked:
    """Find and lock, in one statement, the handling numbered ``proj_no`` in the actor's
    subtree (of the business system ``client_name`` when given): the rating API's hot
    path. The handling carries its rater's blind indexes (``handling.rater``); no
    plaintext is read."""
    where, params = ["h.proj_no = %s"], [proj_no]
    if actor.scope_path is not None:
        where.append(f"substr(o.path, 1, {len(actor.scope_path)}) = %s")
        params.append(actor.scope_path)
    if client_name:
        where.append("h.client_id IN (SELECT id FROM accounts_apiclient WHERE name = %s)")
        params.append(client_name)
    found = _locked_rows(" AND ".join(where), params, limit=2)
    if not found:
        raise NotFound("handling.not_found", "办件不存在", "proj_no")
    if len(found) > 1:
        raise AppError("handling.ambiguous", "多个业务系统存在相同办件编号，请指定 client_system",
                       "client_system", status=409)
    return _locked(found[0])


def _locked(found: _Found) -> Locked:
    """A statement that waited for the lock sees the handling's newest row but the rating
    as of its start (PostgreSQL, READ COMMITTED): if a rating committed meanwhile, the
    handling's ``rated_at`` (stamped with every rating's ``created_at``) no longer matches
    the rating read, and the rating is read again by a new statement."""
    handling = found.handling
    cur_id, cur_created, level, is_default, invalidated_at, reasons, text = found.current
    if not _same_moment(handling.rated_at, cur_created):
        current_id, current = current_rating_of(handling.pk)
        return Locked(handling, found.org_path, current_id, current)
    if cur_id is None:
        return Locked(handling, found.org_path, None, None)
    if isinstance(reasons, str):  # SQLite hands JSON back as text
        reasons = json.loads(reasons)
    return Locked(handling, found.org_path, cur_id,
                  current_facts(level, bool(is_default), invalidated_at is not None, reasons, text))


def _same_moment(rated_at: datetime | None, created: Any) -> bool:
    if rated_at is None or created is None:
        return rated_at is None and created is None
    if isinstance(created, str):  # SQLite: extra columns come back unconverted
        created = datetime.fromisoformat(created)
        if created.tzinfo is None:
            created = created.replace(tzinfo=rated_at.tzinfo)
    return bool(rated_at == created)
