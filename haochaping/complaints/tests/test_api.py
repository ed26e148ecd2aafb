"""The app / mini-program API /api/v1/complaints: auth and scope, bad bodies refused
unwritten, the client's own items only, Idempotency-Key."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from haochaping.complaints.models import Submission
from haochaping.evaluations.tests.factories import ID_NO, make_client
from haochaping.vault.models import Rater
from tests.factories import logged_in

from .public_helpers import ANSWER, CLEAR, PHONE, answered, writes

pytestmark = pytest.mark.django_db
URL = "/api/v1/complaints"


@pytest.fixture(autouse=True)
def _fresh() -> None:
    cache.clear()


@pytest.fixture
def app(locality: SimpleNamespace) -> SimpleNamespace:
    client, key = make_client(locality.market, scopes=("complaint_filing:write",),
                              name="豫事办")
    return SimpleNamespace(client=client, key=key)


def body(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": "complaint", "content": CLEAR,
                            "subject": {"org_code": "MARKET"},
                            "submitter": {"name": "李四", "id_no": ID_NO, "phone": PHONE},
                            "reply_channel": "app", "urgency": "normal"}
    data.update(fields)
    return data


def post(key: str | None, data: Any, **headers: str) -> Any:
    extra = {"HTTP_X_API_KEY": key} if key else {}
    extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    return Client().post(URL, data, content_type="application/json", **extra)


def test_files_an_item_into_the_vault(app: SimpleNamespace, locality: SimpleNamespace) -> None:
    response = post(app.key, body(urgency="urgent"))
    assert response.status_code == 201, response.json()
    out = response.json()
    item = Submission.objects.get(ref=out["ref"])
    assert (item.channel, item.kind, item.client, item.org) == (
        "app", "complaint", app.client, locality.market)
    # routed to the department at intake (services.dispatch)
    assert (out["status"], out["status_label"]) == ("dispatched", "办理中")
    assert out["refusal"] is None
    assert [s["label"] for s in out["timeline"]][:2] == ["已收到", "已受理"]
    rater = Rater.objects.get(pk=item.submitter_id)
    assert rater.id_no_masked.startswith("1101")
    assert ID_NO not in str(out)
    assert item.phone_index == rater.phone_index


def test_a_refused_item_says_why_and_where(app: SimpleNamespace) -> None:
    out = post(app.key, body(content="你好？")).json()
    assert out["status"] == "refused"
    assert out["refusal"]["code"] == "no_content"
    assert "请补充" in out["refusal"]["where"]


def test_no_key_wrong_key_wrong_scope_and_a_session(app: SimpleNamespace,
                                                    locality: SimpleNamespace,
                                                    personas: SimpleNamespace) -> None:
    assert post(None, body()).status_code == 401
    assert post("hcp_nope_nope", body()).status_code == 401
    _, other = make_client(locality.market, scopes=("evaluations:write",))
    denied = post(other, body())
    assert denied.status_code == 403
    assert denied.json()["code"] == "forbidden.scope"
    session = logged_in(personas.supervisor).post(URL, body(),
                                                  content_type="application/json")
    assert session.status_code == 403
    assert session.json()["code"] == "complaint.client_only"
    assert not Submission.objects.exists()


@pytest.mark.parametrize(("data", "code", "field"), [
    (body(kind="bad_review"), "complaint.invalid_kind", "kind"),
    (body(kind="comment"), "complaint.invalid_kind", "kind"),
    (body(content=" "), "complaint.content_required", "content"),
    (body(content="长" * 4001), "invalid_request", "content"),
    (body(reply_channel="remote"), "complaint.invalid_reply_channel", "reply_channel"),
    (body(urgency="now"), "complaint.invalid_urgency", "urgency"),
    (body(subject={"org_code": "NOPE"}), "complaint.subject_unknown", "subject.org_code"),
    (body(subject={"window_code": "NOPE"}), "complaint.subject_unknown",
     "subject.window_code"),
    (body(subject={"matter_code": "NOPE"}), "complaint.subject_unknown",
     "subject.matter_code"),
    (body(submitter={"name": "", "phone": PHONE}), "complaint.name_required", "name"),
    (body(submitter={"name": "李四", "phone": ""}), "complaint.phone_required", "phone"),
    (body(submitter={"name": "李四", "phone": "123"}), "handling.bad_phone", "phone"),
    (body(submitter={"name": "李四", "phone": PHONE, "id_no": "110105194912310021"}),
     "handling.bad_id_no", "id_no"),
    (body(submitter={"name": "李四"}), "invalid_request", "submitter.phone"),
    ({"kind": "complaint"}, "invalid_request", "content"),
    ([1, 2], "invalid_request", "kind"),
])
def test_bad_bodies_are_refused_with_a_code_and_nothing_written(
        app: SimpleNamespace, data: Any, code: str, field: str | None) -> None:
    before = writes()
    response = post(app.key, data)
    assert response.status_code == 422, response.json()
    out = response.json()
    assert out["code"] == code
    assert out["field"] == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in out["message"])
    assert writes() == before


def test_invalid_json_is_400(app: SimpleNamespace) -> None:
    response = Client().post(URL, "{", content_type="application/json",
                             HTTP_X_API_KEY=app.key)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


def test_idempotency_key_replays_the_first_answer(app: SimpleNamespace) -> None:
    first = post(app.key, body(), **{"Idempotency-Key": "app-42"})
    again = post(app.key, body(), **{"Idempotency-Key": "app-42"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Submission.objects.count() == 1
    reused = post(app.key, body(content=CLEAR + "补充"), **{"Idempotency-Key": "app-42"})
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency.key_reused"
    assert Submission.objects.count() == 1


def test_reads_its_own_items_only(app: SimpleNamespace, locality: SimpleNamespace,
                                  personas: SimpleNamespace) -> None:
    ref = post(app.key, body()).json()["ref"]
    item = answered(Submission.objects.get(ref=ref), personas.supervisor, locality)
    read = Client().get(f"{URL}/{ref.lower()}", HTTP_X_API_KEY=app.key)
    assert read.status_code == 200
    out = read.json()
    assert out["status"] == "answered"
    assert out["answer"]["text"] == ANSWER
    assert out["handling_org"] == locality.market.name
    assert "内部" not in str(out)
    assert "王晓明" not in str(out)
    _, other = make_client(locality.market, scopes=("complaint_filing:write",), name="别的App")
    hidden = Client().get(f"{URL}/{item.ref}", HTTP_X_API_KEY=other)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "complaint.not_found"
    assert Client().get(f"{URL}/{item.ref}").status_code == 401


def test_the_cause_is_optional_and_checked(app: SimpleNamespace) -> None:
    """问题类别 (issue 14 §7): stored when given, an unknown code refused unwritten."""
    done = post(app.key, body(cause="attitude"))
    assert done.status_code == 201, done.json()
    assert Submission.objects.get(ref=done.json()["ref"]).cause == "attitude"
    before = writes()
    bad = post(app.key, body(cause="rude", content=CLEAR + "另外补充一句。"))
    assert bad.status_code == 422
    assert bad.json()["code"] == "complaint.invalid_cause"
    assert "问题类别无效" in bad.json()["message"]
    assert writes() == before
