"""Figures read from rollups match the raw rows; scope, drill-down and the API."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client

from haochaping.accounts.scoping import actor_for_user
from haochaping.core.errors import AppError
from haochaping.evaluations.models import Evaluation
from haochaping.stats import drill, selectors
from haochaping.stats.models import EvaluationRollup
from haochaping.stats.rules import Figure, Period, local_day, satisfaction_rate
from haochaping.stats.tests.test_rollup_equals_raw import Simulation

URL = "/api/v1/stats"


def _span() -> tuple[Any, Any]:
    days = [local_day(e.created_at) for e in Evaluation.objects.all()]
    return min(days), max(days)


def test_org_figures_equal_raw_counts(simulated: Simulation) -> None:
    first, last = _span()
    rows = selectors.figures(actor_for_user(simulated.town.people.admin), group_by=("org",),
                             period=Period.MONTH, start=first, end=last)
    for row in rows:
        valid = Evaluation.objects.filter(org_id=row.key["org"], is_current=True,
                                          invalidated_at=None, is_default=False)
        levels = Counter(valid.values_list("level", flat=True))
        assert [row.counts.level(v) for v in (5, 4, 3, 2, 1)] == [levels[v] for v in
                                                                  (5, 4, 3, 2, 1)]
        assert row.figures[Figure.SATISFACTION] == satisfaction_rate(row.counts)
    assert {r.key["org"] for r in rows} == set(Evaluation.objects.values_list("org_id",
                                                                              flat=True))


def test_scope_limits_a_handler_to_its_subtree(simulated: Simulation) -> None:
    first, last = _span()
    people, loc = simulated.town.people, simulated.town.loc
    rows = selectors.figures(actor_for_user(people.handler), group_by=("org",),
                             period=Period.DAY, start=first, end=last)
    assert {r.key["org"] for r in rows} == {loc.market.pk}
    with pytest.raises(AppError) as exc:
        selectors.figures(actor_for_user(people.window_staff), group_by=("org",),
                          period=Period.DAY, start=first, end=last)
    assert exc.value.code == "forbidden.role"


def test_period_rows_sum_to_the_whole_and_compare_with_previous(simulated: Simulation) -> None:
    first, last = _span()
    admin = actor_for_user(simulated.town.people.admin)
    whole = selectors.figures(admin, group_by=(), period=Period.DAY, start=first, end=last)
    by_day = selectors.figures(admin, group_by=("period",), period=Period.DAY, start=first,
                               end=last)
    assert len(whole) == 1
    total = sum((r.counts for r in by_day[1:]), by_day[0].counts)
    assert total == whole[0].counts
    k = ((last - first).days + 1) // 2
    second = selectors.figures(admin, group_by=(), period=Period.DAY,
                               start=first + timedelta(days=k),
                               end=first + timedelta(days=2 * k - 1))
    direct = selectors.figures(admin, group_by=(), period=Period.DAY, start=first,
                               end=first + timedelta(days=k - 1), compare_previous=False)
    assert second[0].previous == direct[0].counts
    assert second[0].previous_figures == direct[0].figures


def test_drilldown_returns_the_rows_behind_the_bad_review_count(simulated: Simulation) -> None:
    first, last = _span()
    admin = actor_for_user(simulated.town.people.admin)
    market = simulated.town.loc.market.pk
    ids = drill.drilldown(admin, figure="bad_reviews", start=first, end=last,
                              key={"org": market})
    counted = sum(r.level_1 + r.level_2 for r in EvaluationRollup.objects.filter(org=market))
    assert len(ids) == counted
    assert set(ids) == set(Evaluation.objects.filter(
        Q(level__lte=2), org=market, is_current=True, invalidated_at=None,
        is_default=False).values_list("pk", flat=True))


def test_api_figures_and_drilldown(simulated: Simulation, client: Client) -> None:
    first, last = _span()
    client.force_login(simulated.town.people.supervisor)
    response = client.get(f"{URL}/figures", {"group_by": "org,period", "period": "month",
                                             "start": first, "end": last})
    assert response.status_code == 200
    body = response.json()
    assert body["rows"]
    assert "satisfaction_rate" in body["rows"][0]["figures"]
    drill = client.get(f"{URL}/drilldown", {"figure": "real_ratings", "start": first,
                                            "end": last})
    assert drill.status_code == 200
    assert len(drill.json()["evaluation_ids"]) == sum(
        r["counts"]["level_5"] + r["counts"]["level_4"] + r["counts"]["level_3"]
        + r["counts"]["level_2"] + r["counts"]["level_1"] for r in body["rows"])


@pytest.mark.parametrize(("params", "code"), [
    ({"group_by": "colour"}, "stats.group_by"),
    ({"start": "2025-02-01", "end": "2025-01-01"}, "stats.range"),
])
def test_api_bad_input(simulated: Simulation, client: Client, params: dict[str, str],
                       code: str) -> None:
    before = EvaluationRollup.objects.count()
    client.force_login(simulated.town.people.supervisor)
    query = {"start": "2025-01-01", "end": "2025-02-01", **params}
    response = client.get(f"{URL}/figures", query)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert EvaluationRollup.objects.count() == before


def test_api_needs_the_stats_scope(simulated: Simulation, client: Client) -> None:
    client.force_login(simulated.town.people.window_staff)
    response = client.get(f"{URL}/figures", {"start": "2025-01-01", "end": "2025-01-31"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden.scope"


def test_api_scope_narrows_to_an_org_subtree(simulated: Simulation, client: Client) -> None:
    """``scope``: the org and every org below it, inside the caller's own subtree; the
    totals equal the rows of those orgs, and an org outside is unknown (404)."""
    first, last = _span()
    loc = simulated.town.loc
    client.force_login(simulated.town.people.supervisor)
    query = {"group_by": "org", "period": "month", "start": first, "end": last}
    whole = {r["key"]["org"]: r for r in client.get(f"{URL}/figures", query).json()["rows"]}
    district = client.get(f"{URL}/figures", {**query, "scope": loc.district_office.pk})
    assert district.status_code == 200
    rows = {r["key"]["org"]: r for r in district.json()["rows"]}
    in_district = {loc.district_office.pk, loc.district_hr.pk}
    assert rows
    assert set(rows) <= in_district
    assert rows == {k: v for k, v in whole.items() if k in in_district}
    drill = client.get(f"{URL}/drilldown", {"figure": "real_ratings", "start": first,
                                            "end": last, "scope": loc.district_office.pk})
    assert set(drill.json()["evaluation_ids"]) == set(Evaluation.objects.filter(
        org_id__in=in_district, is_current=True, invalidated_at=None,
        is_default=False).values_list("pk", flat=True))

    client.force_login(simulated.town.people.handler)  # the market's handler
    for outside in (loc.district_office.pk, 999_999):
        refused = client.get(f"{URL}/figures", {**query, "scope": outside})
        assert refused.status_code == 404
        assert refused.json()["code"] == "stats.scope"
