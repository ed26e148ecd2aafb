"""The retention purge (vault.retention, vault.purge; docs/privacy.md): raters past the
policy's period lose their identity, everything counted stays as it was."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.standards import Channel
from haochaping.core.errors import AppError
from haochaping.core.jobs import JOBS
from haochaping.core.localtime import local_day
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.evaluations.tests.conftest import _fresh_rate_counters, world
from haochaping.notify.models import InboundSms, OutboxMessage
from haochaping.stats import selectors
from haochaping.stats.rules import Period
from haochaping.stats.services import rebuild_all, rollup_tick
from haochaping.vault import retention
from haochaping.vault.models import Rater
from haochaping.vault.retention import purge_all
from haochaping.vault.services import rater_reveal
from tests.factories import earlier_today

__all__ = ["_fresh_rate_counters", "world"]
pytestmark = pytest.mark.django_db

LATER = timedelta(days=4 * 365)  # past the national three years (retention_identity)


@pytest.fixture
def rated(world: SimpleNamespace) -> SimpleNamespace:
    """Two ratings by 张三 and one by 李四; 李四 still has a message queued."""
    for level in (5, 1):
        evaluation_submit(handling=world.handling(), rating=RatingInput(
            level, reason_codes=["108"] if level == 1 else [], text="态度不好" if level == 1
            else ""), channel=Channel.WEB)
    evaluation_submit(handling=world.handling(rater=world.other_rater),
                      rating=RatingInput(4), channel=Channel.WEB)
    OutboxMessage.objects.create(template="invite", rater=world.other_rater,
                                 dedupe_key="retention-test", next_attempt_at=timezone.now())
    return world


def _figures(world: SimpleNamespace) -> Any:
    rollup_tick(timezone.now())
    day = local_day(earlier_today(1))
    rows = selectors.figures(actor_for_user(world.people.supervisor), group_by=("org",),
                             period=Period.DAY, start=day, end=day, compare_previous=False)
    return [(row.key, row.counts) for row in rows]


def _ratings() -> list[tuple[Any, ...]]:
    return list(Evaluation.objects.order_by("pk").values_list(
        "pk", "rater_id", "level", "text", "org_id", "created_at", "is_current"))


def _purges() -> list[dict[str, Any]]:
    return list(AuditEvent.objects.filter(action="privacy.purge").order_by("pk")
                .values_list("after", flat=True))


def test_nothing_is_purged_within_the_period(rated: SimpleNamespace) -> None:
    outcomes = purge_all(now=timezone.now() + timedelta(days=1000))
    assert sum(o.rows for o in outcomes) == 0
    assert not Rater.objects.filter(purged_at__isnull=False).exists()
    assert _purges() == []


def test_past_the_period_identity_goes_and_statistics_stay(rated: SimpleNamespace) -> None:
    figures, ratings = _figures(rated), _ratings()
    assert figures  # something is counted
    zhang, li = rated.rater, rated.other_rater
    by_model = {o.model: o.rows for o in purge_all(now=timezone.now() + LATER)}
    assert by_model["handlings.Rater"] == 1  # 李四's queued message keeps him

    zhang.refresh_from_db()
    assert (zhang.name_cipher, zhang.id_no_cipher, zhang.phone_cipher) == ("", "", "")
    assert (zhang.id_no_index, zhang.phone_index) == ("", "")
    assert zhang.identity_index == f"purged:{zhang.pk}"
    assert (zhang.name_masked, zhang.id_no_masked, zhang.phone_masked) == ("已清除",) * 3
    assert zhang.purged_at is not None
    li.refresh_from_db()
    assert li.purged_at is None
    assert li.phone_cipher

    # Ratings are untouched and every figure is the same, incrementally and rebuilt.
    assert _ratings() == ratings
    assert _figures(rated) == figures
    rebuild_all()
    assert _figures(rated) == figures

    [event] = [e for e in _purges() if e["policy"] == "retention_identity"]
    assert event["rows"] == 1
    assert ef.PHONE not in str(event)
    assert "张" not in str(event)


def test_a_second_run_purges_nothing_more(rated: SimpleNamespace) -> None:
    later = timezone.now() + LATER
    purge_all(now=later)
    audited = len(_purges())
    assert sum(o.rows for o in purge_all(now=later)) == 0
    assert len(_purges()) == audited


def test_revealing_a_purged_rater_says_so(rated: SimpleNamespace) -> None:
    purge_all(now=timezone.now() + LATER)
    with pytest.raises(AppError) as refused:
        rater_reveal(actor=actor_for_user(rated.people.supervisor),
                     rater=Rater.objects.get(pk=rated.rater.pk), purpose="差评回访")
    assert (refused.value.code, refused.value.status) == ("rater.purged", 410)
    assert refused.value.message == "该评价人信息已按保存期限清除"
    assert not AuditEvent.objects.filter(action="rater.reveal").exists()


def test_the_same_person_rating_again_later_is_a_new_rater(rated: SimpleNamespace) -> None:
    purge_all(now=timezone.now() + LATER)
    again = ef.make_rater()
    assert again.pk != rated.rater.pk
    assert again.purged_at is None


def test_dry_run_counts_and_writes_nothing(rated: SimpleNamespace) -> None:
    OutboxMessage.objects.create(template="invite", rater=rated.rater, to_cipher="x",
                                 params_cipher="y", status="sent", dedupe_key="old-sent",
                                 next_attempt_at=timezone.now())
    out = StringIO()
    call_command("privacy_purge", "--dry-run", stdout=out)
    assert "试运行" in out.getvalue()
    assert not Rater.objects.filter(purged_at__isnull=False).exists()
    counts = {o.model: o.rows for o in purge_all(now=timezone.now() + LATER, dry_run=True)}
    assert counts["handlings.Rater"] == 1
    assert counts["notify.OutboxMessage"] == 1
    assert not Rater.objects.filter(purged_at__isnull=False).exists()
    assert OutboxMessage.objects.filter(to_cipher="x").exists()
    assert _purges() == []


def test_old_sms_addresses_and_replies_are_emptied(rated: SimpleNamespace) -> None:
    OutboxMessage.objects.create(template="invite", rater=rated.rater, to_cipher="x",
                                 params_cipher="y", status="sent", dedupe_key="old-sent",
                                 next_attempt_at=timezone.now())
    InboundSms.objects.create(phone_index="ab" * 32, body="1", provider_id="p-1")
    purge_all(now=timezone.now() + timedelta(days=200), batch_size=1)
    sent = OutboxMessage.objects.get(dedupe_key="old-sent")
    assert (sent.to_cipher, sent.params_cipher, sent.status) == ("", "", "sent")
    reply = InboundSms.objects.get(provider_id="p-1")
    assert (reply.phone_index, reply.body) == ("", "")
    pending = OutboxMessage.objects.get(dedupe_key="retention-test")
    assert pending.status == "pending"  # queued messages are never touched
    assert Rater.objects.filter(purged_at__isnull=False).count() == 0  # 200 days < 3 years
    models = {e["policy"] for e in _purges()}
    assert models == {"retention_messages"}


def test_the_purge_fails_closed_without_every_activity_source(
        rated: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(retention.activity, "complaints")
    with pytest.raises(ImproperlyConfigured):
        purge_all(now=timezone.now() + LATER)
    assert not Rater.objects.filter(purged_at__isnull=False).exists()


def test_the_purge_is_a_daily_job() -> None:
    [job] = [j for j in JOBS if j.name == "vault.retention_purge"]
    assert job.task == "haochaping.vault.tasks.retention_purge"
    assert job.every_seconds == 24 * 3600


def test_a_closed_items_contact_goes_an_open_items_stays(world: SimpleNamespace) -> None:
    from haochaping.complaints.models import Submission
    from haochaping.complaints.services.intake import Subject, submission_receive

    text = "在市场监管局窗口办理食品经营许可时，窗口人员要求重复提交同样的材料，希望改进。"
    closed, still_open = (submission_receive(
        kind="inquiry", channel="web", content=text, subject=Subject(matter=world.loc.matter),
        submitter_id=rater.pk, phone_index=rater.phone_index)
        for rater in (world.rater, world.other_rater))
    long_ago = timezone.now() - LATER
    Submission.objects.filter(pk=closed.pk).update(status="closed", closed_at=long_ago,
                                                   updated_at=long_ago)
    counts = {o.model: o.rows for o in purge_all(now=timezone.now() + LATER)}
    assert counts["complaints.Submission"] == 1
    assert Submission.objects.get(pk=closed.pk).phone_index == ""
    assert Submission.objects.get(pk=still_open.pk).phone_index == world.other_rater.phone_index
    # The open item's submitter is still needed; the closed one's is not.
    assert set(Rater.objects.filter(purged_at__isnull=False).values_list("pk", flat=True)) == {
        world.rater.pk}


def test_a_rater_with_a_bound_privacy_number_is_kept(rated: SimpleNamespace) -> None:
    from haochaping.notify.models import RelayBinding

    now = timezone.now()
    RelayBinding.objects.create(ref="workorder:1", rater=rated.rater, backend="fake",
                                status="bound", created_at=now, expires_at=now)
    assert sum(o.rows for o in purge_all(now=now + LATER)
               if o.model == "handlings.Rater") == 0
    assert not Rater.objects.filter(purged_at__isnull=False).exists()
