"""The outbox triggers (exchange.triggers): every exchanged change writes one row per
remote routed for its kind, in the writer's transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.models import PolicyOverride
from haochaping.catalog.rules.standards import Channel
from haochaping.core.localtime import local_day
from haochaping.evaluations import services as evaluations
from haochaping.evaluations.guards import EVALUATION_GUARD
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.exchange import triggers
from haochaping.exchange.models import OutboxRecord
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.tests.factories import make_remote
from haochaping.handlings.models import Handling
from haochaping.handlings.services import handling_intake
from tests.factories import seed_completed_handlings
from tests.records import guard_lifted

pytestmark = pytest.mark.django_db


def rows() -> list[tuple[int, str, str]]:
    return list(OutboxRecord.objects.order_by("pk").values_list(
        "remote_id", "record_key", "status"))


def test_every_trigger_is_installed() -> None:
    """All of them, after every migration: SQLite rebuilds a table to alter it, which
    drops its triggers (the app's post_migrate hook puts them back)."""
    expected = {f"exchange_outbox_{e.name}"
                for e in triggers.emits(connection.vendor, with_stages=True)}
    assert triggers.installed(connection) >= expected
    assert len(expected) == 8


def test_a_rating_writes_one_row_per_remote_that_wants_ratings(world: SimpleNamespace) -> None:
    national = make_remote()
    province = make_remote(kinds=(Kind.RATING,))
    make_remote(kinds=(Kind.HANDLING,))  # wants no rating
    handling = world.handling()
    OutboxRecord.objects.all().delete()
    [rating] = evaluations.evaluation_submit(handling=handling, rating=RatingInput(5),
                                             channel=Channel.APP)
    key = f"rating:{rating.pk}:saved:1"
    assert rows() == [(national.pk, key, "pending"), (province.pk, key, "pending")]
    row = OutboxRecord.objects.first()
    assert row is not None
    assert (row.kind, row.object_id, row.event, row.version, row.org_id, row.day,
            row.attempts, row.created_at, row.next_attempt_at) == (
        "rating", rating.pk, "saved", 1, world.loc.market.pk, local_day(rating.created_at),
        0, rating.created_at, rating.created_at)


def test_nothing_is_written_when_no_remote_wants_the_kind(world: SimpleNamespace) -> None:
    make_remote(kinds=(Kind.RESULT,))
    handling = world.handling()
    evaluations.evaluation_submit(handling=handling, rating=RatingInput(4), channel=Channel.WEB)
    Handling.objects.filter(pk=handling.pk).update(status="in_progress")
    assert rows() == []


def test_nothing_is_written_without_any_remote(world: SimpleNamespace) -> None:
    evaluations.evaluation_submit(handling=world.handling(), rating=RatingInput(4),
                                  channel=Channel.WEB)
    assert rows() == []


def test_a_rolled_back_write_leaves_no_row(world: SimpleNamespace) -> None:
    make_remote()
    handling = world.handling()
    OutboxRecord.objects.all().delete()
    seen: list[int] = []

    def write_then_fail() -> None:
        with transaction.atomic():
            evaluations.evaluation_submit(handling=handling, rating=RatingInput(5),
                                          channel=Channel.APP)
            seen.append(OutboxRecord.objects.count())  # in the writer's transaction
            raise RuntimeError("the writer fails after the rating")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert seen == [1]
    assert rows() == []


def test_a_default_rating_from_the_sweep_leaves_too(world: SimpleNamespace) -> None:
    remote = make_remote(kinds=(Kind.RATING,))
    PolicyOverride.objects.create(org=None, key="default_rating_level", value=3)
    start = timezone.now()
    handling = world.handling(default_due_at=start + timedelta(days=7))
    with time_machine.travel(start + timedelta(days=8), tick=False):
        evaluations.sweep_default_ratings(timezone.now())
    default = Evaluation.objects.get(handling=handling)
    assert default.is_default
    assert rows() == [(remote.pk, f"rating:{default.pk}:saved:1", "pending")]


def test_an_invalidation_is_its_own_change(world: SimpleNamespace) -> None:
    remote = make_remote(kinds=(Kind.RATING,))
    [rating] = evaluations.evaluation_submit(
        handling=world.handling(), rating=RatingInput(1, reason_codes=["108"], text="材料多"),
        channel=Channel.WEB)
    supervisor = actor_for_user(world.people.supervisor)
    evaluations.evaluation_invalidate(actor=supervisor, evaluation=rating, reason="恶意差评")
    rating.refresh_from_db()
    assert rows() == [(remote.pk, f"rating:{rating.pk}:saved:1", "pending"),
                      (remote.pk, f"rating:{rating.pk}:invalidated:1", "pending")]
    invalidation = OutboxRecord.objects.get(event="invalidated")
    assert (invalidation.day, invalidation.created_at) == (
        local_day(rating.invalidated_at), rating.invalidated_at)
    # another update of the rating (superseded) is no exchanged change; the ratings'
    # insert-only guard refuses this one, so it is lifted as by the table's owner
    with guard_lifted(EVALUATION_GUARD):
        Evaluation.objects.filter(pk=rating.pk).update(invalid_reason="恶意差评（复核）")
    assert OutboxRecord.objects.count() == 2


def test_a_handling_leaves_on_insert_and_on_each_exchanged_change(
        world: SimpleNamespace) -> None:
    remote = make_remote(kinds=(Kind.HANDLING,))
    handling = world.handling(status="accepted")
    key = f"handling:{handling.pk}:saved"
    assert rows() == [(remote.pk, f"{key}:1", "pending")]
    row = OutboxRecord.objects.get()
    assert row.day == local_day(handling.accepted_at)
    now = timezone.now()
    Handling.objects.filter(pk=handling.pk).update(status="completed", completed_at=now,
                                                   updated_at=now)
    # the rating hot path and the sweeps change no exchanged column
    Handling.objects.filter(pk=handling.pk).update(rated_at=now, default_due_at=None,
                                                   invite_due_at=None)
    Handling.objects.filter(pk=handling.pk).update(staff=None)
    assert rows() == [(remote.pk, f"{key}:1", "pending"), (remote.pk, f"{key}:2", "pending"),
                      (remote.pk, f"{key}:3", "pending")]
    assert OutboxRecord.objects.get(version=2).day == local_day(now)


def test_versions_count_per_remote(world: SimpleNamespace) -> None:
    first = make_remote(kinds=(Kind.HANDLING,))
    handling = world.handling(status="accepted")
    second = make_remote(kinds=(Kind.HANDLING,))  # added after the handling came in
    Handling.objects.filter(pk=handling.pk).update(status="in_progress")
    assert rows() == [(first.pk, f"handling:{handling.pk}:saved:1", "pending"),
                      (first.pk, f"handling:{handling.pk}:saved:2", "pending"),
                      (second.pk, f"handling:{handling.pk}:saved:1", "pending")]


def test_a_withdrawn_handling_does_not_leave(world: SimpleNamespace) -> None:
    make_remote(kinds=(Kind.HANDLING,))
    handling = world.handling(status="accepted")
    OutboxRecord.objects.all().delete()
    Handling.objects.filter(pk=handling.pk).update(status="withdrawn")
    world.handling(status="withdrawn")
    assert rows() == []


def test_deleting_the_routes_stops_the_rows(world: SimpleNamespace) -> None:
    remote = make_remote()
    remote.routes.all().delete()
    world.handling()
    assert rows() == []


def test_the_bulk_intake_leaves_every_handling_copy_and_bulk_update_too(db: None) -> None:
    """60 items: COPY into the table on PostgreSQL, the staged bulk UPDATE for the
    correction (core.bulk); the triggers see every row."""
    remote = make_remote(kinds=(Kind.HANDLING,))
    done = timezone.now() - timedelta(hours=2)
    seeded = seed_completed_handlings(60, code="BULK", prefix="B", completed_at=done)
    assert OutboxRecord.objects.filter(remote=remote, version=1).count() == 60
    stamp = timezone.localtime(done - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    items = [{"projectNo": f"B{n:08d}", "taskCode": seeded.matter.impl_code,
              "serviceVersion": seeded.matter.version, "orgcode": seeded.org.code,
              "proStatus": "3", "acceptDate": stamp, "resultDate": stamp, "userProp": "1",
              "userName": "王芳", "telPhone": f"137{n:08d}"} for n in range(60)]
    result = handling_intake(client=seeded.client, items=items)
    assert not result.errors
    assert OutboxRecord.objects.filter(remote=remote, version=2).count() == 60


def test_the_same_change_twice_is_one_row(world: SimpleNamespace) -> None:
    make_remote(kinds=(Kind.RATING,))
    [rating] = evaluations.evaluation_submit(handling=world.handling(), rating=RatingInput(4),
                                             channel=Channel.WEB)
    now = timezone.now()
    # a repair script that clears and sets the invalidation again (the ratings' guard
    # refuses that to everybody but the table's owner, who can lift it)
    with guard_lifted(EVALUATION_GUARD):
        for _ in range(2):
            Evaluation.objects.filter(pk=rating.pk).update(invalidated_at=now)
            Evaluation.objects.filter(pk=rating.pk).update(invalidated_at=None)
    assert [key for _, key, _ in rows()] == [f"rating:{rating.pk}:saved:1",
                                             f"rating:{rating.pk}:invalidated:1"]


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
def test_each_trigger_is_one_insert_select_over_the_routes(vendor: str) -> None:
    """The rating hot path's whole cost: one INSERT … SELECT (nothing when no route)."""
    for emit in triggers.emits(vendor, with_stages=True):
        sql = triggers._insert(emit, vendor)
        assert sql.count("INSERT") == 1
        assert f"FROM {triggers.ROUTES} r" in sql
        assert f"r.kind = '{emit.kind.value}'" in sql
