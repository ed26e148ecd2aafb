"""Tampering with the audit log is detected by ``audit verify`` (triggers lifted inside
each test, the way a database owner could)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from haochaping.audit import triggers
from haochaping.audit.models import AuditEvent
from haochaping.audit.selectors import audit_anchor, verify_audit_chain
from haochaping.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_events() -> list[AuditEvent]:
    return [audit_record(action="test.action", actor_label="tester", object_type="x",
                         object_id=n, after={"n": n, "名称": "窗口"}) for n in range(1, 6)]


@pytest.fixture
def tamper() -> None:
    """Drop the triggers; the test transaction's rollback restores them."""
    triggers.remove(connection)


def _verify(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit_verify", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def _kinds() -> list[tuple[int, str]]:
    return [(p.seq, p.kind) for p in verify_audit_chain(batch=2).problems]


def test_intact_chain_verifies(five_events: list[AuditEvent]) -> None:
    report = verify_audit_chain(batch=2)
    assert report.ok
    assert (report.checked, report.last_seq, report.last_hash) == (5, 5, five_events[-1].hash)
    code, out = _verify()
    assert code == 0
    assert "已检查 5 条记录" in out
    assert "OK" in out


def test_empty_log_verifies(settings: Any) -> None:
    code, out = _verify()
    assert code == 0
    assert out.splitlines()[-2:] == [f"锚点库 {settings.HCP_AUDIT_ANCHOR_DIR}：尚无锚点",
                                     "已检查 0 条记录。OK"]


@pytest.mark.usefixtures("five_events", "tamper")
def test_altered_row_is_reported() -> None:
    AuditEvent.objects.filter(seq=3).update(after={"n": 300, "名称": "窗口"})
    assert _kinds() == [(3, "altered")]
    code, out = _verify()
    assert code == 1
    assert "序号 3\taltered\t记录内容与摘要不一致（被篡改）" in out


@pytest.mark.usefixtures("five_events", "tamper")
def test_altered_row_with_recomputed_hash_breaks_the_next_link() -> None:
    from haochaping.audit.rules import chain_hash
    from haochaping.audit.services import event_content

    event = AuditEvent.objects.get(seq=3)
    event.after = {"n": 300}
    new_hash = chain_hash(event.prev_hash, event_content(event))
    AuditEvent.objects.filter(seq=3).update(after={"n": 300}, hash=new_hash)
    # Without the key the new hash is no MAC of the row, and the next row no longer links.
    assert _kinds() == [(3, "altered"), (4, "relinked")]


@pytest.mark.usefixtures("five_events", "tamper")
def test_deleted_middle_row_is_reported_missing() -> None:
    AuditEvent.objects.filter(seq=3).delete()
    assert _kinds() == [(3, "missing"), (4, "relinked")]
    code, out = _verify()
    assert code == 1
    assert "序号 3\tmissing\t序号 3–3 的记录缺失" in out


@pytest.mark.usefixtures("tamper")
def test_deleted_tail_needs_an_anchor(five_events: list[AuditEvent]) -> None:
    anchor = audit_anchor()
    assert anchor is not None
    assert (anchor.seq, anchor.hash) == (5, five_events[-1].hash)
    AuditEvent.objects.filter(seq__gte=4).delete()

    # The shorter chain is still a valid chain: without an anchor nothing shows.
    assert _verify()[0] == 0

    code, out = _verify("--expect-seq", "5", "--expect-hash", anchor.hash)
    assert code == 1
    assert "序号 5\ttruncated\t" in out
    assert "当前最后序号为 3" in out


@pytest.mark.usefixtures("tamper")
def test_rewritten_anchor_row_is_reported(five_events: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(seq=5).update(hash="f" * 64)
    code, out = _verify("--expect-seq", "5", "--expect-hash", five_events[-1].hash)
    assert code == 1
    assert "序号 5\tanchor_mismatch\t" in out


def test_matching_anchor_verifies(five_events: list[AuditEvent]) -> None:
    code, out = _verify("--expect-seq", "3", "--expect-hash", five_events[2].hash)
    assert code == 0
    assert "与锚点一致" in out


@pytest.mark.parametrize("args", [
    ["--expect-seq", "5"],
    ["--expect-hash", "a" * 64],
    ["--expect-seq", "5", "--expect-hash", "not-a-hash"],
    ["--batch", "0"],
])
def test_bad_options_are_refused(args: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("audit_verify", *args, stdout=StringIO())
    assert AuditEvent.objects.count() == 0


def test_anchor_command_prints_the_head(five_events: list[AuditEvent]) -> None:
    out = StringIO()
    call_command("audit_anchor", stdout=out)
    assert f"seq=5 hash={five_events[-1].hash}" in out.getvalue()
    assert f"--expect-seq 5 --expect-hash {five_events[-1].hash}" in out.getvalue()


def test_anchor_of_an_empty_log() -> None:
    out = StringIO()
    call_command("audit_anchor", stdout=out)
    assert out.getvalue().strip() == "审计日志为空"
    assert audit_anchor() is None
