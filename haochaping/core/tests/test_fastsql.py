"""core.fastsql.insert_one: one prepared INSERT, optionally with one more write sent along
(a data-modifying CTE on PostgreSQL, a statement before it elsewhere)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from haochaping.catalog.models import Region
from haochaping.core.fastsql import insert_one

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
