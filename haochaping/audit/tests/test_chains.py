"""Several chains (issue 12): each verifies on its own, tampering inside any of them is
reported with its chain, and a log written before chains existed verifies after the
migration with new rows appended (triggers lifted inside tampering tests, the way a
database owner could)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from haochaping.audit import triggers
from haochaping.audit.models import AuditEvent
from haochaping.audit.rules import GENESIS_HASH, chain_hash
from haochaping.audit.selectors import verify_audit_chain
from haochaping.audit.services import AuditHeadLock, audit_record


def _on_chain(monkeypatch: Any, chain: int, count: int) -> None:
    monkeypatch.setattr(AuditHeadLock, "acquire", classmethod(lambda cls: chain))
    for n in range(count):
        audit_record(action="test.chain", actor_label=f"c{chain}", object_id=n)


@pytest.fixture
def two_chains(db: Any, monkeypatch: Any) -> None:
    _on_chain(monkeypatch, 0, 3)
    _on_chain(monkeypatch, 5, 4)
    monkeypatch.undo()


def _kinds() -> list[tuple[int, int, str]]:
    return [(p.chain, p.seq, p.kind) for p in verify_audit_chain(batch=2).problems]


@pytest.mark.usefixtures("two_chains")
def test_each_chain_counts_from_one_and_verifies() -> None:
    assert list(AuditEvent.objects.order_by("chain", "seq").values_list("chain", "seq")) == [
        (0, 1), (0, 2), (0, 3), (5, 1), (5, 2), (5, 3), (5, 4)]
    report = verify_audit_chain(batch=2)
    assert report.ok
    assert report.heads.keys() == {0, 5}
    assert (report.last_seq, report.checked) == (3, 7)


@pytest.mark.usefixtures("two_chains")
def test_edited_deleted_reordered_and_moved_rows_are_reported() -> None:
    triggers.remove(connection)
    AuditEvent.objects.filter(chain=5, seq=2).update(after={"n": 1})
    assert _kinds() == [(5, 2, "altered")]
    AuditEvent.objects.filter(chain=5, seq=2).delete()
    assert _kinds() == [(5, 2, "missing"), (5, 3, "relinked")]
    # reorder: swap the places of chain 0's rows 1 and 2
    AuditEvent.objects.filter(chain=0, seq=1).update(seq=-1)
    AuditEvent.objects.filter(chain=0, seq=2).update(seq=1)
    AuditEvent.objects.filter(chain=0, seq=-1).update(seq=2)
    assert {(c, k) for c, _, k in _kinds() if c == 0} >= {(0, "relinked"), (0, "altered")}


@pytest.mark.usefixtures("two_chains")
def test_a_row_moved_to_another_chain_is_reported() -> None:
    triggers.remove(connection)
    AuditEvent.objects.filter(chain=5, seq=4).update(chain=0, seq=4)
    assert (0, 4, "altered") in _kinds()


@pytest.mark.usefixtures("two_chains")
def test_anchors_of_every_chain_catch_a_truncated_tail() -> None:
    heads = verify_audit_chain().heads
    triggers.remove(connection)
    AuditEvent.objects.filter(chain=5, seq=4).delete()
    assert verify_audit_chain().ok  # a shorter chain is still a chain
    report = verify_audit_chain(expect_chains=heads)
    assert [(p.chain, p.kind) for p in report.problems] == [(5, "truncated")]


@pytest.mark.django_db(transaction=True)
def test_a_log_written_before_chains_verifies_after_the_migration() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0002_append_only_triggers")])
    try:
        prev = GENESIS_HASH
        with connection.cursor() as cursor:
            for seq in (1, 2, 3):  # as the former audit_record wrote them
                content = {"seq": seq, "at": f"2026-11-0{seq}T02:00:00+00:00",
                           "actor_id": None, "actor_label": "system", "action": "old.write",
                           "object_type": "", "object_id": str(seq), "before": None,
                           "after": {"n": seq}, "ip": None}
                digest = chain_hash(prev, content)
                cursor.execute(
                    "INSERT INTO audit_auditevent (seq, at, actor_id, actor_label, action, "
                    "object_type, object_id, before, after, ip, prev_hash, hash) VALUES "
                    "(%s, %s, NULL, 'system', 'old.write', '', %s, NULL, %s, NULL, %s, %s)",
                    [seq, content["at"], str(seq), f'{{"n": {seq}}}', prev, digest])
                prev = digest
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert triggers.installed(connection)
    audit_record(action="new.write", actor_label="tester")
    report = verify_audit_chain()
    assert report.ok, report.problems
    assert (report.checked, report.last_seq) == (4, 4)
