"""Stage ratings (环节) through the channels that offer them: the app / mini-program API
and the invitation page (HTTP end to end, SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.catalog.models import PolicyOverride
from haochaping.evaluations.invitations import invitation_create
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.tests import factories as ef
from haochaping.evaluations.tests.factories import make_stage, snapshot

pytestmark = pytest.mark.django_db
URL = "/api/v1/evaluations"


def body(h: Any, **over: Any) -> dict[str, Any]:
    data = {"proj_no": h.proj_no, "level": 5, "content_codes": ["510"], "channel": "app",
            "rater": {"id_no": ef.ID_NO}}
    data.update(over)
    return data


def post(key: str, data: dict[str, Any]) -> Any:
    return Client().post(URL, json.dumps(data), content_type="application/json",
                         HTTP_X_API_KEY=key)


@pytest.fixture
def staged(world: SimpleNamespace) -> Any:
    PolicyOverride.objects.create(org=None, key="ratable_stages",
                                  value=["apply", "amend", "done"])
    h = world.handling()
    make_stage(h, "apply")
    make_stage(h, "amend")
    make_stage(h, "pay")  # reported, but not ratable under this policy
    return h


def test_the_app_rates_a_stage_then_the_handling(world: SimpleNamespace, staged: Any) -> None:
    stage = post(world.app_key, body(staged, stage="申报"))
    assert stage.status_code == 201, stage.content
    [out] = stage.json()
    assert (out["stage"], out["stage_name"], out["proj_no"]) == ("apply", "申报",
                                                                 staged.proj_no)
    # the handling's locking read still finds one handling (its stage rating aside)
    whole = post(world.app_key, body(staged))
    assert whole.status_code == 201, whole.content
    assert (whole.json()[0]["stage"], whole.json()[0]["stage_name"]) == ("done", "办结")
    assert Evaluation.objects.filter(handling=staged, is_current=True).count() == 2


@pytest.mark.parametrize(("over", "status", "code"), [
    ({"stage": "受理"}, 422, "evaluation.unknown_stage"),
    ({"stage": "pay"}, 422, "evaluation.stage_not_ratable"),
    ({"stage": "apply", "for_batch": True}, 422, "evaluation.stage_batch"),
    ({"stage": "a" * 21}, 422, "invalid_request"),
])
def test_bad_stage_ratings_are_refused_and_write_nothing(
        world: SimpleNamespace, staged: Any, over: dict[str, Any], status: int,
        code: str) -> None:
    before = snapshot()
    response = post(world.app_key, body(staged, **over))
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert snapshot() == before


def test_a_stage_not_reported_is_a_conflict(world: SimpleNamespace) -> None:
    PolicyOverride.objects.create(org=None, key="ratable_stages", value=["sign", "done"])
    h = world.handling()
    before = snapshot()
    response = post(world.app_key, body(h, stage="sign"))
    assert (response.status_code, response.json()["code"]) == (409,
                                                               "evaluation.stage_not_reported")
    assert response.json()["field"] == "stage"
    assert snapshot() == before


def test_the_rater_s_handlings_list_their_ratable_stages(world: SimpleNamespace,
                                                         staged: Any) -> None:
    post(world.app_key, body(staged, stage="amend"))

    def listed() -> list[dict[str, Any]]:
        response = Client().post("/api/v1/raters/handlings", {"phone": ef.PHONE},
                                content_type="application/json",
                                HTTP_X_API_KEY=world.app_key)
        assert response.status_code == 200
        return [(s["stage"], s["name"], s["rated"], s["rateable"])
                for s in response.json()[0]["stages"]]

    assert listed() == [("apply", "申报", False, True), ("amend", "补正", True, False)]
    PolicyOverride.objects.create(org=world.loc.market, key="multiple_ratings",
                                  value="latest_wins")
    assert listed() == [("apply", "申报", False, True), ("amend", "补正", True, True)]


def test_the_invitation_page_offers_the_stages_and_records_the_choice(
        world: SimpleNamespace, staged: Any, client: Client) -> None:
    _, token = invitation_create(handling=staged, rater=world.rater, channel="link",
                                 ttl=timedelta(days=7))
    html = client.get(f"/r/{token}").content.decode()
    assert 'name="stage" value="apply"' in html
    assert 'name="stage" value="amend"' in html
    assert 'value="pay"' not in html
    assert "办件整体（办结）" in html
    response = client.post(f"/r/{token}", {"level": "2", "reason": ["207"], "stage": "amend"})
    assert response.status_code == 200
    assert "您的意见已受理" in response.content.decode()  # a 差评's thanks: its follow-up
    row = Evaluation.objects.get(handling=staged)
    assert (row.stage.stage, row.level, row.channel) == ("amend", 2, "web")
    assert row.invitation is not None
    assert row.invitation.used_at is not None


def test_a_forged_stage_on_the_page_is_refused_on_the_form(
        world: SimpleNamespace, staged: Any, client: Client) -> None:
    _, token = invitation_create(handling=staged, rater=world.rater, channel="link",
                                 ttl=timedelta(days=7))
    before = snapshot()
    response = client.post(f"/r/{token}", {"level": "5", "stage": "pay"})
    assert response.status_code == 422
    assert 'data-code="evaluation.stage_not_ratable"' in response.content.decode()
    assert snapshot() == before


def test_without_ratable_stages_the_page_is_as_before(world: SimpleNamespace,
                                                     client: Client) -> None:
    h = world.handling()
    make_stage(h, "apply")  # reported, but the national default rates the handling only
    _, token = invitation_create(handling=h, rater=world.rater, channel="link",
                                 ttl=timedelta(days=7))
    assert 'name="stage"' not in client.get(f"/r/{token}").content.decode()
    assert client.post(f"/r/{token}", {"level": "5"}).status_code == 200
    assert Evaluation.objects.get(handling=h).stage_id is None
