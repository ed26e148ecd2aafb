"""The SMS channel in the demo (issue 3, channel 4): the build leaves one invitation to the
demo applicant queued for the worker, and a reply signed as the gateway signs it (what
``demo_sms_reply`` sends) rates the handling, asks for the reason of a 差评 and takes it."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from haochaping.demo.showcase import DEMO_PHONE, DEMO_PROJ_PREFIX, demo_rater
from haochaping.demo.sms_gateway import WEBHOOK_PATH, reply_request
from haochaping.evaluations.models import Evaluation, Invitation
from haochaping.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _reply(client: Client, text: str, secret: str | None = None) -> tuple[int, dict[str, str]]:
    body, headers = reply_request(secret=secret or settings.HCP_SMS_GATEWAY_SECRET,
                                  phone=DEMO_PHONE, text=text, now_epoch=time.time())
    response = client.post(WEBHOOK_PATH, data=body, content_type="application/json",
                           headers={k: v for k, v in headers.items() if k != "Content-Type"})
    return response.status_code, response.json()


def test_the_demo_applicant_has_a_queued_sms_invitation(built: str) -> None:
    rater = demo_rater()
    assert rater is not None
    queued = OutboxMessage.objects.filter(rater=rater, template="evaluation_invite")
    assert [m.status for m in queued] == ["pending"]  # the worker of `make run` sends it
    invitation = Invitation.objects.get(rater=rater, channel="sms")
    assert invitation.handling is not None
    assert invitation.handling.proj_no.startswith(DEMO_PROJ_PREFIX)
    assert invitation.handling.rated_at is None


def test_a_bad_sms_reply_rates_and_its_reason_follows(built: str, client: Client) -> None:
    rater = demo_rater()
    handling = Invitation.objects.get(rater=rater, channel="sms").handling

    assert _reply(client, "2") == (200, {"outcome": "rated_bad"})
    rating = Evaluation.objects.get(handling=handling, is_current=True)
    assert (rating.level, rating.channel, rating.is_default) == (2, "sms", False)
    assert OutboxMessage.objects.filter(rater=rater, template="bad_reason_followup").count() == 1

    assert _reply(client, "窗口排队时间太长，材料被退回两次") == (200, {"outcome": "follow_up"})
    current = Evaluation.objects.get(handling=handling, is_current=True)
    assert current.text == "窗口排队时间太长，材料被退回两次"
    assert current.level == 2


def test_a_reply_signed_with_another_secret_changes_nothing(built: str, client: Client) -> None:
    before = Evaluation.objects.count()
    status, answer = _reply(client, "5", secret="not-the-gateway")
    assert (status, answer["code"]) == (401, "notify.bad_signature")
    assert Evaluation.objects.count() == before


def test_the_command_names_a_server_it_cannot_reach(built: str) -> None:
    with pytest.raises(CommandError, match="无法连接 http://127.0.0.1:9"):
        call_command("demo_sms_reply", "5", url="http://127.0.0.1:9", stdout=StringIO())


def test_demo_info_tells_how_to_reply(built: str) -> None:
    out = StringIO()
    call_command("demo_info", stdout=out)
    assert "haochaping demo sms-reply 5" in out.getvalue()


def test_demo_info_names_the_port_the_server_runs_on(built: str) -> None:
    """The printed command reaches the server wherever it runs (issue 16)."""
    out = StringIO()
    call_command("demo_info", port=8123, stdout=out)
    assert "haochaping demo sms-reply 5 --url http://127.0.0.1:8123" in out.getvalue()
