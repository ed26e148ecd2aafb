"""``Idempotency-Key`` on the API's POSTs (issue 17, core.idempotency): a retry with the
same key replays the first answer (status and body) instead of a 409; keys are scoped per
client, refused when reused for another request, and kept for a set time."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from haochaping.core.models import IdempotentRequest
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.tests import factories as ef

pytestmark = pytest.mark.django_db
URL = "/api/v1/evaluations"


@pytest.fixture
def app(locality: SimpleNamespace) -> SimpleNamespace:
    _, key = ef.make_client(locality.city_office)
    _, other_key = ef.make_client(locality.city_office, name="另一个 App")
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    handling = ef.make_handling(locality, client=source, rater=ef.make_rater())
    body = {"proj_no": handling.proj_no, "level": 5, "item_levels": {"overall": 5},
            "content_codes": ["510"], "channel": "app", "rater": {"id_no": ef.ID_NO}}
    return SimpleNamespace(key=key, other_key=other_key, body=body)


def post(api_key: str, body: dict[str, Any], idempotency_key: str | None = None) -> Any:
    headers = {"X-Api-Key": api_key}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return Client().post(URL, json.dumps(body), content_type="application/json",
                         headers=headers)


def test_a_retry_with_the_same_key_replays_the_first_answer(app: SimpleNamespace) -> None:
    first = post(app.key, app.body, "rate-1")
    again = post(app.key, app.body, "rate-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Evaluation.objects.count() == 1
    # without the key, the same retry is the 409 a client cannot interpret
    assert post(app.key, app.body).json()["code"] == "evaluation.already_rated"


def test_keys_are_scoped_per_client(app: SimpleNamespace) -> None:
    assert post(app.key, app.body, "same").status_code == 201
    other = post(app.other_key, app.body, "same")
    assert (other.status_code, other.json()["code"]) == (409, "evaluation.already_rated")
    assert "Idempotent-Replayed" not in other


def test_a_key_reused_for_another_request_is_refused(app: SimpleNamespace) -> None:
    post(app.key, app.body, "k")
    reused = post(app.key, {**app.body, "level": 4}, "k")
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency.key_reused")
    assert Evaluation.objects.get().level == 5


def test_an_answer_is_kept_for_the_set_time(app: SimpleNamespace) -> None:
    post(app.key, app.body, "old")
    IdempotentRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    late = post(app.key, app.body, "old")  # runs again: the rating exists now
    assert (late.status_code, late.json()["code"]) == (409, "evaluation.already_rated")
    assert IdempotentRequest.objects.get().status == 409


def test_answers_that_did_nothing_are_not_kept(app: SimpleNamespace) -> None:
    assert post(app.key + "x", app.body, "auth").status_code == 401
    assert not IdempotentRequest.objects.exists()
    assert post(app.key, app.body, "auth").status_code == 201


@pytest.mark.parametrize("bad", ["", "x" * 101, "含中文", "has space"])
def test_a_malformed_key_is_refused(app: SimpleNamespace, bad: str) -> None:
    response = post(app.key, app.body, bad)
    assert (response.status_code, response.json()["code"]) == (422, "idempotency.invalid_key")
    assert not Evaluation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_hourly_job_prunes_expired_answers_only() -> None:
    from haochaping.core.engine.worker import run_due
    from haochaping.core.jobs import JOBS

    job = next(j for j in JOBS if j.name == "core.idempotency_prune")
    now = timezone.now()
    for key, expires in (("old", now - timedelta(minutes=1)), ("live", now + timedelta(hours=1))):
        IdempotentRequest.objects.create(scope="key:x", key=key, fingerprint="f", status=200,
                                         content_type="application/json", body=b"{}",
                                         created_at=now - timedelta(hours=25), expires_at=expires)
    assert run_due(now, (job,)) == {job.name: "pruned 1"}
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["live"]
