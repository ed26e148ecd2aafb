"""The tabular figures (layout=columns): the database's quotients equal the rules', the
field selection and its refusals, the bad-review cut, the rollup-keyed cache, and that
rollup deletes stay single statements."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.db.models.deletion import Collector
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from haochaping.accounts.scoping import actor_for_user
from haochaping.core.errors import ValidationError
from haochaping.evaluations.models import Evaluation
from haochaping.stats import rollup, rules, selectors
from haochaping.stats.models import EvaluationRollup, OrgDayRollup, OrgMonthRollup
from haochaping.stats.tests.test_rollup_equals_raw import Simulation

URL = "/api/v1/stats/figures"


def _span() -> tuple[date, date]:
    days = [rules.local_day(e.created_at) for e in Evaluation.objects.all()]
    first, last = min(days), max(days)
    return first.replace(day=1), last


counts_st = st.builds(rules.Counts, *[st.integers(0, 10_000) for _ in rules.COUNT_FIELDS])


@settings(max_examples=60)
@given(counts_st, counts_st)
def test_every_figure_is_linear_in_the_counts(a: rules.Counts, b: rules.Counts) -> None:
    """What lets the database compute the figures from rules.coefficients."""
    for which, terms in rules.TERMS.items():
        both = terms(a + b)
        assert both == tuple(x + y for x, y in zip(terms(a), terms(b), strict=True))
        top, bottom = rules.coefficients(which)
        assert terms(a) == (sum(k * getattr(a, n) for n, k in top.items()),
                            sum(k * getattr(a, n) for n, k in bottom.items()))


@pytest.mark.parametrize(("group_by", "period"), [
    (("org",), rules.Period.MONTH), (("org", "period"), rules.Period.MONTH),
    (("period",), rules.Period.DAY), (("window",), rules.Period.MONTH),
    (("channel",), rules.Period.MONTH), (("staff", "period"), rules.Period.WEEK),
    ((), rules.Period.MONTH), (("region", "period"), rules.Period.MONTH),
])
def test_the_table_equals_the_figures(simulated: Simulation, group_by: tuple[str, ...],
                                      period: rules.Period) -> None:
    actor = actor_for_user(simulated.town.people.supervisor)
    first, last = _span()
    table = selectors.figure_table(actor, group_by=group_by, period=period, start=first,
                                   end=last)
    rows = json.loads(table.rows_json)
    expected = selectors.figures(actor, group_by=group_by, period=period, start=first,
                                 end=last, compare_previous=False)
    assert len(rows) == len(expected)
    assert rows
    width = len(group_by)
    assert table.header[:width] == list(group_by)
    by_key = {tuple(str(v) for v in r.key.values()): r for r in expected}
    for row in rows:
        figure_row = by_key[tuple(str(v) for v in row[:width])]
        for name, value in zip(table.header[width:], row[width:], strict=True):
            if name in rules.COUNT_FIELDS:
                assert value == getattr(figure_row.counts, name), name
            else:
                assert value == rules.as_float(figure_row.counts, rules.Figure(name)), name


def test_fields_pick_the_columns_and_unknown_ones_are_refused(simulated: Simulation) -> None:
    actor = actor_for_user(simulated.town.people.supervisor)
    first, last = _span()
    table = selectors.figure_table(actor, group_by=("org",), period=rules.Period.MONTH,
                                   start=first, end=last,
                                   fields=("level_1", "satisfaction_rate"))
    assert table.header == ["org", "level_1", "satisfaction_rate"]
    assert all(len(row) == 3 for row in json.loads(table.rows_json))
    for bad in (("colour",), ("level_1", "level_1")):
        with pytest.raises(ValidationError) as refused:
            selectors.figure_table(actor, group_by=("org",), period=rules.Period.MONTH,
                                   start=first, end=last, fields=bad)
        assert refused.value.code == "stats.fields"


def test_the_api_answers_columns(simulated: Simulation, client: Client) -> None:
    client.force_login(simulated.town.people.supervisor)
    first, last = _span()
    query = {"group_by": "org,period", "period": "month", "start": first, "end": last,
             "layout": "columns", "compare_previous": "false",
             "fields": "level_5,level_4,level_3,level_2,level_1,satisfaction_rate"}
    body = client.get(URL, query).json()
    assert body["columns"] == ["org", "period", "level_5", "level_4", "level_3", "level_2",
                               "level_1", "satisfaction_rate"]
    rated = sum(sum(row[2:7]) for row in body["rows"])
    assert rated == sum(r.counts.real_ratings for r in selectors.figures(
        actor_for_user(simulated.town.people.supervisor), group_by=(),
        period=rules.Period.MONTH, start=first, end=last, compare_previous=False))
    for params, code in (({"compare_previous": "true"}, "stats.layout"),
                         ({"fields": "nonsense"}, "stats.fields")):
        response = client.get(URL, {**query, **params})
        assert response.status_code == 422
        assert response.json()["code"] == code


def test_top_bad_keeps_whole_counts_of_the_worst_groups(simulated: Simulation) -> None:
    actor = actor_for_user(simulated.town.people.admin)
    first, last = _span()
    every = selectors.figures(actor, group_by=("org",), period=rules.Period.MONTH,
                              start=first, end=last, compare_previous=False)
    worst = selectors.figures(actor, group_by=("org",), period=rules.Period.MONTH,
                              start=first, end=last, compare_previous=False, top_bad=1)
    with_bad = [r for r in every if r.counts.bad_reviews]
    assert len(worst) == min(1, len(with_bad))
    if worst:
        most = max(r.counts.bad_reviews for r in with_bad)
        assert worst[0].counts.bad_reviews == most
        assert worst[0].counts == next(r.counts for r in every if r.key == worst[0].key)


def test_the_dashboard_shows_new_figures_after_the_rollups_change(
        simulated: Simulation, client: Client) -> None:
    client.force_login(simulated.town.people.supervisor)
    first, last = _span()
    params = {"period": "day", "start": first.isoformat(), "end": last.isoformat()}

    def shown() -> int:
        html = client.get("/work/stats/", params).content.decode()
        marker = 'data-testid="kpi-real_ratings">'
        return int(html.split(marker, 1)[1].split("<", 1)[0])

    before = shown()
    assert shown() == before  # served from stats.cache
    Evaluation.objects.filter(is_current=True, invalidated_at__isnull=True,
                              is_default=False).update(invalidated_at=simulated.now,
                                                       invalid_reason="经核实为恶意差评")
    assert shown() == before  # the rollups have not run yet
    simulated.tick()
    rollup.rollup_tick(simulated.now)
    assert shown() == 0


def test_rollup_rows_are_deleted_in_one_statement() -> None:
    """No receiver may listen to every model's delete: Django would then load each
    rollup row to send it a signal (rollup upkeep deletes thousands per run)."""
    for model in (EvaluationRollup, OrgDayRollup, OrgMonthRollup):
        assert Collector(using="default").can_fast_delete(model._default_manager.all())


def test_the_dashboard_lists_the_lowest_participation_and_links_every_department(
        simulated: Simulation, client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from haochaping.stats.views import panels

    monkeypatch.setattr(panels, "PARTICIPATION_ROWS", 1)
    client.force_login(simulated.town.people.supervisor)
    first, last = _span()
    html = client.get("/work/stats/", {"period": "day", "start": first.isoformat(),
                                       "end": last.isoformat()}).content.decode()
    charts = json.loads(html.split('id="st-data" type="application/json">', 1)[1]
                        .split("</script>", 1)[0])
    assert len(charts["participation"]) == 1
    assert 'data-testid="participation-note"' in html
    assert "/work/stats/export/participation.xlsx?" in html
    assert "/work/stats/export/participation.csv?" in html


@pytest.mark.parametrize(("group_by", "period", "whole_span"), [
    (("org",), rules.Period.MONTH, False), (("org", "period"), rules.Period.MONTH, True),
    (("org", "period"), rules.Period.DAY, True), (("channel", "org"), rules.Period.MONTH, False),
])
def test_groups_of_one_row_read_the_rows_as_the_aggregate_would(
        simulated: Simulation, group_by: tuple[str, ...], period: rules.Period,
        whole_span: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """One month across orgs (or a month or day trend) is read without GROUP BY, since
    each group is one row of the table: the same figures as summing."""
    actor = actor_for_user(simulated.town.people.supervisor)
    first, last = _span()
    if not whole_span:
        last = rules.shift(first, rules.Period.MONTH, 1) - timedelta(days=1)
    win = rules.window(period, first, last)
    chosen = selectors.tables(group_by, {}, win)
    columns = [selectors.DIMENSIONS[g] for g in group_by]
    assert len(chosen) == 1
    assert selectors._one_row_per_group(chosen[0], columns, win)

    def both() -> tuple[list[Any], bytes]:
        rows = selectors.figures(actor, group_by=group_by, period=period, start=first,
                                 end=last, compare_previous=False)
        table = selectors.figure_table(actor, group_by=group_by, period=period, start=first,
                                       end=last)
        return [(r.key, r.counts) for r in rows], table.rows_json

    plain = both()
    monkeypatch.setattr(selectors, "_one_row_per_group", lambda *args: False)
    assert plain == both()
    assert plain[0]
