"""Published ranking snapshots: the worker job publishes ended months and quarters once,
with the weights in force and a SHA-256 over the stored bytes; nothing rewrites them."""

from __future__ import annotations

import json
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import DatabaseError, transaction

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.core.jobs import JOBS
from haochaping.stats import ranking, snapshots, tasks
from haochaping.stats import snapshot_rules as sr
from haochaping.stats.models import RankingSnapshot
from haochaping.stats.rules import Period
from haochaping.stats.tests.test_ranking import months  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
AFTER_Q3 = datetime(2026, 10, 1, 2, 0, tzinfo=SHANGHAI)
NEW_WEIGHTS = {"satisfaction": 10, "participation": 10, "on_time_rectification": 10,
               "bad_review": 70, "min_sample": 1, "bottom_count": 1, "bottom_periods": 2}


def _september() -> snapshots.Published:
    found = snapshots.published(Period.MONTH, date(2026, 9, 1))
    assert found is not None
    return found


def test_the_job_is_declared_and_publishes_each_ended_period_once(
        months: SimpleNamespace) -> None:  # noqa: F811
    assert any(j.task == "haochaping.stats.tasks.ranking_snapshots" for j in JOBS)
    assert tasks.ranking_snapshots.call(AFTER_Q3.isoformat()) == "6 published, 0 existing"
    starts = sorted(RankingSnapshot.objects.values_list("period", "start"))
    assert starts == [("month", date(2026, 7, 1)), ("month", date(2026, 8, 1)),
                      ("month", date(2026, 9, 1)), ("quarter", date(2026, 1, 1)),
                      ("quarter", date(2026, 4, 1)), ("quarter", date(2026, 7, 1))]
    assert tasks.ranking_snapshots.call(AFTER_Q3.isoformat()) == "0 published, 6 existing"
    assert RankingSnapshot.objects.count() == 6
    assert AuditEvent.objects.filter(action="stats.ranking_publish").count() == 6


def test_within_the_grace_hour_the_ended_month_waits(months: SimpleNamespace) -> None:  # noqa: F811
    tasks.ranking_snapshots.call((datetime(2026, 10, 1, 0, 30, tzinfo=SHANGHAI)).isoformat())
    assert snapshots.published(Period.MONTH, date(2026, 9, 1)) is None
    assert snapshots.published(Period.MONTH, date(2026, 8, 1)) is not None


def test_the_snapshot_holds_the_shown_figures_weights_and_its_hash(
        months: SimpleNamespace) -> None:  # noqa: F811
    tasks.ranking_snapshots.call(AFTER_Q3.isoformat())
    found = _september()
    assert found.verified
    assert found.row.sha256 == sr.sha256(found.row.content.encode("utf-8"))
    doc = found.document
    assert (doc["period"], doc["start"], doc["end"]) == ("month", "2026-09-01", "2026-09-30")
    assert doc["weights"]["satisfaction"] == 50
    assert doc["generated_at"] == "2026-10-01T02:00:00+08:00"
    market = months.loc.market
    [top] = [r for r in doc["ranking"] if r["rank"] == 1]
    # market: 17 of 20 ratings satisfied, 3 bad
    assert (top["name"], top["ratings"], top["satisfaction"]) == (market.name, 20, 0.85)
    assert {r["name"] for r in doc["rectification"]} >= {market.name}
    event = AuditEvent.objects.get(action="stats.ranking_publish", object_id=str(found.row.pk))
    assert event.after is not None
    assert event.after["sha256"] == found.row.sha256


def test_a_weight_change_leaves_the_published_snapshot_as_it_was(
        months: SimpleNamespace, personas: Any) -> None:  # noqa: F811
    tasks.ranking_snapshots.call(AFTER_Q3.isoformat())
    before = _september().row.content
    ranking.ranking_weights_set(actor=actor_for_user(personas.admin), now=AFTER_Q3,
                                **NEW_WEIGHTS)
    tasks.ranking_snapshots.call((datetime(2026, 10, 2, tzinfo=SHANGHAI)).isoformat())
    after = _september()
    assert after.row.content == before
    assert after.verified
    assert after.document["weights"]["bad_review"] == 10
    published = [r["name"] for r in after.document["ranking"] if r["rank"]]
    assert published == [months.loc.market.name]  # the others below 10 ratings
    # the live ranking does follow the new weights (minimum sample 1: all three ranked)
    live = ranking.ranking(snapshots.PUBLIC, level=snapshots.PUBLIC_LEVEL,
                           period=Period.MONTH, day=date(2026, 9, 1))
    assert len([r for r in live if r.rank]) == 3


def test_the_database_refuses_to_edit_a_snapshot(months: SimpleNamespace) -> None:  # noqa: F811
    tasks.ranking_snapshots.call(AFTER_Q3.isoformat())
    row = _september().row
    with pytest.raises(DatabaseError), transaction.atomic():
        RankingSnapshot.objects.filter(pk=row.pk).update(content="{}")
    with pytest.raises(ValueError, match="never edited"):
        row.save()
    assert _september().verified


def test_a_second_worker_keeps_the_first_snapshot(
        months: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    first, created = snapshots.ranking_snapshot_publish(
        period=Period.MONTH, start=date(2026, 9, 1), now=AFTER_Q3)
    assert created
    real = snapshots._find
    calls: list[int] = []

    def not_yet(*args: Any) -> RankingSnapshot | None:
        """The second worker looked before the first one committed."""
        calls.append(1)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(snapshots, "_find", not_yet)
    second, created = snapshots.ranking_snapshot_publish(
        period=Period.MONTH, start=date(2026, 9, 15),
        now=datetime(2026, 10, 1, 3, 0, tzinfo=SHANGHAI))
    assert not created
    assert (second.pk, second.sha256) == (first.pk, first.sha256)
    assert RankingSnapshot.objects.count() == 1
    assert AuditEvent.objects.filter(action="stats.ranking_publish").count() == 1


def test_a_running_period_is_never_published(db: Any) -> None:
    with pytest.raises(ValueError, match="has not ended"):
        snapshots.ranking_snapshot_publish(period=Period.QUARTER, start=date(2026, 10, 1),
                                           now=AFTER_Q3)
    with pytest.raises(ValueError, match="month or quarter"):
        snapshots.ranking_snapshot_publish(period=Period.YEAR, start=date(2025, 1, 1),
                                           now=AFTER_Q3)


def test_canonical_content_is_stable() -> None:
    doc = {"b": [1, None, 0.5], "a": "部门"}
    assert sr.canonical(doc) == '{"a":"部门","b":[1,null,0.5]}'.encode()
    assert json.loads(sr.canonical(doc)) == doc
    assert sr.due_starts(date(2026, 10, 1), Period.QUARTER, 2) == [date(2026, 7, 1),
                                                                   date(2026, 4, 1)]
