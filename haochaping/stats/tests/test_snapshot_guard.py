"""A published ranking snapshot is never updated, deleted or emptied (issue 17,
stats.guards): the database refuses it, whoever sends it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from haochaping.core import records
from haochaping.stats.guards import SNAPSHOT_GUARD
from haochaping.stats.models import RankingSnapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot() -> RankingSnapshot:
    row = RankingSnapshot(period="month", start=date(2026, 9, 1), level="org",
                          generated_at=timezone.now(), generated_by="test",
                          content="{}", sha256="0" * 64)
    row.save()
    return row


def _refused(sql: str, params: list[object], match: str) -> None:
    with pytest.raises(DatabaseError, match=match), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql, params)
    assert RankingSnapshot.objects.count() == 1


def test_the_guard_is_installed() -> None:
    assert records.installed(connection, SNAPSHOT_GUARD)
    assert SNAPSHOT_GUARD in records.insert_only_tables()


def test_a_snapshot_cannot_be_updated_or_deleted(snapshot: RankingSnapshot) -> None:
    _refused("UPDATE stats_rankingsnapshot SET content = '[]' WHERE id = %s", [snapshot.pk],
             "stats_rankingsnapshot is")
    _refused("DELETE FROM stats_rankingsnapshot WHERE id = %s", [snapshot.pk],
             "insert-only: DELETE refused")
    with pytest.raises(DatabaseError, match="DELETE refused"), transaction.atomic():
        snapshot.delete()
    assert RankingSnapshot.objects.get().content == "{}"


@pytest.mark.postgres
def test_the_snapshots_cannot_be_truncated(snapshot: RankingSnapshot) -> None:
    _refused("TRUNCATE stats_rankingsnapshot", [], "insert-only: TRUNCATE refused")
