"""Contract: the daily reconciliation (对账) against the fake remote as a separate process,
both databases: a day delivered to it matches; a record the remote lost is a difference of
its org and kind, re-sent under its key, and the day matches again. Every profile with a
count endpoint. (The fake remote's journal keeps such a loss across a restart:
test_fakeremote_process.)"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from haochaping.accounts.scoping import actor_for_user
from haochaping.core.localtime import SHANGHAI
from haochaping.exchange.fakeremote.process import FakeRemoteProcess
from haochaping.exchange.models import ReconcileCheck, ReconcileRun
from haochaping.exchange.reconcile_services import reconcile_resend
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.profiles import shipped_names, shipped_profile
from haochaping.exchange.tests.count_remote import check_today, rate
from haochaping.exchange.tests.kit import held, remote_row, remotes, sync_clock
from haochaping.exchange.tests.support import deliver, statuses

__all__ = ["remotes"]
pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 10, 12, 0, tzinfo=SHANGHAI)
COUNTED = [name for name in shipped_names() if shipped_profile(name).count is not None]


def verdicts(run: ReconcileRun) -> dict[tuple[str, str], str]:
    return {(c.org_code, c.kind): c.verdict for c in ReconcileCheck.objects.filter(run=run)}


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.HCP_EXCHANGE_BREAKER_FAILURES = 100


@pytest.mark.parametrize("name", COUNTED)
def test_a_lost_record_is_found_resent_and_the_day_matches_again(
        name: str, remotes: dict[str, FakeRemoteProcess], world: SimpleNamespace,
        monkeypatch: pytest.MonkeyPatch) -> None:
    remote = remotes[name]
    remote.reset()
    row = remote_row(remote, monkeypatch, kinds=(Kind.RATING,))
    with time_machine.travel(NOON, tick=True):
        sync_clock(remote)
        lost, kept = rate(world), rate(world)
        rate(world, org=world.loc.district_hr)
        deliver()
        assert set(statuses(row).values()) == {"acked"}
        run = check_today(row)
        assert (run.differences, run.unchecked, run.error) == (0, False, "")

        lost_key, kept_key = f"rating:{lost.pk}:saved:1", f"rating:{kept.pk}:saved:1"
        assert remote.forget("rating", [lost_key]) == 1
        run = check_today(row)
        assert verdicts(run)[("MARKET", "rating")] == "fewer"
        assert verdicts(run)[("DISTHR", "rating")] == "match"
        assert run.differences == 1

        supervisor = actor_for_user(world.people.supervisor)
        assert reconcile_resend(actor=supervisor, run=run) == 2  # the group is uncertain
        deliver()
        assert set(statuses(row).values()) == {"acked"}
        run = check_today(row)
        assert run.differences == 0
    stored = held(remote, Kind.RATING)
    assert (stored[lost_key]["times"], stored[kept_key]["times"]) == (1, 2)

