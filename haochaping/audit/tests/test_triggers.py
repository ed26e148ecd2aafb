"""The database refuses UPDATE and DELETE on the audit log (migration audit 0002)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from haochaping.audit import triggers
from haochaping.audit.models import AuditEvent
from haochaping.audit.services import audit_record
from haochaping.core import records

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    audit_record(action="test.first", actor_label="tester", after={"n": 1})
    return audit_record(action="test.second", actor_label="tester", after={"n": 2})


def _unchanged(event: AuditEvent) -> None:
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.after, stored.hash) == (event.action, event.after, event.hash)
    assert AuditEvent.objects.count() == 2


def test_migration_installed_the_triggers() -> None:
    assert triggers.installed(connection)


def test_orm_save_is_refused(event: AuditEvent) -> None:
    event.action = "test.rewritten"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.save()
    event.action = "test.second"
    _unchanged(event)


def test_orm_queryset_update_is_refused(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(after={"n": 99})
    _unchanged(event)


def test_orm_delete_is_refused(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.delete()
    _unchanged(event)


@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditevent SET action = 'x' WHERE id = %s",
    "DELETE FROM audit_auditevent WHERE id = %s",
])
def test_raw_sql_is_refused(event: AuditEvent, sql: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    _unchanged(event)


def test_inserting_still_works(event: AuditEvent) -> None:
    audit_record(action="test.third", actor_label="tester")
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2, 3]


@pytest.mark.postgres
def test_truncate_is_refused(event: AuditEvent) -> None:
    # TRUNCATE fires no row trigger: a statement trigger of the guard refuses it (issue 17).
    assert records.installed(connection, triggers.GUARD)
    with pytest.raises(DatabaseError, match="insert-only: TRUNCATE refused"), \
            transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")
    _unchanged(event)
