"""Concurrent appends keep every chain unbroken, and do not queue behind each other: a
writer whose chain is held by an open transaction appends to another chain."""

from __future__ import annotations

import threading
from collections import defaultdict

import pytest
from django.db import connection, transaction

from haochaping.audit import triggers
from haochaping.audit.models import AuditEvent
from haochaping.audit.selectors import audit_anchors, verify_audit_chain
from haochaping.audit.services import audit_record


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_threads_appending_keep_valid_chains() -> None:
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
    by_chain: dict[int, list[int]] = defaultdict(list)
    for chain, seq in AuditEvent.objects.order_by("chain", "seq").values_list("chain", "seq"):
        by_chain[chain].append(seq)
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in by_chain.values())
    assert {label for label in AuditEvent.objects.values_list("actor_label", flat=True)} == {
        "t0", "t1"}
    assert {a.chain for a in audit_anchors()} == set(by_chain)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_writer_does_not_wait_for_an_open_transaction_holding_a_chain() -> None:
    holding, released = threading.Event(), threading.Event()
    chains: dict[str, int] = {}

    def slow() -> None:
        try:
            with transaction.atomic():
                chains["slow"] = audit_record(action="test.slow", actor_label="slow").chain
                holding.set()
                released.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=slow)
    thread.start()
    assert holding.wait(timeout=30)
    try:
        with transaction.atomic():  # would wait for "slow" behind a single lock
            chains["fast"] = audit_record(action="test.fast", actor_label="fast").chain
    finally:
        released.set()
        thread.join()
    assert chains["slow"] != chains["fast"]
    assert verify_audit_chain().ok


@pytest.mark.django_db(transaction=True)
def test_committed_events_keep_the_triggers_and_survive_the_test_flush() -> None:
    # Runs on SQLite too: the flush that ends a transactional test is a DELETE there,
    # which the triggers refuse unless conftest's ``_records_flushable`` lifts them first.
    audit_record(action="test.committed", actor_label="tester")
    audit_record(action="test.committed", actor_label="tester")
    assert triggers.installed(connection)
    assert verify_audit_chain().checked == 2
