"""The daily reconciliation against a remote on a real HTTP server answering count queries
(tests.count_remote): a matching day, a planted difference and its re-send, a remote
without a count endpoint, a remote that is down, the periodic job's fan-out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.core.engine.worker import drain
from haochaping.core.errors import Conflict, PermissionDenied
from haochaping.core.localtime import SHANGHAI
from haochaping.exchange import tasks
from haochaping.exchange.models import OutboxRecord, ReconcileCheck, ReconcileRun
from haochaping.exchange.reconcile_services import reconcile_resend
from haochaping.exchange.tests.count_remote import check_today, counting_remote, rate
from haochaping.exchange.tests.support import deliver, statuses

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 10, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _noon() -> Iterator[None]:
    """Records and checks of one Shanghai day, far from midnight."""
    with time_machine.travel(NOON, tick=True):
        yield


@pytest.fixture(autouse=True)
def _budgets(settings: Any) -> None:
    settings.HCP_EXCHANGE_BREAKER_FAILURES = 100  # delivery's breaker has its own tests


def checks(run: ReconcileRun) -> dict[tuple[str, str], tuple[Any, ...]]:
    return {(c.org_code, c.kind): (c.sent, c.acked, c.remote_count, c.verdict, c.basis)
            for c in ReconcileCheck.objects.filter(run=run)}


def test_a_matching_day_asks_once_per_kind_and_is_settled(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with counting_remote(monkeypatch) as (fake, remote):
        rate(world)
        rate(world)
        rate(world, org=world.loc.district_hr)
        deliver()
        run = check_today(remote)
    assert checks(run) == {
        ("MARKET", "handling"): (2, 2, 2, "match", "total"),
        ("MARKET", "rating"): (2, 2, 2, "match", "total"),
        ("DISTHR", "handling"): (1, 1, 1, "match", "total"),
        ("DISTHR", "rating"): (1, 1, 1, "match", "total"),
    }
    day = NOON.date()
    assert sorted(fake.queries) == [("handling", day, ""), ("rating", day, ""),
                                    ("result", day, "")]
    assert (run.differences, run.unchecked, run.next_check_at, run.runs) == (0, False, None, 1)
    assert fake.rejected == []  # every count query carried a valid signature


def test_a_record_lost_by_the_remote_is_listed_and_its_group_resent(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with counting_remote(monkeypatch) as (fake, remote):
        lost, kept = rate(world), rate(world)
        other = rate(world, org=world.loc.district_hr)
        deliver()
        fake.forget(f"rating:{lost.pk}:saved:1")
        run = check_today(remote)
        found = checks(run)
        assert found[("MARKET", "rating")] == (2, 2, 1, "fewer", "org")
        assert found[("DISTHR", "rating")] == (1, 1, 1, "match", "org")
        assert found[("MARKET", "handling")][3:] == ("match", "total")
        assert run.differences == 1
        assert run.next_check_at is not None
        assert run.next_check_at - timezone.now() > timedelta(hours=23)
        check = ReconcileCheck.objects.get(run=run, org_code="MARKET", kind="rating")
        assert check.missing_keys is None  # no listing: both acked ratings are uncertain
        assert check.our_digest != check.remote_digest

        actor = actor_for_user(world.people.supervisor)
        assert reconcile_resend(actor=actor, run=run) == 2
        requeued = {k for k, s in statuses(remote).items() if s == "pending"}
        assert requeued == {f"rating:{lost.pk}:saved:1", f"rating:{kept.pk}:saved:1"}
        assert statuses(remote)[f"rating:{other.pk}:saved:1"] == "acked"
        event = AuditEvent.objects.get(action="exchange.reconcile_resend")
        assert event.after["count"] == 2
        assert event.after["groups"] == [{"org": "MARKET", "kind": "rating",
                                          "verdict": "fewer", "count": 2, "keys": "uncertain"}]
        run.refresh_from_db()
        assert run.resent_at is not None
        assert run.next_check_at - timezone.now() < timedelta(minutes=31)

        deliver()  # the re-sent records leave under their keys; the remote holds them again
        assert fake.keys_received.count(f"rating:{kept.pk}:saved:1") == 2
        run = check_today(remote)
    assert run.differences == 0
    assert checks(run)[("MARKET", "rating")] == (2, 2, 2, "match", "total")


def test_known_missing_keys_resend_exactly_those_and_the_failed_ones(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with counting_remote(monkeypatch, kinds=["rating"]) as (fake, remote):
        lost, kept, dead = rate(world), rate(world), rate(world)
        deliver()
        OutboxRecord.objects.filter(record_key=f"rating:{dead.pk}:saved:1").update(status="dead")
        fake.forget(f"rating:{lost.pk}:saved:1")
        run = check_today(remote)
        # what a profile with a per-record query would have told us
        check = ReconcileCheck.objects.get(run=run, kind="rating")
        # the remote holds the record we marked dead but not one we have acked: as many
        # records as we acked, other ones
        assert (check.sent, check.acked, check.failed, check.remote_count, check.verdict) == (
            3, 2, 1, 2, "more")
        check.missing_keys = [f"rating:{lost.pk}:saved:1"]
        check.save()
        before = statuses(remote)
        assert reconcile_resend(actor=actor_for_user(world.people.supervisor), run=run,
                                check=check) == 2
    after = statuses(remote)
    assert {k for k in after if after[k] != before[k]} == {
        f"rating:{lost.pk}:saved:1", f"rating:{dead.pk}:saved:1"}
    assert after[f"rating:{kept.pk}:saved:1"] == "acked"


def test_nothing_to_resend_and_a_department_are_refused_changing_nothing(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with counting_remote(monkeypatch, kinds=["rating"]) as (_, remote):
        rate(world)
        deliver()
        run = check_today(remote)
        before = statuses(remote)
        with pytest.raises(Conflict) as refused:
            reconcile_resend(actor=actor_for_user(world.people.supervisor), run=run)
        assert refused.value.code == "exchange.nothing_to_resend"
        with pytest.raises(PermissionDenied):
            reconcile_resend(actor=actor_for_user(world.people.handler), run=run)
    assert statuses(remote) == before
    assert not AuditEvent.objects.filter(action="exchange.reconcile_resend").exists()


def test_a_remote_without_a_count_endpoint_compares_sent_with_acked_and_says_so(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with counting_remote(monkeypatch, "anhui", kinds=["rating"]) as (fake, remote):
        ratings = [rate(world), rate(world)]
        deliver()
        OutboxRecord.objects.filter(record_key=f"rating:{ratings[0].pk}:saved:1").update(
            status="refused")
        run = check_today(remote)
    assert fake.profile.count is None
    assert fake.queries == []
    assert run.has_count_endpoint is False
    assert checks(run) == {("MARKET", "rating"): (2, 1, None, "unacked", "none")}
    assert run.differences == 1


def test_a_remote_that_is_down_is_unchecked_and_retried_never_a_match(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with counting_remote(monkeypatch, kinds=["rating"]) as (fake, remote):
        rate(world)
        deliver()
        fake.count_status = 503
        run = check_today(remote)
        assert checks(run) == {("MARKET", "rating"): (1, 1, None, "unchecked", "unasked")}
        assert (run.unchecked, run.failures, run.error) == (True, 1, "对账接口返回 HTTP 503")
        assert timedelta(minutes=14) < run.next_check_at - timezone.now() \
            <= timedelta(minutes=15)
        run = check_today(remote)
        assert run.failures == 2  # backs off
        assert run.next_check_at - timezone.now() > timedelta(minutes=29)
        fake.count_status = 200
        run = check_today(remote)
    assert (run.unchecked, run.failures, run.error, run.next_check_at) == (False, 0, "", None)
    assert checks(run) == {("MARKET", "rating"): (1, 1, 1, "match", "total")}


def test_a_remote_that_cannot_be_reached_at_all_is_unchecked(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with counting_remote(monkeypatch, kinds=["rating"]) as (_, remote):
        rate(world)
        deliver()
    # the server is gone: the connection is refused
    run = check_today(remote)
    assert run.unchecked
    assert run.error.startswith("连接失败")
    assert [c.verdict for c in ReconcileCheck.objects.filter(run=run)] == ["unchecked"]


def test_the_remote_holding_records_of_orgs_we_sent_nothing_for_is_a_difference(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with counting_remote(monkeypatch, kinds=["rating"]) as (fake, remote):
        rate(world)
        deliver()
        fake.held["rating"]["rating:999999:saved:1"] = ("ELSEWHERE", NOON.date())
        run = check_today(remote)
    assert checks(run) == {("MARKET", "rating"): (1, 1, 1, "match", "org"),
                           ("", "rating"): (0, 0, 1, "more", "org")}


def test_the_job_checks_yesterday_after_the_settle_hours_one_task_per_remote(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with counting_remote(monkeypatch, kinds=["rating"]) as (fake, remote), \
            counting_remote(monkeypatch, "zhejiang", kinds=["rating"]) as (_, other):
        rate(world)
        deliver()
        early = datetime(2026, 11, 11, 1, 0, tzinfo=SHANGHAI)
        with time_machine.travel(early, tick=False):
            assert tasks.reconcile.call(early.isoformat()) == "2 runs made, 0 queued"
        later = datetime(2026, 11, 11, 3, 0, tzinfo=SHANGHAI)
        with time_machine.travel(later, tick=True):
            assert tasks.reconcile.call(later.isoformat()) == "0 runs made, 2 queued"
            assert tasks.reconcile.call(later.isoformat()) == "0 runs made, 0 queued"
            drain()
            assert tasks.reconcile.call(later.isoformat()) == "0 runs made, 0 queued"
    mine = ReconcileRun.objects.get(remote=remote)
    theirs = ReconcileRun.objects.get(remote=other)
    assert (mine.day, mine.runs, mine.differences, mine.next_check_at) == (
        NOON.date(), 1, 0, None)
    assert fake.queries == [("rating", NOON.date(), "")]
    assert (theirs.runs, theirs.differences, theirs.unchecked) == (1, 0, False)
    assert checks(theirs) == {("MARKET", "rating"): (1, 1, 1, "match", "total")}
