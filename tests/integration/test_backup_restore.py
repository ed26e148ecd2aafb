"""``haochaping db backup`` / ``db restore`` (issue 17, PostgreSQL): a backup restored
into a fresh database passes ``audit verify`` against the anchor taken before it and holds
every rating acknowledged before the backup; rows written after it are reported missing
against the later anchor, not silently lost."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from haochaping.audit.anchoring import audit_anchor_write
from haochaping.audit.services import audit_record
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
GOOD = RatingInput(5, {"overall": 5}, ["510"])


@pytest.fixture
def fresh_db() -> Iterator[SimpleNamespace]:
    cfg = settings.DATABASES["default"]
    name = f"hcp_restore_{uuid.uuid4().hex[:8]}"
    server: dict[str, Any] = dict(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432,
                                  user=cfg["USER"] or None)
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    user = f"{server['user']}@" if server["user"] else ""
    url = f"postgres://{user}{server['host']}:{server['port']}/{name}"

    def query(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(dbname=name, **server) as conn:
            return conn.execute(sql.encode()).fetchall()

    try:
        yield SimpleNamespace(url=url, query=query)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _verify(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "haochaping.settings",
           "HCP_AUDIT_ANCHOR_DIR": str(settings.HCP_AUDIT_ANCHOR_DIR), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "haochaping.cli", "audit", "verify", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_a_restored_backup_verifies_and_holds_every_rating(
        locality: SimpleNamespace, fresh_db: SimpleNamespace, tmp_path: Path) -> None:
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    rater = ef.make_rater()

    def rate() -> Evaluation:
        handling = ef.make_handling(locality, client=source, rater=rater)
        [row] = evaluation_submit(handling=handling, rating=GOOD, channel=Channel.WEB)
        return row

    before = {str(rate().public_id) for _ in range(5)}
    audit_record(action="test.before_backup", actor_label="t")
    assert audit_anchor_write(now=timezone.now()) is not None  # anchor 1
    dump = tmp_path / "hcp.dump"
    out = StringIO()
    call_command("db_backup", out=str(dump), stdout=out)
    assert dump.stat().st_size > 0
    with pytest.raises(CommandError, match="不覆盖"):
        call_command("db_backup", out=str(dump), stdout=StringIO())
    after = str(rate().public_id)  # acknowledged after the backup
    audit_record(action="test.after_backup", actor_label="t")
    assert audit_anchor_write(now=timezone.now()) is not None  # anchor 2

    call_command("db_restore", str(dump), into=fresh_db.url, stdout=StringIO())
    restored = {str(p) for (p,) in fresh_db.query(
        "SELECT public_id FROM evaluations_evaluation")}
    assert restored == before
    assert after not in restored
    triggers = {t for (t,) in fresh_db.query(
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'")}
    assert {"evaluations_evaluation_guard", "audit_auditevent_append_only",
            "audit_auditevent_guard_truncate"} <= triggers

    checked = _verify(fresh_db.url, "--anchor", "1")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "以第 1 个" in checked.stdout
    assert "与锚点一致。OK" in checked.stdout
    latest = _verify(fresh_db.url)  # the rows written since the backup are missing
    assert latest.returncode == 1
    assert "truncated" in latest.stdout

    with pytest.raises(CommandError, match="只恢复到新建的空数据库"):
        call_command("db_restore", str(dump), into=fresh_db.url, stdout=StringIO())
