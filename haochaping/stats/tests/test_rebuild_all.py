"""The full rebuild (stats.rollup.rebuild_all): on PostgreSQL a bulk load that drops and
re-creates the rollup indexes, so it must leave every index and constraint as the
migrations made it, and leave nothing changed when it fails."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from haochaping.stats import rollup
from haochaping.stats.models import EvaluationRollup, OrgDayRollup
from haochaping.stats.rollup import coarse as coarse_tables
from haochaping.stats.tests.test_rollup_equals_raw import (
    Simulation,
    coarse_of,
    coarse_stored,
    raw,
    snapshot,
)

TABLES = [m._meta.db_table for m in [*rollup.SOURCES, *rollup.COARSE]]


def _schema() -> list[tuple[str, ...]]:
    """Every index and constraint of the rollup tables, with its definition."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename = ANY(%s) ORDER BY 1, 2", [TABLES])
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [TABLES])
        return [*indexes, *cursor.fetchall()]


def test_rebuild_all_equals_raw_recomputation(simulated: Simulation) -> None:
    expected = raw()
    EvaluationRollup.objects.update(level_5=999)  # whatever is stored is replaced
    days = rollup.rebuild_all()
    assert days >= 1
    assert snapshot() == expected
    assert coarse_stored() == coarse_of(expected)


@pytest.mark.django_db
def test_rebuild_all_without_raw_rows_empties_the_rollups() -> None:
    OrgDayRollup.objects.create(day="2026-01-05", org_id=1, level_5=3)
    assert rollup.rebuild_all() == 0
    assert not OrgDayRollup.objects.exists()


@pytest.mark.postgres  # the PostgreSQL bulk path
def test_rebuild_all_keeps_every_index_and_constraint(simulated: Simulation) -> None:
    before = _schema()
    assert any("UNIQUE NULLS NOT DISTINCT" in str(row) for row in before)
    rollup.rebuild_all()
    assert _schema() == before
    row = EvaluationRollup.objects.order_by("pk").first()
    assert row is not None
    duplicate = {f.attname: getattr(row, f.attname) for f in EvaluationRollup._meta.concrete_fields
                 if not f.primary_key}
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationRollup.objects.create(**duplicate)  # the unique grain is enforced again


@pytest.mark.postgres  # the PostgreSQL bulk path
def test_failed_rebuild_all_changes_nothing(simulated: Simulation, monkeypatch: Any) -> None:
    before, stored, coarse = _schema(), snapshot(), coarse_stored()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(coarse_tables, "derive", broken)
    with pytest.raises(RuntimeError):
        rollup.rebuild_all()
    assert _schema() == before
    assert snapshot() == stored
    assert coarse_stored() == coarse
