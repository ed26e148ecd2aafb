"""The SMS invitation sweep, driven by advancing time (seed 003 §9(三): 24 h)."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from haochaping.core.engine.worker import run_due
from haochaping.core.jobs import JOBS
from haochaping.evaluations.invitations import invitation_resolve
from haochaping.evaluations.models import Invitation
from haochaping.evaluations.sms.invitations import sweep_sms_invitations
from haochaping.handlings.models import Handling
from haochaping.notify.backends import ConsoleBackend
from haochaping.notify.models import OutboxMessage
from haochaping.notify.services import deliver_due
from haochaping.notify.tests.conftest import _clean_state  # noqa: F401  (autouse: outbox, cache)
from haochaping.notify.tests.factories import PHONE, make_client, make_completed, make_rater

pytestmark = pytest.mark.django_db

COMPLETED = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _handling(locality: SimpleNamespace, **kwargs: str) -> Handling:
    return make_completed(locality, client=make_client(locality), rater=make_rater(),
                          completed_at=COMPLETED, **kwargs)


def test_nothing_before_24h_one_message_after_none_on_a_second_run(
        locality: SimpleNamespace) -> None:
    handling = _handling(locality)
    with time_machine.travel(COMPLETED + timedelta(hours=23, minutes=59), tick=False):
        assert sweep_sms_invitations(timezone.now()).invited == 0
    assert not OutboxMessage.objects.exists()
    with time_machine.travel(COMPLETED + timedelta(hours=24, seconds=1), tick=False):
        now = timezone.now()
        assert sweep_sms_invitations(now).invited == 1
        assert sweep_sms_invitations(now).invited == 0
        deliver_due(now)
    message = OutboxMessage.objects.get()
    assert message.dedupe_key == f"invite:{handling.pk}"
    assert message.template == "evaluation_invite"
    invitation = Invitation.objects.get()
    assert (invitation.handling_id, invitation.channel) == (handling.pk, "sms")
    assert invitation.expires_at == handling.rating_closes_at
    handling.refresh_from_db()
    assert handling.invite_due_at is None
    [sent] = ConsoleBackend.sent
    assert sent.to == PHONE
    assert "食品经营许可" in sent.text
    assert locality.market.name not in sent.text  # the org is on the page: one SMS shorter
    token = message.params["link"].rsplit("/r/", 1)[1]
    assert message.params["link"] == f"http://127.0.0.1:8000/r/{token}"
    with time_machine.travel(COMPLETED + timedelta(hours=25), tick=False):
        assert invitation_resolve(token).pk == invitation.pk


def test_link_uses_the_public_base_url(locality: SimpleNamespace, settings: object) -> None:
    settings.HCP_PUBLIC_BASE_URL = "https://hcp.example.gov.cn/"  # type: ignore[attr-defined]
    _handling(locality)
    sweep_sms_invitations(COMPLETED + timedelta(hours=25))
    assert OutboxMessage.objects.get().params["link"].startswith(
        "https://hcp.example.gov.cn/r/")


def test_rated_or_withdrawn_handlings_are_not_invited(locality: SimpleNamespace) -> None:
    rated = _handling(locality)
    Handling.objects.filter(pk=rated.pk).update(rated_at=COMPLETED)
    withdrawn = _handling(locality)
    Handling.objects.filter(pk=withdrawn.pk).update(status="withdrawn")
    report = sweep_sms_invitations(COMPLETED + timedelta(hours=25))
    # The rated one is cleared in bulk before the per-handling claims; the withdrawn one
    # is claimed and skipped.
    assert (report.invited, report.skipped) == (0, 1)
    assert not OutboxMessage.objects.exists()
    assert not Invitation.objects.exists()
    # Their deadlines were cleared, so later sweeps do not read them again.
    assert not Handling.objects.filter(invite_due_at__isnull=False).exists()


def test_a_batch_gets_one_invitation(locality: SimpleNamespace) -> None:
    client, rater = make_client(locality), make_rater()
    handlings = [make_completed(locality, client=client, rater=rater,
                                completed_at=COMPLETED, batch_no="B-001") for _ in range(3)]
    report = sweep_sms_invitations(COMPLETED + timedelta(hours=25))
    assert report.invited == 1
    message = OutboxMessage.objects.get()
    assert message.dedupe_key == f"invite:batch:{client.pk}:B-001:{rater.pk}"
    assert message.params["matter"] == "食品经营许可等3项事项"
    invitation = Invitation.objects.get()
    assert (invitation.handling_id, invitation.batch_no) == (None, "B-001")
    assert not Handling.objects.filter(pk__in=[h.pk for h in handlings],
                                       invite_due_at__isnull=False).exists()
    assert sweep_sms_invitations(COMPLETED + timedelta(hours=26)).invited == 0


def test_a_strangers_handling_in_the_batch_gets_its_own_invitation(
        locality: SimpleNamespace) -> None:
    """Seed 003 §11: the batch invitation covers its rater's handlings only; another
    applicant's handling under the same batch number keeps its deadline until the sweep
    reaches it, and is invited to its own phone."""
    client, rater = make_client(locality), make_rater()
    stranger = make_rater(phone="13900139000", name="李四")
    ours = [make_completed(locality, client=client, rater=rater, completed_at=COMPLETED,
                           batch_no="B-002") for _ in range(2)]
    theirs = make_completed(locality, client=client, rater=stranger,
                            completed_at=COMPLETED + timedelta(hours=2), batch_no="B-002")
    assert sweep_sms_invitations(COMPLETED + timedelta(hours=25)).invited == 1
    [message] = OutboxMessage.objects.all()
    assert (message.rater_id, message.params["matter"]) == (rater.pk, "食品经营许可等2项事项")
    assert not Handling.objects.filter(pk__in=[h.pk for h in ours],
                                       invite_due_at__isnull=False).exists()
    theirs.refresh_from_db()
    assert theirs.invite_due_at == COMPLETED + timedelta(hours=26)

    assert sweep_sms_invitations(COMPLETED + timedelta(hours=27)).invited == 1
    second = OutboxMessage.objects.exclude(pk=message.pk).get()
    assert second.rater_id == stranger.pk
    assert second.dedupe_key == f"invite:batch:{client.pk}:B-002:{stranger.pk}"
    assert second.params["matter"] == "食品经营许可"
    invitation = Invitation.objects.get(rater=stranger)
    assert (invitation.handling_id, invitation.batch_no) == (None, "B-002")


def test_the_worker_runs_the_declared_jobs(locality: SimpleNamespace) -> None:
    _handling(locality)
    jobs = {job.name: job for job in JOBS}
    now = COMPLETED + timedelta(hours=25)
    # The sweep fans out a chunk; the chunk's outbox row queues its own delivery.
    assert run_due(now, (jobs["notify.sms_invitations"],)) == {
        "notify.sms_invitations": "1 due, 1 chunks"}
    assert run_due(now, (jobs["notify.deliver"],)) == {
        "notify.deliver": "backlog 0 (+0 urgent), 0 drains"}
    assert len(ConsoleBackend.sent) == 1
    assert OutboxMessage.objects.get().status == "sent"


def test_worker_killed_mid_sweep_loses_and_duplicates_nothing(
        locality: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    handling = _handling(locality)
    now = COMPLETED + timedelta(hours=25)

    def die(**_: object) -> None:
        raise SystemExit("worker killed after the invitation, before the SMS row")

    monkeypatch.setattr("haochaping.evaluations.sms.invitations.outbox_enqueue", die)
    with pytest.raises(SystemExit):
        sweep_sms_invitations(now)
    # The claim and the invitation rolled back with the transaction.
    assert not Invitation.objects.exists()
    assert not OutboxMessage.objects.exists()
    handling.refresh_from_db()
    assert handling.invite_due_at is not None
    monkeypatch.undo()
    assert sweep_sms_invitations(now).invited == 1
    assert sweep_sms_invitations(now).invited == 0
    assert Invitation.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
