"""The inbound SMS webhook end to end over HTTP: signature, idempotency, 1–5 ratings,
the 差评 follow-up question and the reason reply (seed 003 §7, §9(三))."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from haochaping.evaluations.invitations import invitation_create
from haochaping.evaluations.models import Evaluation, Invitation
from haochaping.evaluations.sms.invitations import sweep_sms_invitations
from haochaping.handlings.models import Handling
from haochaping.notify import rules
from haochaping.notify.models import InboundSms, OutboxMessage
from haochaping.notify.tests.conftest import SECRET
from haochaping.notify.tests.factories import PHONE, make_client, make_completed, make_rater

pytestmark = pytest.mark.django_db

URL = "/api/v1/notify/sms/inbound"
COMPLETED = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REASON = "窗口工作人员态度不好，让我跑了三次"


@pytest.fixture
def invited(locality: SimpleNamespace, settings: Any) -> Iterator[Handling]:
    """A handling whose SMS invitation went out; the clock stands 2 h later."""
    settings.HCP_SMS_GATEWAY_SECRET = SECRET
    handling = make_completed(locality, client=make_client(locality), rater=make_rater(),
                              completed_at=COMPLETED)
    sweep_sms_invitations(COMPLETED + timedelta(hours=24))
    with time_machine.travel(COMPLETED + timedelta(hours=26), tick=False) as traveller:
        handling.traveller = traveller  # type: ignore[attr-defined]
        yield handling


def _post(text: str, *, message_id: str = "m-1", sender: str = f"+86{PHONE}",
          secret: str = SECRET, signed: bool = True) -> Any:
    body = json.dumps({"message_id": message_id, "from": sender, "text": text},
                      ensure_ascii=False).encode()
    headers = {}
    if signed:
        timestamp = str(int(time.time()))
        headers = {rules.TIMESTAMP_HEADER: timestamp,
                   rules.SIGNATURE_HEADER: rules.sign(secret, timestamp, body)}
    return Client().post(URL, data=body, content_type="application/json", headers=headers)


def _nothing_written() -> bool:
    return not (InboundSms.objects.exists() or Evaluation.objects.exists())


@pytest.mark.parametrize("kwargs", [{"signed": False}, {"secret": "forged-secret"}])
def test_unsigned_or_forged_call_is_refused(invited: Handling, kwargs: dict[str, Any]) -> None:
    response = _post("5", **kwargs)
    assert response.status_code == 401
    assert response.json()["code"] == "notify.bad_signature"
    assert _nothing_written()


def test_replayed_old_signature_is_refused(invited: Handling) -> None:
    body = b'{"message_id": "m-1", "from": "13800138000", "text": "5"}'
    old = str(int(time.time()) - 600)
    response = Client().post(URL, data=body, content_type="application/json", headers={
        rules.TIMESTAMP_HEADER: old, rules.SIGNATURE_HEADER: rules.sign(SECRET, old, body)})
    assert response.status_code == 401
    assert _nothing_written()


def test_invalid_payload_is_refused(invited: Handling) -> None:
    response = _post("5", message_id="")
    assert response.status_code == 422
    assert response.json()["code"] == "notify.invalid_payload"
    assert _nothing_written()


def test_control_characters_in_a_signed_reply_are_dropped(invited: Handling) -> None:
    """The webhook parses its signed raw body itself: its schema applies the edge's text
    rule (core.bounds.CleanStr); a NUL answered 500 on PostgreSQL (issue 17)."""
    response = _post("5\x00\x1b", message_id="m-\x00")
    assert response.status_code == 200, response.content
    assert (InboundSms.objects.get().body, Evaluation.objects.get().level) == ("5", 5)


@pytest.mark.parametrize("text", ["5", " ５ "])
def test_a_digit_rates_the_invited_handling(invited: Handling, text: str) -> None:
    response = _post(text)
    assert response.status_code == 200
    assert response.json() == {"outcome": "rated"}
    evaluation = Evaluation.objects.get()
    assert (evaluation.handling_id, evaluation.level, evaluation.channel) == (
        invited.pk, 5, "sms")
    assert evaluation.invitation_id == Invitation.objects.get().pk
    inbound = InboundSms.objects.get()
    assert inbound.outcome == "rated"
    assert inbound.body == text
    assert PHONE not in inbound.phone_index
    assert not OutboxMessage.objects.filter(template="bad_reason_followup").exists()


def test_duplicate_provider_id_rates_once(invited: Handling) -> None:
    assert _post("5").json() == {"outcome": "rated"}
    again = _post("5")
    assert again.status_code == 200
    assert again.json() == {"outcome": "duplicate"}
    assert Evaluation.objects.count() == 1
    assert InboundSms.objects.count() == 1


def test_bad_rating_asks_why_and_the_reply_becomes_the_follow_up(invited: Handling) -> None:
    assert _post("1", message_id="m-1").json() == {"outcome": "rated_bad"}
    first = Evaluation.objects.get()
    assert (first.level, first.assess_number, first.text) == (1, 1, "")
    question = OutboxMessage.objects.get(template="bad_reason_followup")
    assert question.rater_id == invited.rater_id
    assert question.dedupe_key == f"followup:{first.pk}"
    invited.traveller.shift(timedelta(hours=3))  # type: ignore[attr-defined]
    assert _post(REASON, message_id="m-2").json() == {"outcome": "follow_up"}
    follow_up = Evaluation.objects.get(is_current=True)
    assert (follow_up.level, follow_up.assess_number, follow_up.text) == (1, 2, REASON)
    assert follow_up.channel == "sms"
    first.refresh_from_db()
    assert not first.is_current
    # A second free-text reply finds no bad rating awaiting its reason.
    assert _post("还有一点补充说明的内容", message_id="m-3").json() == {"outcome": "ignored"}
    assert Evaluation.objects.count() == 2


def test_a_text_does_not_replace_the_reason_of_a_bad_rating_made_on_the_link(
        invited: Handling) -> None:
    """The SMS link's web form records channel sms with its reason: a later free-text SMS
    is no follow-up to it."""
    _, token = invitation_create(handling=invited, rater=invited.rater, channel="sms",
                                 ttl=timedelta(days=3))
    form = Client().post(f"/r/{token}", {"level": "1", "item_overall": "1", "text": REASON})
    assert form.status_code == 200
    rated = Evaluation.objects.get(is_current=True)
    assert (rated.channel, rated.text) == ("sms", REASON)
    assert _post("其实是另一件事", message_id="m-2").json() == {"outcome": "ignored"}
    assert Evaluation.objects.get(is_current=True).pk == rated.pk


def test_reason_after_24_hours_is_not_a_follow_up(invited: Handling) -> None:
    assert _post("2", message_id="m-1").json() == {"outcome": "rated_bad"}
    invited.traveller.shift(timedelta(hours=25))  # type: ignore[attr-defined]
    assert _post(REASON, message_id="m-2").json() == {"outcome": "ignored"}
    assert Evaluation.objects.count() == 1
    assert InboundSms.objects.get(provider_id="m-2").outcome == "ignored"


def test_unknown_phone_is_stored_and_answered_by_nothing(invited: Handling) -> None:
    response = _post("5", sender="13911112222")
    assert response.json() == {"outcome": "no_invitation"}
    assert not Evaluation.objects.exists()
    assert InboundSms.objects.get().outcome == "no_invitation"
    assert OutboxMessage.objects.count() == 1  # only the invitation itself


def test_reply_after_the_window_is_recorded_as_rejected(invited: Handling) -> None:
    invited.traveller.shift(timedelta(days=7))  # type: ignore[attr-defined]
    response = _post("4")
    # The SMS invitation lives exactly as long as the supplementary window (seed 003 §12).
    assert response.json() == {"outcome": "rejected:invitation.expired"}
    assert not Evaluation.objects.exists()
    assert InboundSms.objects.get().outcome == "rejected:invitation.expired"


def test_too_many_replies_from_one_phone_are_rate_limited(invited: Handling,
                                                          settings: Any) -> None:
    settings.HCP_SMS_INBOUND_PER_MINUTE = 2
    outcomes = [_post("好", message_id=f"m-{n}").json()["outcome"] for n in range(2)]
    assert outcomes == ["ignored", "ignored"]
    assert _post("5", message_id="m-9").json() == {"outcome": "rate_limited"}
    assert not Evaluation.objects.exists()
    assert InboundSms.objects.get(provider_id="m-9").outcome == "rate_limited"


def test_a_digit_rates_a_whole_invited_batch(locality: SimpleNamespace, settings: Any) -> None:
    settings.HCP_SMS_GATEWAY_SECRET = SECRET
    client, rater = make_client(locality), make_rater()
    batch = [make_completed(locality, client=client, rater=rater, completed_at=COMPLETED,
                            batch_no="B-7") for _ in range(2)]
    sweep_sms_invitations(COMPLETED + timedelta(hours=24))
    with time_machine.travel(COMPLETED + timedelta(hours=26), tick=False):
        assert _post("4").json() == {"outcome": "rated"}
    assert sorted(Evaluation.objects.values_list("handling_id", "level")) == sorted(
        (h.pk, 4) for h in batch)


def test_a_digit_rates_only_the_invited_systems_batch(locality: SimpleNamespace,
                                                      settings: Any) -> None:
    """Another business system's batch with the same number (and the same rater) keeps
    its own invitation: the reply to this one rates this system's batch only."""
    settings.HCP_SMS_GATEWAY_SECRET = SECRET
    rater = make_rater()
    invited, elsewhere = make_client(locality), make_client(locality)
    other = make_completed(locality, client=elsewhere, rater=rater,
                           completed_at=COMPLETED + timedelta(hours=6), batch_no="B-8")
    batch = [make_completed(locality, client=invited, rater=rater, completed_at=COMPLETED,
                            batch_no="B-8") for _ in range(2)]
    sweep_sms_invitations(COMPLETED + timedelta(hours=24))
    assert set(Invitation.objects.values_list("client_id", flat=True)) == {invited.pk}
    with time_machine.travel(COMPLETED + timedelta(hours=26), tick=False):
        assert _post("4").json() == {"outcome": "rated"}
    assert sorted(Evaluation.objects.values_list("handling_id", flat=True)) == sorted(
        h.pk for h in batch)
    other.refresh_from_db()
    assert other.rated_at is None
