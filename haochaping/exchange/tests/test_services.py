"""Re-send and 补报 (exchange.services): scoped to the actor's subtree, audited, and never
doubling a change: a re-send re-uses the row and its key, 补报 creates the rows of objects
written before the remote existed with the keys the triggers would have written."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.standards import Channel
from haochaping.core.errors import AppError
from haochaping.core.localtime import local_day
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_invalidate, evaluation_submit
from haochaping.exchange import services
from haochaping.exchange.models import OutboxRecord, Remote
from haochaping.exchange.profiles_store import remote_save
from haochaping.exchange.tests.support import deliver, remote_up, statuses

pytestmark = pytest.mark.django_db


def _rate(world: SimpleNamespace, **kw: Any) -> Any:
    [rating] = evaluation_submit(handling=world.handling(**kw), rating=RatingInput(4),
                                 channel=Channel.WEB)
    return rating


def _refused(code: str, fn: Any, **kw: Any) -> None:
    before = (list(OutboxRecord.objects.order_by("pk").values()), AuditEvent.objects.count())
    with pytest.raises(AppError) as exc:
        fn(**kw)
    assert exc.value.code == code
    assert (list(OutboxRecord.objects.order_by("pk").values()),
            AuditEvent.objects.count()) == before


def test_backfill_creates_the_rows_of_what_came_before_the_remote(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    rating = _rate(world)  # written while no remote existed: no row anywhere
    supervisor = actor_for_user(world.people.supervisor)
    evaluation_invalidate(actor=supervisor, evaluation=rating, reason="重复评价")
    today = local_day(timezone.now())
    with remote_up(monkeypatch) as (fake, remote):
        assert not OutboxRecord.objects.exists()
        result = services.outbox_backfill(actor=supervisor, remote=remote, day_from=today,
                                          day_to=today)
        assert (result.requeued, result.created) == (
            0, {"handling": 1, "rating": 2, "result": 0})
        handling = rating.handling
        assert set(statuses(remote)) == {f"handling:{handling.pk}:saved:0",
                                         f"rating:{rating.pk}:saved:1",
                                         f"rating:{rating.pk}:invalidated:1"}
        deliver()
        assert set(statuses(remote).values()) == {"acked"}
        # again: the same rows leave again under the same keys, none is added
        again = services.outbox_backfill(actor=supervisor, remote=remote, day_from=today,
                                         day_to=today)
        assert (again.requeued, again.created) == (3, {"handling": 0, "rating": 0, "result": 0})
        deliver()
        # a later change of the handling takes the next version, never version 0's key
        handling.status = "in_progress"
        handling.save()
        assert f"handling:{handling.pk}:saved:1" in statuses(remote)
    assert sorted(fake.keys_received).count(f"rating:{rating.pk}:saved:1") == 2
    event = AuditEvent.objects.filter(action="exchange.backfill").first()
    assert event is not None
    assert event.after["created"] == {"handling": 1, "rating": 2, "result": 0}


def test_backfill_keeps_to_the_range_and_the_org(world: SimpleNamespace,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    old = _rate(world, completed_at=timezone.now() - timedelta(days=3))
    OutboxRecord.objects.all().delete()
    admin = actor_for_user(world.people.admin)
    with remote_up(monkeypatch, kinds=["handling"]) as (_, remote):
        three_days_ago = local_day(timezone.now() - timedelta(days=3))
        result = services.outbox_backfill(actor=admin, remote=remote,
                                          day_from=three_days_ago, day_to=three_days_ago,
                                          org=world.loc.district_hr)
        assert result.total == 0  # the handling is the market's
        result = services.outbox_backfill(actor=admin, remote=remote,
                                          day_from=three_days_ago, day_to=three_days_ago,
                                          org=world.loc.market)
        assert result.created == {"handling": 1}
        assert set(statuses(remote)) == {f"handling:{old.handling_id}:saved:0"}


def test_backfill_refusals_change_nothing(world: SimpleNamespace,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    today = date(2026, 11, 30)
    district = actor_for_user(world.people.district_supervisor)
    with remote_up(monkeypatch) as (_, remote):
        _refused("exchange.bad_range", services.outbox_backfill, actor=district,
                 remote=remote, day_from=today, day_to=today - timedelta(days=1))
        _refused("exchange.range_too_long", services.outbox_backfill, actor=district,
                 remote=remote, day_from=today - timedelta(days=366), day_to=today)
        _refused("forbidden.scope", services.outbox_backfill, actor=district,
                 remote=remote, day_from=today, day_to=today, org=world.loc.market)
        _refused("forbidden.role", services.outbox_backfill,
                 actor=actor_for_user(world.people.handler), remote=remote,
                 day_from=today, day_to=today)


def test_resend_is_scoped_audited_and_only_for_refused_or_dead(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["rating"]) as (_, remote):
        rating = _rate(world)
        row = OutboxRecord.objects.get(object_id=rating.pk)
        supervisor = actor_for_user(world.people.supervisor)
        _refused("exchange.not_resendable", services.outbox_resend, actor=supervisor,
                 record=row)
        OutboxRecord.objects.filter(pk=row.pk).update(status="dead", attempts=10,
                                                      error_code="http.503")
        row.refresh_from_db()
        _refused("forbidden.scope", services.outbox_resend,
                 actor=actor_for_user(world.people.district_supervisor), record=row)
        _refused("forbidden.role", services.outbox_resend,
                 actor=actor_for_user(world.people.auditor), record=row)
        resent = services.outbox_resend(actor=supervisor, record=row)
        assert (resent.status, resent.attempts, resent.error_code, resent.record_key) == (
            "pending", 0, "", row.record_key)
        event = AuditEvent.objects.get(action="exchange.resend")
        assert (event.object_id, event.after["key"]) == (str(row.pk), row.record_key)


def test_resend_all_takes_the_subtree_only(world: SimpleNamespace,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["rating"]) as (_, remote):
        market = _rate(world)
        district = _rate(world, org=world.loc.district_hr)
        OutboxRecord.objects.update(status="refused", error_code="E1")
        count = services.outbox_resend_all(
            actor=actor_for_user(world.people.district_supervisor), remote=remote,
            statuses=("refused",))
        assert count == 1
        assert statuses(remote) == {f"rating:{market.pk}:saved:1": "refused",
                                    f"rating:{district.pk}:saved:1": "pending"}
        _refused("exchange.bad_status", services.outbox_resend_all,
                 actor=actor_for_user(world.people.admin), remote=remote,
                 statuses=("acked",))


def test_the_command_runs_the_same_backfill(world: SimpleNamespace,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    rating = _rate(world)
    today = local_day(timezone.now()).isoformat()
    with remote_up(monkeypatch, kinds=["rating"]) as (_, remote):
        call_command("exchange_resend", "--remote", remote.name, "--from", today, "--to",
                     today, "--org", world.loc.city_office.code)
        assert "已安排补报 1 条" in capsys.readouterr().out
        assert statuses(remote) == {f"rating:{rating.pk}:saved:1": "pending"}
        with pytest.raises(CommandError, match="对接平台不存在"):
            call_command("exchange_resend", "--remote", "nowhere", "--from", today,
                         "--to", today)
        with pytest.raises(CommandError, match="结束日期不能早于开始日期"):
            call_command("exchange_resend", "--remote", remote.name, "--from", today,
                         "--to", "2020-01-01")
    assert AuditEvent.objects.filter(action="exchange.backfill",
                                     actor_label="command:exchange resend").count() == 1


def test_saving_a_remote_routes_it_at_once(world: SimpleNamespace) -> None:
    admin = actor_for_user(world.people.admin)
    remote = Remote(name="province", label="省平台", profile="national",
                    base_url="http://127.0.0.1:9/", key_env="PROVINCE", kinds=["rating"])
    remote_save(actor=admin, remote=remote)
    assert list(remote.routes.values_list("kind", flat=True)) == ["rating"]
    remote.kinds = []
    remote_save(actor=admin, remote=remote)
    assert set(remote.routes.values_list("kind", flat=True)) == {"handling", "rating",
                                                                  "result"}
    remote.is_active = False
    remote_save(actor=admin, remote=remote)
    assert not remote.routes.exists()


def test_the_admin_action_resends_dead_records_and_reports_the_rest(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, client: Any) -> None:
    with remote_up(monkeypatch, kinds=["rating"]):
        dead, acked = _rate(world), _rate(world)
        OutboxRecord.objects.filter(object_id=dead.pk).update(status="dead", attempts=10)
        OutboxRecord.objects.filter(object_id=acked.pk).update(status="acked")
        rows = list(OutboxRecord.objects.filter(object_id__in=[dead.pk, acked.pk]))
        client.force_login(world.people.admin)
        page = client.post("/admin/exchange/outboxrecord/",
                           {"action": "resend", "_selected_action": [r.pk for r in rows]},
                           follow=True).content.decode()
        assert "已重新排队 1 条记录" in page
        assert "1 条记录未处理" in page
        assert OutboxRecord.objects.get(object_id=dead.pk).status == "pending"
        assert OutboxRecord.objects.get(object_id=acked.pk).status == "acked"
