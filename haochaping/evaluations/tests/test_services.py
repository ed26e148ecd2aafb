"""evaluation_submit, evaluation_invalidate and device_create against the database."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from haochaping.accounts.rules import hash_key
from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import PolicyOverride
from haochaping.catalog.rules.standards import Channel
from haochaping.core.errors import AppError
from haochaping.evaluations.invitations import invitation_create
from haochaping.evaluations.locking import LOCK_FIELDS, lock_for_rating
from haochaping.evaluations.models import Device, Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import (
    device_create,
    evaluation_invalidate,
    evaluation_submit,
    sweep_default_ratings,
)
from haochaping.evaluations.sms.invitations import sweep_sms_invitations
from haochaping.evaluations.tests.factories import snapshot
from haochaping.handlings.models import Handling
from haochaping.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db

GOOD = RatingInput(5, {"overall": 5}, ["510"])
BAD = RatingInput(1, reason_codes=["108"], text="多次被要求补充材料")


def policy(**values: object) -> None:
    for key, value in values.items():
        PolicyOverride.objects.create(org=None, key=key, value=value)


def refused(code: str, **kw: object) -> AppError:
    before = snapshot()
    with pytest.raises(AppError) as exc:
        evaluation_submit(**kw)  # type: ignore[arg-type]
    assert exc.value.code == code
    assert snapshot() == before
    return exc.value


def test_submit_copies_the_facts_and_voids_the_deadlines(world: SimpleNamespace) -> None:
    h = world.handling(invite_due_at=timezone.now(), default_due_at=timezone.now())
    [row] = evaluation_submit(handling=h, rating=GOOD, channel=Channel.EVALUATOR,
                              ip="10.0.0.8", user_agent="pad/1.0")
    assert (row.org_id, row.matter_id, row.hall_id, row.window_id, row.staff_id,
            row.rater_id) == (h.org_id, h.matter_id, h.hall_id, h.window_id, h.staff_id,
                              h.rater_id)
    assert row.is_current
    assert row.assess_number == 1
    assert row.standard_version.is_active
    assert (row.ip, row.user_agent, row.channel) == ("10.0.0.8", "pad/1.0", "evaluator")
    h.refresh_from_db()
    assert h.rated_at == row.created_at
    # The deadlines stay on the row (a HOT update) but are void: each sweep clears them in
    # bulk and neither sends an invitation nor adds a default rating.
    later = timezone.now() + timedelta(minutes=1)
    assert sweep_sms_invitations(later).summary() == "invited=0 skipped=0"
    assert sweep_default_ratings(later) == "default ratings: 0 created, 0 skipped"
    h.refresh_from_db()
    assert (h.invite_due_at, h.default_due_at) == (None, None)
    assert list(Evaluation.objects.filter(handling=h)) == [row]
    assert not OutboxMessage.objects.exists()


def test_bad_content_writes_nothing(world: SimpleNamespace) -> None:
    h = world.handling()
    err = refused("evaluation.reason_required", handling=h, rating=RatingInput(2),
                  channel=Channel.WEB)
    assert err.status == 422
    refused("evaluation.invalid_content", handling=h, rating=RatingInput(5, content_codes=["207"]),
            channel=Channel.WEB)


@pytest.mark.parametrize(("status", "code"), [("in_progress", "evaluation.not_completed"),
                                              ("withdrawn", "evaluation.withdrawn")])
def test_uncompleted_handlings_are_refused(world: SimpleNamespace, status: str,
                                           code: str) -> None:
    h = world.handling(status=status)
    assert refused(code, handling=h, rating=GOOD, channel=Channel.WEB).status == 409


def test_after_the_supplementary_window_is_refused(world: SimpleNamespace) -> None:
    h = world.handling(rating_closes_at=timezone.now() - timedelta(minutes=1))
    refused("evaluation.window_closed", handling=h, rating=GOOD, channel=Channel.WEB)


def test_one_per_service_refuses_a_second_rating(world: SimpleNamespace) -> None:
    h = world.handling()
    evaluation_submit(handling=h, rating=GOOD, channel=Channel.WEB)
    refused("evaluation.already_rated", handling=h, rating=BAD, channel=Channel.WEB)


def test_latest_wins_supersedes_and_keeps_history(world: SimpleNamespace) -> None:
    policy(multiple_ratings="latest_wins")
    h = world.handling()
    [first] = evaluation_submit(handling=h, rating=GOOD, channel=Channel.WEB)
    [second] = evaluation_submit(handling=h, rating=BAD, channel=Channel.APP)
    [third] = evaluation_submit(handling=h, rating=GOOD, channel=Channel.APP)
    first.refresh_from_db()
    second.refresh_from_db()
    assert not first.is_current
    assert first.superseded_at == second.created_at
    assert not second.is_current
    assert third.is_current
    assert [first.assess_number, second.assess_number, third.assess_number] == [1, 2, 2]
    assert Evaluation.objects.filter(handling=h, is_current=True).count() == 1


def test_sms_follow_up_completes_a_bare_digit_rating(world: SimpleNamespace) -> None:
    h = world.handling()
    refused("evaluation.reason_required", handling=h, rating=RatingInput(1),
            channel=Channel.SMS)  # the SMS link's form: no reply, so it needs the reason
    [digit] = evaluation_submit(handling=h, rating=RatingInput(1), channel=Channel.SMS,
                                sms_reply=True)
    [follow] = evaluation_submit(handling=h, rating=RatingInput(1, text="等待时间超过两小时"),
                                 channel=Channel.SMS, assess_number=2)
    digit.refresh_from_db()
    assert not digit.is_current
    assert follow.is_current
    assert follow.assess_number == 2
    refused("evaluation.already_rated", handling=h, rating=RatingInput(1, text="再说一次原因"),
            channel=Channel.SMS, assess_number=2)


def test_batch_rating_applies_to_each_completed_handling(world: SimpleNamespace) -> None:
    a = world.handling(batch_no="B1")
    b = world.handling(batch_no="B1")
    c = world.handling(batch_no="B1")
    pending = world.handling(batch_no="B1", status="in_progress")
    other = world.handling(batch_no="B2")
    evaluation_submit(handling=c, rating=GOOD, channel=Channel.WEB)  # rated on its own
    rows = evaluation_submit(handling=a, rating=GOOD, channel=Channel.WEB, for_batch=True)
    assert sorted(r.handling_id for r in rows) == sorted([a.pk, b.pk])
    assert not Evaluation.objects.filter(handling__in=[pending, other]).exists()
    assert Evaluation.objects.filter(handling=c).count() == 1


def test_batch_rating_covers_only_its_raters_handlings(world: SimpleNamespace) -> None:
    """Seed 003 §11: one rating applies to each of ITS RATER's handlings in the batch;
    another applicant's handling under the same batch number stays unrated."""
    a = world.handling(batch_no="B5")
    b = world.handling(batch_no="B5")
    stranger = world.handling(batch_no="B5", rater=world.other_rater)
    rows = evaluation_submit(handling=a, rating=GOOD, channel=Channel.WEB, for_batch=True)
    assert sorted(r.handling_id for r in rows) == sorted([a.pk, b.pk])
    stranger.refresh_from_db()
    assert stranger.rated_at is None
    assert not Evaluation.objects.filter(handling=stranger).exists()
    [own] = evaluation_submit(handling=stranger, rating=BAD, channel=Channel.WEB,
                              for_batch=True)
    assert (own.handling_id, own.rater_id, own.level) == (stranger.pk, world.other_rater.pk, 1)


def test_invitation_is_used_once_and_only_for_its_handling(world: SimpleNamespace) -> None:
    h = world.handling()
    other = world.handling()
    inv, _ = invitation_create(handling=h, rater=h.rater, channel="link",
                               ttl=timedelta(days=1))
    err = refused("invitation.mismatch", handling=other, rating=GOOD, channel=Channel.WEB,
                  invitation=inv)
    assert err.status == 403
    [row] = evaluation_submit(handling=h, rating=GOOD, channel=Channel.WEB, invitation=inv)
    inv.refresh_from_db()
    assert inv.used_at == row.created_at
    assert row.invitation_id == inv.pk
    policy(multiple_ratings="latest_wins")
    refused("invitation.used", handling=h, rating=GOOD, channel=Channel.WEB, invitation=inv)


def test_phone_invitation_by_the_office(world: SimpleNamespace) -> None:
    h = world.handling()
    people = world.people
    refused("evaluation.phone_disabled", handling=h, rating=GOOD, channel=Channel.PHONE,
            entered_by=people.supervisor)
    policy(phone_invitation=True)
    refused("evaluation.phone_entry_forbidden", handling=h, rating=GOOD,
            channel=Channel.PHONE, entered_by=people.handler)
    people.window_staff.role = "supervisor"  # even promoted, never for their own service
    refused("evaluation.self_rating", handling=h, rating=GOOD, channel=Channel.PHONE,
            entered_by=people.window_staff)
    [row] = evaluation_submit(handling=h, rating=GOOD, channel=Channel.PHONE,
                              entered_by=people.supervisor)
    assert row.entered_by_id == people.supervisor.pk
    assert row.channel == "phone"


def test_invalidate_once_by_the_office_and_audited(world: SimpleNamespace) -> None:
    [row] = evaluation_submit(handling=world.handling(), rating=BAD, channel=Channel.WEB)
    people = world.people
    with pytest.raises(AppError) as exc:
        evaluation_invalidate(actor=actor_for_user(people.handler), evaluation=row,
                              reason="恶意差评")
    assert exc.value.code == "forbidden.role"
    with pytest.raises(AppError) as exc:
        evaluation_invalidate(actor=actor_for_user(people.district_supervisor),
                              evaluation=row, reason="恶意差评")
    assert exc.value.code == "forbidden.scope"
    row.refresh_from_db()
    assert row.invalidated_at is None
    events = AuditEvent.objects.count()
    evaluation_invalidate(actor=actor_for_user(people.supervisor), evaluation=row,
                          reason="经核实为恶意差评")
    row.refresh_from_db()
    assert row.invalidated_at is not None
    assert row.invalid_reason == "经核实为恶意差评"
    assert AuditEvent.objects.count() == events + 1
    with pytest.raises(AppError) as exc:
        evaluation_invalidate(actor=actor_for_user(people.supervisor), evaluation=row,
                              reason="再次作废")
    assert exc.value.code == "evaluation.already_invalidated"
    assert AuditEvent.objects.count() == events + 1


def test_device_create_returns_the_key_once(world: SimpleNamespace) -> None:
    actor = actor_for_user(world.people.supervisor)
    device, raw = device_create(actor=actor, window=world.loc.window, kind="evaluator",
                                name="1号窗口评价器")
    assert device.key_hash == hash_key(raw)
    assert raw not in device.key_hash
    assert raw.split("_")[1] == device.key_prefix
    with pytest.raises(AppError) as exc:
        device_create(actor=actor_for_user(world.people.handler), window=world.loc.window,
                      kind="evaluator", name="x")
    assert exc.value.code == "forbidden.role"
    with pytest.raises(AppError) as exc:
        device_create(actor=actor, window=world.loc.window, kind="phone", name="x")
    assert exc.value.code == "device.invalid_kind"
    assert Device.objects.count() == 1


@pytest.mark.postgres  # PostgreSQL heap-only tuples
def test_rating_updates_the_handling_in_place(world: SimpleNamespace) -> None:
    """The rating's one handling update touches no indexed column, so PostgreSQL makes it
    a HOT update (no new entry in the handling's indexes): an index on ``rated_at`` or
    a second column in handlings.marks.rated_statement would undo that."""
    h = world.handling(invite_due_at=timezone.now(), default_due_at=timezone.now())

    def counts() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
                           "WHERE relname = 'handlings_handling'")
            updated, hot = cursor.fetchone()
            return int(updated), int(hot)

    updated, hot = counts()
    evaluation_submit(handling=h, rating=GOOD, channel=Channel.WEB)
    assert counts() == (updated + 1, hot + 1), "the rating's handling update was not HOT"


def test_the_locked_handling_carries_the_rows_values(world: SimpleNamespace) -> None:
    """The rating's lock reads only the columns the rating needs (LOCK_FIELDS), built into
    the model as the ORM would (SQLite's text dates converted); the rest load on access."""
    from django.db import transaction

    h = world.handling(batch_no="PC-7", rating_closes_at=timezone.now() + timedelta(days=3))
    stored = Handling.objects.get(pk=h.pk)
    with transaction.atomic():
        locked = lock_for_rating(h.pk)
    row = locked.handling
    for name in LOCK_FIELDS:
        assert getattr(row, name) == getattr(stored, name), name
    assert row.get_deferred_fields()
    assert row.rater.phone_index == stored.rater.phone_index
    assert locked.org_path == stored.org.path
    assert row.completed_at == stored.completed_at  # not locked for: loads on access
