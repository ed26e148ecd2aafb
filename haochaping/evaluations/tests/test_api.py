"""Channel 6 (app / mini program API) and channel 5 (phone invitation) over HTTP."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client, override_settings

from haochaping.catalog.models import PolicyOverride
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.tests import factories as ef
from haochaping.evaluations.tests.factories import snapshot

pytestmark = pytest.mark.django_db

URL = "/api/v1/evaluations"


def body(h: Any, **over: Any) -> dict[str, Any]:
    data = {"proj_no": h.proj_no, "level": 5, "item_levels": {"overall": 5},
            "content_codes": ["510"], "channel": "app", "rater": {"id_no": ef.ID_NO}}
    data.update(over)
    return data


def post(key: str, data: dict[str, Any], url: str = URL) -> Any:
    return Client().post(url, json.dumps(data), content_type="application/json",
                         HTTP_X_API_KEY=key, HTTP_USER_AGENT="HaiyangApp/3.2",
                         REMOTE_ADDR="203.0.113.9")


def refused(status: int, code: str, key: str, data: dict[str, Any]) -> dict[str, Any]:
    before = snapshot()
    response = post(key, data)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert snapshot() == before
    return dict(response.json())


def test_app_submits_a_rating(world: SimpleNamespace) -> None:
    h = world.handling()
    response = post(world.app_key, body(h))
    assert response.status_code == 201, response.content
    [out] = response.json()
    assert out["proj_no"] == h.proj_no
    assert out["level"] == 5
    assert out["assess_number"] == 1
    row = Evaluation.objects.get(public_id=out["public_id"])
    assert (row.client_id, row.channel, row.ip, row.user_agent) == (
        world.app.pk, "app", "203.0.113.9", "HaiyangApp/3.2")


def test_rater_by_phone_matches(world: SimpleNamespace) -> None:
    h = world.handling(offline=False)
    data = body(h, channel="mini_program", rater={"phone": "138 1234 1234"},
                item_levels={"operability": 4})
    assert post(world.app_key, data).status_code == 201


@pytest.mark.parametrize("rater", [{"id_no": "110105198001010016"}, {"phone": "13900001111"},
                                   {"id_type": "414", "id_no": ef.ID_NO}])
def test_another_rater_is_refused(world: SimpleNamespace, rater: dict[str, str]) -> None:
    refused(403, "evaluation.rater_mismatch", world.app_key, body(world.handling(), rater=rater))


def test_bad_inputs_are_refused_and_write_nothing(world: SimpleNamespace) -> None:
    h = world.handling()
    refused(422, "evaluation.reason_required", world.app_key, body(h, level=1, content_codes=[]))
    refused(422, "evaluation.text_too_long", world.app_key, body(h, text="长" * 501))
    refused(422, "invalid_request", world.app_key, body(h, level=7))
    refused(422, "invalid_request", world.app_key, body(h, channel="evaluator"))
    refused(422, "invalid_request", world.app_key, body(h, rater={}))
    refused(404, "handling.not_found", world.app_key, body(h, proj_no="NOPE"))
    pending = world.handling(status="accepted")
    refused(409, "evaluation.not_completed", world.app_key, body(pending))


def test_scope_and_subtree_are_enforced(world: SimpleNamespace) -> None:
    h = world.handling()
    _, handlings_key = ef.make_client(world.loc.market, scopes=("handlings:write",))
    refused(403, "forbidden.scope", handlings_key, body(h))
    _, district_key = ef.make_client(world.loc.district_office)
    refused(404, "handling.not_found", district_key, body(h))
    refused(401, "auth.invalid_key", "hcp_000000000000_wrong", body(h))


def test_batch_rating_through_the_api(world: SimpleNamespace) -> None:
    a = world.handling(batch_no="B9")
    b = world.handling(batch_no="B9")
    stranger = world.handling(batch_no="B9", rater=world.other_rater)
    response = post(world.app_key, body(a, for_batch=True))
    assert response.status_code == 201
    assert sorted(out["proj_no"] for out in response.json()) == sorted([a.proj_no, b.proj_no])
    assert not Evaluation.objects.filter(handling=stranger).exists()


@override_settings(HCP_RATE_LIMITS={"rater": (2, 600)})
def test_too_many_ratings_for_one_rater_are_rate_limited(world: SimpleNamespace) -> None:
    PolicyOverride.objects.create(org=None, key="multiple_ratings", value="latest_wins")
    h = world.handling()
    assert post(world.app_key, body(h)).status_code == 201
    assert post(world.app_key, body(h)).status_code == 201
    refused(429, "rate_limited", world.app_key, body(h))


def test_standard_for_the_form(world: SimpleNamespace) -> None:
    response = Client().get(f"{URL}/standard", HTTP_X_API_KEY=world.app_key)
    assert response.status_code == 200
    data = response.json()
    assert data["code"] == "national-v2"
    assert [lv["level"] for lv in data["levels"]] == [5, 4, 3, 2, 1]
    five = data["levels"][0]["items"]
    assert five[0]["code"] == "510"
    assert any(i["shown_by_default"] for i in five)
    assert {i["code"] for i in data["indicators"]["offline"]} >= {"overall", "attitude"}
    assert any(r["code"] == "other" and r["free_text"] for r in data["reasons"])
    assert Client().get(f"{URL}/standard").json()["code"] == "auth.missing_credentials"


def test_rater_handlings_are_masked(world: SimpleNamespace) -> None:
    h = world.handling()
    world.handling(rater=world.other_rater)
    response = Client().post("/api/v1/raters/handlings", {"phone": ef.PHONE},
                             content_type="application/json",
                             HTTP_X_API_KEY=world.app_key)
    assert response.status_code == 200
    [row] = response.json()
    assert row["proj_no"] == h.proj_no
    assert row["rateable"]
    assert not row["rated"]
    assert row["rater"] == "张*"
    assert ef.PHONE not in response.content.decode()
    assert ef.ID_NO not in response.content.decode()


def phone_body(h: Any, **over: Any) -> dict[str, Any]:
    data = {"handling_id": h.pk, "level": 4, "content_codes": ["406"]}
    data.update(over)
    return data


def session(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_phone_invitation_over_http(world: SimpleNamespace) -> None:
    PolicyOverride.objects.create(org=None, key="phone_invitation", value=True)
    h = world.handling()
    people = world.people
    listed = session(people.supervisor).get(f"{URL}/phone/unrated")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()] == [h.pk]
    assert listed.json()[0]["rater_phone"] == "138****1234"
    assert session(people.window_staff).get(f"{URL}/phone/unrated").json()["code"] == \
        "forbidden.role"

    before = snapshot()
    denied = session(people.window_staff).post(f"{URL}/phone", json.dumps(phone_body(h)),
                                               content_type="application/json")
    assert denied.status_code == 403
    assert denied.json()["code"] == "evaluation.phone_entry_forbidden"
    outside = session(people.district_supervisor).post(
        f"{URL}/phone", json.dumps(phone_body(h)), content_type="application/json")
    assert outside.json()["code"] == "handling.not_found"
    assert snapshot() == before

    ok = session(people.supervisor).post(f"{URL}/phone", json.dumps(phone_body(h)),
                                         content_type="application/json")
    assert ok.status_code == 201, ok.content
    row = Evaluation.objects.get(handling=h)
    assert (row.channel, row.entered_by_id) == ("phone", people.supervisor.pk)
    assert session(people.supervisor).get(f"{URL}/phone/unrated").json() == []


def test_phone_endpoint_needs_a_session(world: SimpleNamespace) -> None:
    h = world.handling()
    response = post(world.app_key, phone_body(h), url=f"{URL}/phone")
    assert response.status_code == 401
    assert not Evaluation.objects.exists()


def test_the_same_proj_no_from_two_systems_needs_client_system(world: SimpleNamespace) -> None:
    h = world.handling()
    other_system, _ = ef.make_client(world.loc.market, scopes=("handlings:write",),
                                     name="不动产系统")
    world.handling(client=other_system, proj_no=h.proj_no)
    refused(409, "handling.ambiguous", world.app_key, body(h))
    response = post(world.app_key, body(h, client_system="审批系统"))
    assert response.status_code == 201, response.content
    assert Evaluation.objects.get().handling_id == h.pk
    refused(404, "handling.not_found", world.app_key, body(h, client_system="没有这个系统"))


def test_an_app_scoped_to_another_subtree_cannot_find_the_handling(
        world: SimpleNamespace) -> None:
    _, district_key = ef.make_client(world.loc.district_office)
    refused(404, "handling.not_found", district_key, body(world.handling()))


def test_a_rating_that_raced_in_is_seen_before_a_second_one(world: SimpleNamespace) -> None:
    """A rating whose handling row says it was rated at another moment than the current
    rating read with the lock is read again (locking.lock_for_rating)."""
    from django.utils import timezone

    from haochaping.evaluations.locking import lock_for_rating
    from haochaping.handlings.models import Handling

    h = world.handling()
    assert post(world.app_key, body(h)).status_code == 201
    first = lock_for_rating(h.pk)
    assert first.current is not None
    assert first.current.level == 5
    Handling.objects.filter(pk=h.pk).update(rated_at=timezone.now())
    again = lock_for_rating(h.pk)
    assert (again.current_id, again.current) == (first.current_id, first.current)
    refused(409, "evaluation.already_rated", world.app_key, body(h, level=4, content_codes=[]))
