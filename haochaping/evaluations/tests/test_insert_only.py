"""Ratings are insert-only in the database itself (issue 17, evaluations.guards): no
UPDATE of their content, no DELETE, no TRUNCATE, whoever sends it; the two lifecycle
markers change once each, one way, and the services that set them still work."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.models import PolicyOverride
from haochaping.catalog.rules.standards import Channel
from haochaping.core import records
from haochaping.evaluations.guards import EVALUATION_GUARD
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_invalidate, evaluation_submit

BAD = RatingInput(1, reason_codes=["108"], text="多次被要求补充材料")
GOOD = RatingInput(5, {"overall": 5}, ["510"])


@pytest.fixture
def rating(world: SimpleNamespace) -> Evaluation:
    [row] = evaluation_submit(handling=world.handling(), rating=BAD, channel=Channel.WEB)
    return row


def _stored(row: Evaluation) -> tuple[object, ...]:
    return tuple(Evaluation.objects.filter(pk=row.pk).values_list(
        "level", "text", "org_id", "is_current", "superseded_at", "invalidated_at",
        "invalid_reason").get())


def _refused(row: Evaluation, sql: str, params: list[object], match: str) -> None:
    before = _stored(row)
    with pytest.raises(DatabaseError, match=match), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql, params)
    assert _stored(row) == before


@pytest.mark.django_db
def test_migration_installed_the_guard() -> None:
    assert records.installed(connection, EVALUATION_GUARD)
    assert EVALUATION_GUARD in records.insert_only_tables()


@pytest.mark.parametrize(("sql", "params"), [
    ("UPDATE evaluations_evaluation SET level = 5 WHERE id = %s", []),
    ("UPDATE evaluations_evaluation SET text = '改过的' WHERE id = %s", []),
    ("UPDATE evaluations_evaluation SET org_id = org_id + 0, created_at = %s WHERE id = %s",
     ["2020-01-01T00:00:00+00:00"]),
])
@pytest.mark.django_db
def test_the_content_of_a_rating_cannot_be_updated(rating: Evaluation, sql: str,
                                                   params: list[object]) -> None:
    _refused(rating, sql, [*params, rating.pk], "only is_current, superseded_at, "
             "invalidated_at, invalid_reason may change")
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
        Evaluation.objects.filter(pk=rating.pk).update(level=5)
    rating.level = 5
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
        rating.save()


@pytest.mark.django_db
def test_a_rating_cannot_be_deleted(rating: Evaluation) -> None:
    _refused(rating, "DELETE FROM evaluations_evaluation WHERE id = %s", [rating.pk],
             "DELETE refused")
    with pytest.raises(DatabaseError, match="DELETE refused"), transaction.atomic():
        Evaluation.objects.filter(pk=rating.pk).delete()
    assert Evaluation.objects.filter(pk=rating.pk).exists()


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_ratings_table_cannot_be_truncated(rating: Evaluation) -> None:
    with connection.cursor() as cursor:  # check this transaction's deferred foreign keys
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # now, or TRUNCATE refuses anyway
    _refused(rating, "TRUNCATE evaluations_evaluation CASCADE", [], "TRUNCATE refused")


NOW = timezone.now()


@pytest.mark.parametrize(("column", "value", "match"), [
    ("is_current", False, "superseding sets superseded_at"),
    ("superseded_at", NOW, "superseded_at is set only when superseding"),
    ("invalid_reason", "理由", "invalid_reason is set only when invalidating"),
    ("invalidated_at", NOW, "an invalidation states its reason"),
])
@pytest.mark.django_db
def test_a_marker_changes_only_as_its_service_sets_it(rating: Evaluation, column: str,
                                                      value: object, match: str) -> None:
    _refused(rating, f"UPDATE evaluations_evaluation SET {column} = %s WHERE id = %s",
             [value, rating.pk], match)


@pytest.mark.django_db
def test_markers_are_one_way(world: SimpleNamespace) -> None:
    PolicyOverride.objects.create(org=None, key="multiple_ratings", value="latest_wins")
    h = world.handling()
    [first] = evaluation_submit(handling=h, rating=BAD, channel=Channel.WEB)
    [second] = evaluation_submit(handling=h, rating=GOOD, channel=Channel.APP)  # supersedes
    first.refresh_from_db()
    assert (first.is_current, first.superseded_at) == (False, second.created_at)
    evaluation_invalidate(actor=actor_for_user(world.people.supervisor), evaluation=first,
                          reason="经核实为恶意差评")
    first.refresh_from_db()
    assert first.invalidated_at is not None
    for sql, match in [
        ("UPDATE evaluations_evaluation SET is_current = true, superseded_at = NULL "
         "WHERE id = %s", "cannot become current"),
        ("UPDATE evaluations_evaluation SET superseded_at = created_at WHERE id = %s",
         "superseded_at is set once"),
        ("UPDATE evaluations_evaluation SET invalidated_at = NULL, invalid_reason = '' "
         "WHERE id = %s", "an invalidation is set once"),
        ("UPDATE evaluations_evaluation SET invalid_reason = '另一个理由' WHERE id = %s",
         "an invalidation is set once"),
    ]:
        _refused(first, sql, [first.pk], match)
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
        Evaluation.objects.filter(pk=first.pk).update(is_current=True, superseded_at=None)


@pytest.mark.django_db
def test_the_services_still_set_the_markers(world: SimpleNamespace) -> None:
    PolicyOverride.objects.create(org=None, key="multiple_ratings", value="latest_wins")
    h = world.handling()
    [first] = evaluation_submit(handling=h, rating=BAD, channel=Channel.WEB)
    [second] = evaluation_submit(handling=h, rating=BAD, channel=Channel.APP)
    evaluation_invalidate(actor=actor_for_user(world.people.supervisor), evaluation=second,
                          reason="经核实为恶意差评", now=timezone.now())
    rows = {r.pk: r for r in Evaluation.objects.filter(handling=h)}
    assert not rows[first.pk].is_current
    assert rows[first.pk].superseded_at == second.created_at
    assert rows[second.pk].is_current
    assert rows[second.pk].invalid_reason == "经核实为恶意差评"


def test_the_sqlite_guard_names_every_column_but_the_markers() -> None:
    # PostgreSQL compares the whole row but the markers (to_jsonb); SQLite lists the
    # columns, read from the table each time the guard is installed (every migrate).
    columns = [f.column for f in Evaluation._meta.concrete_fields]
    [*_, update, _] = records._sqlite_install(EVALUATION_GUARD, columns)
    for column in columns:
        assert (f"OLD.{column} IS NOT NEW.{column}" in update) == (
            column not in EVALUATION_GUARD.markers), column
