"""Anchors outside the database (issue 17): the job writes signed anchors of the chain
heads to the anchor store, ``audit verify`` checks them and the log against the latest,
so a truncated or rewritten tail before the last anchor is detected."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from haochaping.audit import anchor_rules, triggers
from haochaping.audit.anchor_store import (
    AnchorExists,
    AnchorStore,
    FileAnchorStore,
    anchor_store,
)
from haochaping.audit.anchoring import anchor_store_check, audit_anchor_write
from haochaping.audit.models import AuditEvent
from haochaping.audit.rules import parse_audit_keys
from haochaping.audit.services import AuditHeadLock, audit_record
from haochaping.core.engine.worker import run_due
from haochaping.core.jobs import JOBS

JOB = next(job for job in JOBS if job.name == "audit.anchor")
NOW = datetime.fromisoformat("2026-11-23T02:00:00+00:00")
KEYS = parse_audit_keys("k:" + "a" * 44)
HEADS = {0: (5, "a" * 64), 3: (2, "b" * 64)}


def _verify(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit_verify", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def _append(count: int, chain: int = 0, monkeypatch: Any = None) -> None:
    if monkeypatch is not None:
        monkeypatch.setattr(AuditHeadLock, "acquire", classmethod(lambda cls: chain))
    for n in range(count):
        audit_record(action="test.anchor", actor_label=f"c{chain}", object_id=n)


def _files(*heads: dict[int, tuple[int, str]]) -> list[tuple[str, bytes]]:
    files: list[tuple[str, bytes]] = []
    for at, head in enumerate(heads):
        planned = anchor_rules.next_anchor(KEYS, files[-1][1] if files else None, head,
                                           f"2026-11-23T0{at}:00:00+00:00")
        assert planned is not None
        files.append((f"anchor-{planned[0]:010d}.json", planned[1]))
    return files


def _kinds(files: list[tuple[str, bytes]]) -> list[tuple[str, str]]:
    return [(p.anchor, p.kind) for p in anchor_rules.check_anchor_files(files, KEYS)[2]]


# --- rules -------------------------------------------------------------------------------


def test_anchors_chain_and_verify() -> None:
    files = _files(HEADS, {0: (6, "c" * 64), 3: (2, "b" * 64)})
    latest, count, problems = anchor_rules.check_anchor_files(files, KEYS)
    assert (count, problems) == (2, [])
    assert latest is not None
    assert (latest.number, latest.heads[0]) == (2, (6, "c" * 64))
    assert anchor_rules.next_anchor(KEYS, files[-1][1], latest.heads, "later") is None


def test_a_forged_changed_or_unknown_key_anchor_is_reported() -> None:
    files = _files(HEADS, {0: (6, "c" * 64), 3: (2, "b" * 64)})
    forged = files[1][1].replace(b"[6,", b"[9,")
    assert _kinds([files[0], (files[1][0], forged)])[0] == (files[1][0], "anchor_invalid")
    assert _kinds([(files[0][0], b"{not json")])[0] == (files[0][0], "anchor_invalid")
    other = parse_audit_keys("x:" + "b" * 44)
    latest, _, problems = anchor_rules.check_anchor_files(files, other)
    assert latest is None
    assert {p.kind for p in problems} == {"anchor_invalid"}


def test_a_removed_or_reordered_anchor_is_reported() -> None:
    files = _files({0: (5, "a" * 64)}, {0: (6, "c" * 64)}, {0: (7, "d" * 64)})
    assert _kinds([files[0], files[2]]) == [(files[2][0], "anchor_broken")]
    assert _kinds(files[1:]) == [(files[1][0], "anchor_broken")]  # the first is gone


def test_a_head_going_back_is_reported() -> None:
    files = _files(HEADS, {0: (4, "c" * 64), 3: (2, "b" * 64)})
    assert _kinds(files) == [(files[1][0], "anchor_broken")]


# --- the file store ----------------------------------------------------------------------


def test_the_file_store_never_replaces_an_anchor(tmp_path: Path) -> None:
    store = FileAnchorStore(tmp_path / "anchors")
    assert store.names() == []
    assert store.latest() is None
    assert store.append(1, b"one") == "anchor-0000000001.json"
    store.append(2, b"two")
    with pytest.raises(AnchorExists):
        store.append(2, b"other")
    assert [data for _, data in store.all()] == [b"one", b"two"]
    assert store.latest() == ("anchor-0000000002.json", b"two")
    mode = os.stat(tmp_path / "anchors" / "anchor-0000000001.json").st_mode
    assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)  # read-only files
    assert sorted(os.listdir(tmp_path / "anchors")) == store.names()  # no leftovers


class MemoryStore(AnchorStore):
    """A store as an upstream platform's adapter would be: named by its dotted path."""

    kept: dict[str, bytes] = {}

    @property
    def location(self) -> str:
        return "memory:"

    def append(self, number: int, data: bytes) -> str:
        name = f"anchor-{number:010d}.json"
        if name in self.kept:
            raise AnchorExists(name)
        self.kept[name] = data
        return name

    def names(self) -> list[str]:
        return sorted(self.kept)

    def read(self, name: str) -> bytes:
        return self.kept[name]


@pytest.mark.django_db
def test_the_store_is_pluggable(settings: Any) -> None:
    settings.HCP_AUDIT_ANCHOR_STORE = f"{__name__}.MemoryStore"
    MemoryStore.kept = {}
    _append(2)
    written = audit_anchor_write(now=NOW)
    assert written is not None
    assert (written.location, list(MemoryStore.kept)) == ("memory:", [written.name])
    assert anchor_store_check().latest == written.doc
    settings.HCP_AUDIT_ANCHOR_STORE = "haochaping.audit.models.AuditEvent"
    with pytest.raises(ImproperlyConfigured, match="not an AnchorStore"):
        anchor_store()


# --- the job and verify -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_periodic_job_anchors_every_chain_when_the_log_grew(monkeypatch: Any) -> None:
    def run(minutes: int) -> dict[str, str]:
        return run_due(NOW + timedelta(seconds=minutes * 60), (JOB,))

    assert JOB.every_seconds == 600
    assert run(0) == {JOB.name: "unchanged"}  # an empty log
    _append(3, chain=0, monkeypatch=monkeypatch)
    _append(2, chain=4, monkeypatch=monkeypatch)
    assert run(5) == {}  # not due yet
    assert run(10) == {JOB.name: "anchor-0000000001.json: 2 chains"}
    latest = anchor_store_check().latest
    assert latest is not None
    assert {c: s for c, (s, _) in latest.heads.items()} == {0: 3, 4: 2}
    assert run(20) == {JOB.name: "unchanged"}
    _append(1, chain=0, monkeypatch=monkeypatch)
    assert run(30) == {JOB.name: "anchor-0000000002.json: 2 chains"}
    assert anchor_store_check().problems == []


@pytest.mark.django_db
def test_verify_checks_the_log_against_the_latest_anchor(settings: Any) -> None:
    _append(4)
    out = StringIO()
    call_command("audit_anchor", stdout=out)
    assert f"已写入锚点库：{settings.HCP_AUDIT_ANCHOR_DIR}/anchor-0000000001.json" in (
        out.getvalue())
    _append(1)  # rows after the anchor are fine
    code, text = _verify()
    assert code == 0
    assert "1 个锚点，以第 1 个" in text
    assert "与锚点一致。OK" in text


@pytest.mark.django_db
def test_deleting_the_newest_rows_is_detected(monkeypatch: Any) -> None:
    _append(4)
    _append(3, chain=2, monkeypatch=monkeypatch)
    assert audit_anchor_write(now=NOW) is not None
    triggers.remove(connection)  # as the table's owner could
    AuditEvent.objects.filter(chain=2, seq__gte=2).delete()
    assert _verify("--no-anchor-store")[0] == 0  # the shorter chain is still a chain
    code, text = _verify()
    assert code == 1
    assert "链 2 序号 3\ttruncated\t锚点序号 3 的记录不存在（当前最后序号为 1）" in text


@pytest.mark.django_db
def test_emptying_the_log_is_detected(monkeypatch: Any) -> None:
    _append(2)
    _append(2, chain=1, monkeypatch=monkeypatch)
    assert audit_anchor_write(now=NOW) is not None
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    code, text = _verify()
    assert code == 1
    assert "序号 2\ttruncated\t锚点序号 2 的记录不存在（日志为空）" in text
    assert "链 1 序号 2\ttruncated" in text


@pytest.mark.django_db
def test_a_rewritten_log_before_the_anchor_is_detected() -> None:
    _append(3)
    assert audit_anchor_write(now=NOW) is not None
    triggers.remove(connection)
    AuditEvent.objects.filter(seq=3).update(hash="f" * 64)
    code, text = _verify()
    assert code == 1
    assert "序号 3\tanchor_mismatch\t" in text


@pytest.mark.django_db
def test_a_tampered_anchor_file_fails_verify(settings: Any) -> None:
    _append(2)
    written = audit_anchor_write(now=NOW)
    assert written is not None
    path = Path(settings.HCP_AUDIT_ANCHOR_DIR) / written.name
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b'"0":[2,', b'"0":[1,'))
    code, text = _verify()
    assert code == 1
    assert f"锚点 {written.name}\tanchor_invalid\t锚点签名不符" in text


@pytest.mark.django_db
def test_verify_against_an_older_anchor() -> None:
    _append(2)
    assert audit_anchor_write(now=NOW) is not None
    _append(2)
    assert audit_anchor_write(now=NOW) is not None
    triggers.remove(connection)  # as if restored from a backup taken at the first anchor
    AuditEvent.objects.filter(seq__gte=3).delete()
    assert _verify()[0] == 1
    code, text = _verify("--anchor", "1")
    assert code == 0
    assert "1 个锚点，以第 1 个" in text  # the later one is not read
    code, text = _verify("--anchor", "3")
    assert code == 1
    assert "锚点 #3\tanchor_invalid\t没有签名正确的第 3 个锚点" in text


@pytest.mark.django_db
def test_an_empty_anchor_store_is_a_warning_or_with_require_anchors_a_failure() -> None:
    _append(1)
    code, text = _verify()
    assert code == 0
    assert "警告：日志有记录而锚点库为空" in text
    code, text = _verify("--require-anchors")
    assert code == 1
    assert "anchor_missing" in text
