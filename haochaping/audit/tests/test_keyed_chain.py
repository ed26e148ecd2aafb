"""The chain is keyed (issue 17): an attacker who edits a row and recomputes the hashes
without the key is caught by ``audit verify``; rows written before keep verifying; keys
rotate; production refuses to start without a key of its own."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from haochaping.audit import triggers
from haochaping.audit.keys import audit_keys
from haochaping.audit.models import AuditEvent
from haochaping.audit.rules import (
    GENESIS_HASH,
    chain_hash,
    chain_mac,
    parse_audit_keys,
    verify_chain,
)
from haochaping.audit.selectors import verify_audit_chain
from haochaping.audit.services import audit_record, event_content
from haochaping.core.checks import production_secrets

KEY_A = base64.b64encode(b"a" * 32).decode()
KEY_B = base64.b64encode(b"b" * 32).decode()


def _verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit_verify", "--no-anchor-store", stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def _recompute_from(seq: int, digest: object) -> None:
    """What a database owner without the key can do: rewrite row ``seq`` and every row
    after it with hashes computed by ``digest(prev, content, event)`` (triggers lifted)."""
    triggers.remove(connection)
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS_HASH
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        if event.seq == seq:
            event.after = {"n": 300}
        event.prev_hash = prev
        event.hash = digest(prev, event)  # type: ignore[operator]
        event.save()
        prev = event.hash


@pytest.fixture
def five() -> list[AuditEvent]:
    return [audit_record(action="test.action", actor_label="tester", object_id=n,
                         after={"n": n}) for n in range(1, 6)]


# --- rules -------------------------------------------------------------------------------


def test_the_mac_needs_the_key_and_covers_previous_and_content() -> None:
    key = b"k" * 32
    mac = chain_mac(key, GENESIS_HASH, {"x": 1})
    assert mac != chain_hash(GENESIS_HASH, {"x": 1})
    assert mac != chain_mac(b"j" * 32, GENESIS_HASH, {"x": 1})
    assert mac != chain_mac(key, mac, {"x": 1})
    assert mac != chain_mac(key, GENESIS_HASH, {"x": 2})


def test_keys_parse_first_signs_all_verify() -> None:
    keys = parse_audit_keys(f"new:{KEY_B}, old:{KEY_A}")
    assert keys.current == "new"
    assert set(keys.keys) == {"new", "old"}


@pytest.mark.parametrize(("spec", "message"), [
    ("", "holds no key"),
    ("nokey", "<id>:<base64 key>"),
    ("a b:" + KEY_A, "<id>:<base64 key>"),
    ("k:not base64!", "not valid base64"),
    ("k:" + base64.b64encode(b"short").decode(), "shorter than 32 bytes"),
    (f"k:{KEY_A},k:{KEY_B}", "listed twice"),
])
def test_bad_key_specs_are_refused(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_audit_keys(spec)


def test_an_unkeyed_row_after_a_keyed_one_is_a_downgrade() -> None:
    keys = parse_audit_keys(f"k:{KEY_A}")
    old = {"seq": 1, "action": "old"}
    first = chain_hash(GENESIS_HASH, old)
    keyed = {"seq": 2, "key_id": "k", "action": "new"}
    second = chain_mac(keys.keys["k"], first, keyed)
    forged = {"seq": 3, "action": "forged"}
    rows = [(1, GENESIS_HASH, first, old), (2, first, second, keyed),
            (3, second, chain_hash(second, forged), forged)]
    assert verify_chain(rows[:2], keys) == []  # v1 then v2: a log from before the key
    assert [(p.seq, p.kind) for p in verify_chain(rows, keys)] == [(3, "downgraded")]
    assert [p.kind for p in verify_chain(rows[:2])] == ["unknown_key"]  # no key given


# --- the log -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_rewriting_a_row_and_recomputing_the_chain_unkeyed_is_detected(five: list) -> None:
    _recompute_from(3, lambda prev, event: chain_hash(prev, event_content(event)))
    kinds = [(p.seq, p.kind) for p in verify_audit_chain().problems]
    assert kinds[0] == (3, "altered")  # the key id still names the key: the MAC differs
    code, out = _verify()
    assert code == 1
    assert "序号 3\taltered" in out


@pytest.mark.django_db
def test_recomputing_with_the_old_algorithm_and_no_key_id_is_detected(five: list) -> None:
    def unkeyed(prev: str, event: AuditEvent) -> str:
        event.key_id = ""
        return chain_hash(prev, event_content(event))

    _recompute_from(3, unkeyed)
    assert [(p.seq, p.kind) for p in verify_audit_chain().problems] == [
        (3, "downgraded"), (4, "downgraded"), (5, "downgraded")]


@pytest.mark.django_db
def test_recomputing_with_a_guessed_key_is_detected(five: list) -> None:
    _recompute_from(3, lambda prev, event: chain_mac(b"guess" * 8, prev, event_content(event)))
    assert [(p.seq, p.kind) for p in verify_audit_chain().problems] == [
        (3, "altered"), (4, "altered"), (5, "altered")]
    assert _verify()[0] == 1


@pytest.mark.django_db
def test_keys_rotate_old_rows_verify_with_the_retired_key() -> None:
    with override_settings(HCP_AUDIT_KEYS=f"a:{KEY_A}"):
        audit_record(action="test.before", actor_label="t")
    with override_settings(HCP_AUDIT_KEYS=f"b:{KEY_B},a:{KEY_A}"):
        audit_record(action="test.after", actor_label="t")
        assert list(AuditEvent.objects.order_by("seq").values_list("key_id", flat=True)) == [
            "a", "b"]
        assert verify_audit_chain().ok
    with override_settings(HCP_AUDIT_KEYS=f"b:{KEY_B}"):  # the retired key was dropped
        assert [(p.seq, p.kind) for p in verify_audit_chain().problems] == [
            (1, "unknown_key")]


@pytest.mark.django_db
@override_settings(HCP_AUDIT_KEYS="")
def test_nothing_is_written_without_a_key() -> None:
    with pytest.raises(ImproperlyConfigured, match="HCP_AUDIT_KEYS"):
        audit_record(action="test.unkeyed", actor_label="t")
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("keys", ["", "demo:ZGVtby1vbmx5LWF1ZGl0LWNoYWluLWhtYWMta2V5ISE="])
def test_production_refuses_a_missing_or_demo_key(keys: str) -> None:
    with override_settings(HCP_ENV="production", HCP_AUDIT_KEYS=keys):
        assert "haochaping.E007" in {e.id for e in production_secrets(None)}
    with override_settings(HCP_ENV="production", HCP_AUDIT_KEYS=f"prod:{KEY_A}"):
        assert "haochaping.E007" not in {e.id for e in production_secrets(None)}


def test_the_demo_key_is_the_default_outside_production() -> None:
    assert audit_keys().current == "demo"


def test_a_malformed_key_is_a_start_up_error() -> None:
    from haochaping.audit.checks import audit_keys_format

    with override_settings(HCP_AUDIT_KEYS="demo:short"):
        assert [e.id for e in audit_keys_format(None)] == ["haochaping.E008"]
    assert audit_keys_format(None) == []
