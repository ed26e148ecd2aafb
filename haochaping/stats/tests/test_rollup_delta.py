"""Month tables kept by deltas (stats.rollup.apply_delta): a row moves by what its
touched days changed, a new key gets a row, a row that falls to zero is removed."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from haochaping.stats import rollup
from haochaping.stats.models import ChannelMonthRollup

NOV = date(2026, 11, 1)
N = len([f for f in ChannelMonthRollup._meta.concrete_fields
         if f.name in rollup.rules.COUNT_FIELDS])


def counts(level_5: int = 0, level_1: int = 0) -> list[int]:
    row = [0] * N
    row[0], row[4] = level_5, level_1  # level_5 … level_1 lead the count columns
    return row


def stored() -> dict[tuple[int, str], tuple[int, int]]:
    return {(r.org_id, r.channel): (r.level_5, r.level_1)
            for r in ChannelMonthRollup.objects.filter(day=NOV)}


def test_rows_move_by_the_difference(locality: SimpleNamespace) -> None:
    market, hr = locality.market.pk, locality.district_hr.pk
    ChannelMonthRollup.objects.create(day=NOV, org_id=market, channel="app", level_5=10,
                                      level_1=2)
    ChannelMonthRollup.objects.create(day=NOV, org_id=market, channel="web", level_5=3)
    ChannelMonthRollup.objects.create(day=NOV, org_id=hr, channel="app", level_5=7)
    before = {(NOV, market, "app"): counts(4, 1), (NOV, market, "web"): counts(3)}
    after = {(NOV, market, "app"): counts(6, 0), (NOV, market, "pad"): counts(1)}
    written = rollup.apply_delta(ChannelMonthRollup, before, after)
    assert stored() == {(market, "app"): (12, 1), (market, "pad"): (1, 0),
                        (hr, "app"): (7, 0)}  # web fell to zero: gone; hr untouched
    assert written == 4  # app and web replaced or removed, app and pad written


def test_no_change_writes_nothing(locality: SimpleNamespace) -> None:
    market = locality.market.pk
    row = ChannelMonthRollup.objects.create(day=NOV, org_id=market, channel="app", level_5=5)
    same = {(NOV, market, "app"): counts(2)}
    assert rollup.apply_delta(ChannelMonthRollup, same, dict(same)) == 0
    assert ChannelMonthRollup.objects.get().pk == row.pk
