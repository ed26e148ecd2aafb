"""Concurrent appends keep one unbroken chain (the advisory lock in ``audit_record``)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from haochaping.audit import triggers
from haochaping.audit.models import AuditEvent
from haochaping.audit.selectors import verify_audit_chain
from haochaping.audit.services import audit_record


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_threads_appending_keep_a_valid_chain() -> None:
    per_thread = 25
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def append(name: str) -> None:
        try:
            start.wait()
            for n in range(per_thread):
                audit_record(action="test.concurrent", actor_label=name, object_id=n)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(f"t{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    report = verify_audit_chain(batch=10)
    assert report.problems == []
    assert report.checked == 2 * per_thread
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(
        range(1, 2 * per_thread + 1))
    assert {label for label in AuditEvent.objects.values_list("actor_label", flat=True)} == {
        "t0", "t1"}


@pytest.mark.django_db(transaction=True)
def test_committed_events_keep_the_triggers_and_survive_the_test_flush() -> None:
    # Runs on SQLite too: the flush that ends a transactional test is a DELETE there,
    # which the triggers refuse unless conftest's ``_audit_log_flushable`` empties first.
    audit_record(action="test.committed", actor_label="tester")
    audit_record(action="test.committed", actor_label="tester")
    assert triggers.installed(connection)
    assert verify_audit_chain().checked == 2
