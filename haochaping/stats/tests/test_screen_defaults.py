"""The dashboard and the ranking open on the last complete period (issue 16): never a
partial month where almost everyone is 样本不足, never an end date still to come; the
dashboard says when its data was last brought up to date, has a header on every table
and an indented org tree."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.stats import periods
from haochaping.stats.models import RollupState
from haochaping.stats.periods import Period
from tests.factories import logged_in

NOW = datetime(2026, 10, 15, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_dashboard_defaults_to_the_last_six_whole_months(personas: SimpleNamespace) -> None:
    RollupState.objects.update_or_create(name="main", defaults={
        "last_run_at": datetime(2026, 10, 15, 9, 58, tzinfo=SHANGHAI)})
    with time_machine.travel(NOW, tick=False):
        response = logged_in(personas.supervisor).get("/work/stats/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="start" value="2026-04-01"' in html
    assert 'name="end" value="2026-09-30"' in html
    assert "数据更新于 2026-10-15 09:58" in html
    assert html.count("<thead>") >= 6
    assert "\u3000" in html  # the org tree is indented under the viewer's office


@pytest.mark.django_db
def test_dashboard_days_end_yesterday(personas: SimpleNamespace) -> None:
    with time_machine.travel(NOW, tick=False):
        html = logged_in(personas.supervisor).get("/work/stats/", {"period": "day"}
                                                  ).content.decode()
    assert 'name="end" value="2026-10-14"' in html
    assert 'name="start" value="2026-09-15"' in html
    assert "统计尚未汇总" in html


@pytest.mark.django_db
@pytest.mark.parametrize(("period", "day"), [("month", date(2026, 9, 30)),
                                             ("quarter", date(2026, 9, 30)),
                                             ("year", date(2025, 12, 31))])
def test_ranking_defaults_to_the_last_ended_period(personas: SimpleNamespace, period: str,
                                                   day: date) -> None:
    with time_machine.travel(NOW, tick=False):
        response = logged_in(personas.supervisor).get("/work/stats/ranking/",
                                                      {"period": period})
    assert response.status_code == 200
    assert response.context["day"] == day
    html = response.content.decode()
    assert f'name="day" value="{day.isoformat()}"' in html
    assert "数据更新于" in html


@pytest.mark.django_db
def test_an_asked_day_is_kept(personas: SimpleNamespace) -> None:
    with time_machine.travel(NOW, tick=False):
        response = logged_in(personas.supervisor).get("/work/stats/ranking/",
                                                      {"day": "2026-10-03"})
    assert response.context["day"] == date(2026, 10, 3)


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 1, 1)),
       st.sampled_from(list(Period)))
def test_the_last_complete_period_has_ended(today: date, period: Period) -> None:
    end = periods.last_complete(today, period)
    assert end < today
    assert periods.bucket_start(today, period) == end + timedelta(days=1)
    start, last = periods.default_span(today, period, 6)
    assert last == end
    assert periods.window(period, start, last).buckets == 6


def test_direction() -> None:
    assert periods.direction(3, 2) == "up"
    assert periods.direction(1.5, 2) == "down"
    assert periods.direction(2, 2) == "flat"
    assert periods.direction(None, 2) == ""
    assert periods.direction(2, None) == ""
