"""The runtime database role of ``haochaping db roles`` (issue 17, PostgreSQL): it cannot
rewrite a rating, the audit log or a published snapshot, yet the application works as it.

Roles are cluster-wide: each test creates its own (unique names) inside its transaction,
so the rollback that ends the test drops them with their grants.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.anchoring import audit_anchor_write
from haochaping.audit.selectors import verify_audit_chain
from haochaping.audit.services import audit_record
from haochaping.catalog.models import PolicyOverride
from haochaping.catalog.rules.standards import Channel
from haochaping.core.dbchecks import runtime_problems
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_invalidate, evaluation_submit
from haochaping.stats.models import RankingSnapshot
from haochaping.stats.services import rollup_tick

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BAD = RatingInput(1, reason_codes=["108"], text="多次被要求补充材料")


@pytest.fixture
def roles(db: object) -> SimpleNamespace:
    suffix = secrets.token_hex(4)
    names = SimpleNamespace(owner=f"hcp_test_owner_{suffix}", runtime=f"hcp_test_app_{suffix}")
    out = StringIO()
    call_command("db_roles", owner=names.owner, runtime=names.runtime, apply=True, stdout=out)
    assert "已创建并授权" in out.getvalue()
    return names


@contextmanager
def acting_as(role: str) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{role}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def _denied(sql: str, params: list[object], match: str = "permission denied") -> None:
    with pytest.raises(DatabaseError, match=match), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_runtime_role_cannot_rewrite_history(roles: SimpleNamespace,
                                                 world: SimpleNamespace) -> None:
    [rating] = evaluation_submit(handling=world.handling(), rating=BAD, channel=Channel.WEB)
    snapshot = RankingSnapshot(period="month", start=date(2026, 9, 1), generated_by="t",
                               generated_at=timezone.now(), content="{}", sha256="0" * 64)
    snapshot.save()
    event = audit_record(action="test.written", actor_label="t")
    with acting_as(roles.runtime):
        _denied("UPDATE evaluations_evaluation SET level = 5 WHERE id = %s", [rating.pk])
        _denied("DELETE FROM evaluations_evaluation WHERE id = %s", [rating.pk])
        _denied("TRUNCATE audit_auditevent", [])
        _denied("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])
        _denied("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
        _denied("DELETE FROM stats_rankingsnapshot WHERE id = %s", [snapshot.pk])
        _denied("TRUNCATE stats_rankingsnapshot", [])
        _denied("ALTER TABLE audit_auditevent DISABLE TRIGGER USER", [], "must be owner")
        _denied("DROP TRIGGER evaluations_evaluation_guard ON evaluations_evaluation", [],
                "must be owner")
        _denied("SET session_replication_role = replica", [])
        _denied("INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())",
                [])
    assert Evaluation.objects.get(pk=rating.pk).level == 1
    assert runtime_problems(connection, roles.runtime) == []
    out = StringIO()
    call_command("db_roles", runtime=roles.runtime, check=True, stdout=out)
    assert "OK" in out.getvalue()


def test_the_application_works_as_the_runtime_role(roles: SimpleNamespace,
                                                   world: SimpleNamespace) -> None:
    PolicyOverride.objects.create(org=None, key="multiple_ratings", value="latest_wins")
    h = world.handling()
    with acting_as(roles.runtime):
        [first] = evaluation_submit(handling=h, rating=BAD, channel=Channel.WEB)
        [second] = evaluation_submit(handling=h, rating=BAD, channel=Channel.APP)
        evaluation_invalidate(actor=actor_for_user(world.people.supervisor), evaluation=second,
                              reason="经核实为恶意差评")
        audit_record(action="test.runtime", actor_label="t")
        assert verify_audit_chain().ok
        assert rollup_tick(timezone.now()).startswith("first run: rebuilt")  # truncates
    rows = {r.pk: r for r in Evaluation.objects.filter(handling=h)}
    assert (rows[first.pk].is_current, rows[first.pk].superseded_at) == (
        False, second.created_at)
    assert rows[second.pk].invalidated_at is not None


def test_the_check_refuses_the_owner_as_runtime_role(roles: SimpleNamespace) -> None:
    problems = runtime_problems(connection, roles.owner)
    assert any("拥有（或继承）表的所有权" in p for p in problems)
    assert any("evaluations_evaluation 有 DELETE 权限" in p for p in problems)
    with pytest.raises(SystemExit) as exit_:
        call_command("db_roles", runtime=roles.owner, check=True, stdout=StringIO())
    assert exit_.value.code == 1


def test_the_owner_emptying_the_audit_log_is_caught_by_the_anchors(
        roles: SimpleNamespace) -> None:
    for n in range(3):
        audit_record(action="test.anchored", actor_label="t", object_id=n)
    assert audit_anchor_write(now=timezone.now()) is not None
    with acting_as(roles.owner):
        _denied("TRUNCATE audit_auditevent", [], "insert-only: TRUNCATE refused")
        with connection.cursor() as cursor:  # what only an owner can do
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute("TRUNCATE audit_auditevent")
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("audit_verify", stdout=out)
    assert "序号 3\ttruncated\t锚点序号 3 的记录不存在（日志为空）" in out.getvalue()
