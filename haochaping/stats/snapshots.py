"""Published ranking snapshots (公示排名快照): publish once a month or quarter has ended,
read back unchanged (seed 002 §二(四); docs/disclosure.md).

The worker job ``stats.ranking_snapshots`` publishes, for each ended month and quarter
not yet published (the latest ``CATCH_UP`` of each), the whole deployment's department
ranking read from the roll-ups with the weights in force at that moment, plus each
department's rectification figures (stats.snapshot_rules). A snapshot is inserted once
(unique per period and level: a second worker's insert fails and its copy is dropped)
and never edited, so the public page of an ended period shows what was published even
after the weights change or an appeal is upheld.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor
from haochaping.audit.services import audit_record
from haochaping.stats import ranking, rules
from haochaping.stats import ranking_rules as rr
from haochaping.stats import snapshot_rules as sr
from haochaping.stats.models import RankingSnapshot

GENERATOR = "worker:stats.ranking_snapshots"
# Publish this long after a period ended, so the roll-ups (≤ 1 min behind the raw rows)
# hold its last ratings; the same grace as the monthly reports (stats.reports).
GRACE = timedelta(hours=1)
# Ended periods of each kind the job looks back on: a worker stopped for two months still
# publishes them when it is back. Older unpublished periods stay unpublished.
CATCH_UP = 3
# Only departments are ranked publicly (docs/disclosure.md, personal data).
PUBLIC_LEVEL = rr.Level.ORG
# The whole deployment, read-only: the public sees every department.
PUBLIC = Actor(role=Role.AUDITOR, scope_path=None, label="公示专栏")


@dataclass(frozen=True)
class Published:
    """A snapshot as read back: its row and its parsed document."""

    row: RankingSnapshot
    document: dict[str, Any]

    @property
    def content(self) -> bytes:
        return self.row.content.encode("utf-8")

    @property
    def verified(self) -> bool:
        return sr.sha256(self.content) == self.row.sha256


def _find(period: rules.Period, start: date, level: rr.Level) -> RankingSnapshot | None:
    return RankingSnapshot.objects.filter(period=period.value, start=start,
                                          level=level.value).first()


def ranking_snapshot_publish(*, period: rules.Period, start: date, now: datetime,
                             generated_by: str = GENERATOR
                             ) -> tuple[RankingSnapshot, bool]:
    """The published snapshot of the period beginning ``start``, published now unless it
    exists; (snapshot, created). Refused for a period that has not ended."""
    if period not in sr.PERIODS:
        raise ValueError(f"rankings are published by month or quarter, not {period}")
    start = rules.bucket_start(start, period)
    if rules.shift(start, period, 1) > rules.local_day(now):
        raise ValueError(f"{period.value} {start} has not ended")
    found = _find(period, start, PUBLIC_LEVEL)
    if found is not None:
        return found, False
    weights = ranking.current_weights()
    ranked = ranking.ranking(PUBLIC, level=PUBLIC_LEVEL, period=period, day=start,
                             weights=weights)
    content = sr.canonical(sr.payload(period=period, start=start, level=PUBLIC_LEVEL,
                                      weights=weights, ranked=ranked, generated_at=now))
    row = RankingSnapshot(period=period.value, start=start, level=PUBLIC_LEVEL.value,
                          generated_at=now, generated_by=generated_by[:100],
                          content=content.decode("utf-8"), sha256=sr.sha256(content))
    try:
        with transaction.atomic():
            row.save()
            audit_record(action="stats.ranking_publish", actor=None,
                         actor_label=generated_by, obj=row,
                         after={"period": period.value, "start": start.isoformat(),
                                "level": PUBLIC_LEVEL.value, "sha256": row.sha256,
                                "rows": len(ranked)})
    except IntegrityError:  # another worker published it first: theirs stands
        winner = _find(period, start, PUBLIC_LEVEL)
        if winner is None:
            raise
        return winner, False
    return row, True


def ranking_snapshots(now: datetime) -> str:
    """Worker job ``stats.ranking_snapshots``: publish every ended month and quarter
    among the latest ``CATCH_UP`` of each that has no snapshot yet."""
    today = rules.local_day(now - GRACE)
    created = existing = 0
    for period in sr.PERIODS:
        for start in sr.due_starts(today, period, CATCH_UP):
            _, new = ranking_snapshot_publish(period=period, start=start, now=now)
            created += new
            existing += not new
    return f"{created} published, {existing} existing"


# --- reads ------------------------------------------------------------------------------


def published(period: rules.Period, start: date,
              level: rr.Level = PUBLIC_LEVEL) -> Published | None:
    row = _find(period, start, level)
    return None if row is None else Published(row, json.loads(row.content))


def latest_starts(period: rules.Period, limit: int = 12,
                  level: rr.Level = PUBLIC_LEVEL) -> list[date]:
    """The first days of the latest published periods, newest first."""
    return list(RankingSnapshot.objects.filter(period=period.value, level=level.value)
                .order_by("-start").values_list("start", flat=True)[:limit])
