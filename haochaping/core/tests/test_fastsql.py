"""core.fastsql: insert_one, one INSERT built once per model, optionally with one more
write sent along (a data-modifying CTE on PostgreSQL, a statement before it elsewhere);
run, a hot-path statement (server-side prepared on PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from haochaping.catalog.models import Region
from haochaping.core.fastsql import insert_one, run

pytestmark = pytest.mark.django_db


def _region(code: str, name: str) -> Region:
    return Region(code=code, name=name, level="city", path=f"/{code}/")


def test_insert_one_sets_the_primary_key_and_saves_every_field() -> None:
    row = _region("410700000000", "新乡市")
    insert_one(row)
    assert row.pk is not None
    assert not row._state.adding
    stored = Region.objects.get(pk=row.pk)
    assert (stored.code, stored.name, stored.level, stored.path) == (
        "410700000000", "新乡市", "city", "/410700000000/")


def test_the_write_sent_along_happens_with_the_insert() -> None:
    first = _region("410700000000", "新乡市")
    insert_one(first)
    second = _region("410702000000", "红旗区")
    insert_one(second, along=("UPDATE catalog_region SET name = %s WHERE id = %s",
                              ["新乡市（改）", first.pk]))
    assert Region.objects.get(pk=first.pk).name == "新乡市（改）"
    assert Region.objects.filter(pk=second.pk).exists()


def test_a_failing_insert_undoes_the_write_sent_along() -> None:
    first = _region("410700000000", "新乡市")
    insert_one(first)
    duplicate = _region("410700000000", "重复")
    with pytest.raises(DatabaseError), transaction.atomic():
        insert_one(duplicate, along=("UPDATE catalog_region SET name = %s WHERE id = %s",
                                     ["不应保存", first.pk]))
    assert Region.objects.get(pk=first.pk).name == "新乡市"
    assert Region.objects.count() == 1


def test_run_answers_rows_and_raises_djangos_errors() -> None:
    insert_one(_region("410700000000", "新乡市"))
    assert run("SELECT name FROM catalog_region WHERE code = %s", ["410700000000"]) == [
        ("新乡市",)]
    assert run("UPDATE catalog_region SET name = %s WHERE code = %s", ["新乡", "x"]) == []
    with pytest.raises(IntegrityError), transaction.atomic():
        run("INSERT INTO catalog_region (code, name, level, path) VALUES (%s, %s, %s, %s)",
            ["410700000000", "重复", "city", "/x/"])
    assert Region.objects.count() == 1


@pytest.mark.postgres  # PostgreSQL prepared statements
@pytest.mark.parametrize("prepare", [True, False])
def test_hot_statements_are_prepared_on_postgresql(prepare: bool, settings: Any) -> None:
    settings.HCP_DB_PREPARE = prepare
    sql = f"SELECT count(*) AS prepared_{prepare} FROM catalog_region WHERE code <> %s"
    assert run(sql, ["-"]) == [(0,)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                       [f"%prepared_{prepare} FROM catalog_region WHERE code <> $1"])
        assert cursor.fetchone()[0] == (1 if prepare else 0)
