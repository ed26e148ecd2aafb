from __future__ import annotations

import pytest

from haochaping.audit.keys import audit_keys
from haochaping.audit.models import AuditEvent
from haochaping.audit.rules import GENESIS_HASH, chain_hash, verify_chain
from haochaping.audit.services import audit_record, event_content


def _rows() -> list[tuple[int, str, str, dict[str, object]]]:
    return [(e.seq, e.prev_hash, e.hash, event_content(e)) for e in AuditEvent.objects.all()]


def test_chain_hash_depends_on_previous_and_content() -> None:
    a = chain_hash(GENESIS_HASH, {"x": 1})
    assert a != chain_hash(GENESIS_HASH, {"x": 2})
    assert a != chain_hash(a, {"x": 1})
    assert chain_hash(GENESIS_HASH, {"b": 1, "a": "办件"}) == chain_hash(
        GENESIS_HASH, {"a": "办件", "b": 1})


@pytest.mark.django_db
def test_records_link_and_verify_clean() -> None:
    for n in range(3):
        audit_record(action="test.action", actor_label="tester", object_type="x",
                     object_id=n, before={"n": n}, after={"n": n + 1, "名称": "窗口"})
    events = list(AuditEvent.objects.all())
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert {e.key_id for e in events} == {"demo"}  # keyed with the demo key (settings)
    assert verify_chain(_rows(), audit_keys()) == []
