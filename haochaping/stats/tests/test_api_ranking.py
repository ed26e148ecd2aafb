"""Rankings and their weights over HTTP (/api/v1/stats/ranking/)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from haochaping.audit.models import AuditEvent
from haochaping.stats.models import RankingWeights
from haochaping.stats.tests.test_ranking import months  # noqa: F401  (fixture)
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
URL = "/api/v1/stats/ranking"
WEIGHTS = {"satisfaction": 40, "participation": 30, "on_time_rectification": 20,
           "bad_review": 10, "min_sample": 2, "bottom_count": 1, "bottom_periods": 3}


def test_supervisor_sets_weights_and_the_ranking_uses_them(
        months: SimpleNamespace, personas: SimpleNamespace) -> None:  # noqa: F811
    client = logged_in(personas.supervisor)
    put = client.put(f"{URL}/ranking-weights", json.dumps(WEIGHTS),
                     content_type="application/json")
    assert put.status_code == 200
    assert put.json()["satisfaction"] == 40
    assert AuditEvent.objects.filter(action="stats.ranking_weights_set").count() == 1
    assert client.get(f"{URL}/ranking-weights").json()["min_sample"] == 2

    body = client.get(f"{URL}/rankings", {"level": "org", "period": "month",
                                          "day": "2026-09-15"}).json()
    assert body["weights"]["satisfaction"] == 40
    ranked = [row for row in body["rows"] if not row["insufficient"]]
    assert [row["rank"] for row in ranked] == [1, 2]
    assert ranked[0]["name"] == months.loc.market.name


@pytest.mark.parametrize(("persona", "status", "code"), [
    ("handler", 403, "forbidden.role"), ("auditor", 403, "forbidden.role"),
    ("district_supervisor", 403, "forbidden.role")])
def test_others_cannot_change_weights(personas: SimpleNamespace, persona: str, status: int,
                                      code: str) -> None:
    response = logged_in(getattr(personas, persona)).put(
        f"{URL}/ranking-weights", json.dumps(WEIGHTS), content_type="application/json")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert not RankingWeights.objects.exists()
    assert not AuditEvent.objects.filter(action="stats.ranking_weights_set").exists()


def test_weights_must_add_up(personas: SimpleNamespace) -> None:
    bad = {**WEIGHTS, "satisfaction": 90}
    response = logged_in(personas.supervisor).put(
        f"{URL}/ranking-weights", json.dumps(bad), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "ranking.weights"
    assert not RankingWeights.objects.exists()


def test_bad_level_is_refused(personas: SimpleNamespace) -> None:
    response = logged_in(personas.supervisor).get(f"{URL}/rankings", {"level": "planet"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
