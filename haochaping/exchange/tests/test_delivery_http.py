"""Upward delivery end to end against a remote on a real HTTP server (tests.remote_server):
signed batches the codec verifies, acks, refusals, retries, dead letters, batching."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests.factories import ID_NO, PHONE
from haochaping.exchange.models import OutboxRecord
from haochaping.exchange.profiles_store import profile_doc_save
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.profiles import shipped_document
from haochaping.exchange.services import outbox_resend
from haochaping.exchange.tests.support import deliver, remote_up, statuses
from haochaping.handlings.models import Handling

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _budgets(settings: Any) -> None:
    settings.HCP_EXCHANGE_MAX_ATTEMPTS = 3
    settings.HCP_EXCHANGE_RETRY_BASE_SECONDS = 10
    settings.HCP_EXCHANGE_RETRY_CAP_SECONDS = 60
    settings.HCP_EXCHANGE_BREAKER_FAILURES = 100  # the breaker has its own tests


def rate(world: SimpleNamespace, level: int = 5, **kw: Any) -> Evaluation:
    handling = kw.pop("handling", None) or world.handling()
    text = "" if level > 2 else "材料被要求多次提交"
    [rating] = evaluation_submit(handling=handling, rating=RatingInput(
        level, reason_codes=["108"] if level <= 2 else [], text=text, **kw),
        channel=Channel.APP)
    return rating


def test_a_rating_goes_up_signed_with_its_rater_after_its_handling(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch) as (fake, remote):
        rating = rate(world)
        handling = rating.handling
        summary = deliver()
        assert f"{remote.pk}: 2 due, 1 slots" in summary
        assert statuses(remote) == {f"handling:{handling.pk}:saved:1": "acked",
                                    f"rating:{rating.pk}:saved:1": "acked"}
    assert [r.kind for r in fake.requests] == [Kind.HANDLING, Kind.RATING]  # parents first
    sent = fake.requests[1].records[0]
    assert (sent.rating_id, sent.proj_no, sent.level, sent.channel, sent.org_code) == (
        str(rating.public_id), handling.proj_no, 5, "app", world.loc.market.code)
    assert (sent.rater.cert_no, sent.rater.phone, sent.rater.name) == (ID_NO, PHONE, "张三")
    assert sent.assessed_at == rating.created_at.replace(microsecond=0)
    applicant = fake.requests[0].records[0].applicant
    assert applicant.cert_no == ID_NO
    row = OutboxRecord.objects.get(kind="rating")
    assert (row.attempts, row.acked_at is not None, row.error_code) == (1, True, "")
    assert fake.rejected == []


def test_records_are_batched_up_to_the_remote_batch_size(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, batch_size=2, kinds=["rating"]) as (fake, remote):
        for _ in range(5):
            rate(world)
        deliver()
        assert set(statuses(remote).values()) == {"acked"}
    assert [len(r.keys) for r in fake.requests] == [2, 2, 1]


def test_a_refused_record_keeps_the_remotes_reason_and_is_resent_under_its_key(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["rating"]) as (fake, remote):
        rating, other = rate(world), rate(world, level=4)
        key = f"rating:{rating.pk}:saved:1"
        fake.refuse[key] = ("E100", "办件编号在省平台不存在")
        deliver()
        row = OutboxRecord.objects.get(record_key=key)
        assert (row.status, row.error_code, row.last_error) == (
            "refused", "E100", "办件编号在省平台不存在")
        assert statuses(remote)[f"rating:{other.pk}:saved:1"] == "acked"
        deliver()  # a refusal is not retried by itself
        assert fake.keys_received.count(key) == 1
        del fake.refuse[key]
        outbox_resend(actor=actor_for_user(world.people.supervisor), record=row)
        deliver()
        assert statuses(remote)[key] == "acked"
    assert fake.keys_received.count(key) == 2  # the same key: the remote de-duplicates


def test_a_remote_error_is_retried_with_back_off_then_dead(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.HCP_EXCHANGE_MAX_ATTEMPTS = 2
    with remote_up(monkeypatch, kinds=["rating"]) as (fake, remote):
        fake.status = 503
        rating = rate(world)
        start = timezone.now()
        deliver()
        row = OutboxRecord.objects.get()
        assert (row.status, row.attempts, row.error_code) == ("pending", 1, "http.503")
        assert row.last_error == "平台暂时不可用（HTTP 503）"
        assert start + timedelta(seconds=5) <= row.next_attempt_at  # jittered upper half
        deliver()  # not due yet: nothing is sent
        assert len(fake.requests) == 1
        with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
            deliver()
        row.refresh_from_db()
        assert (row.status, row.attempts, row.record_key) == (
            "dead", 2, f"rating:{rating.pk}:saved:1")
        assert len(fake.requests) == 2


def test_no_answer_at_all_is_a_transport_failure(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["rating"]) as (_, remote):
        pass  # the server is gone: its port refuses connections
    rate(world)
    deliver()
    row = OutboxRecord.objects.get(remote=remote)
    assert (row.status, row.attempts, row.error_code) == ("pending", 1, "exchange.transport")
    assert row.last_error.startswith("连接失败")


def test_an_unreadable_answer_and_a_missing_ack_are_retried(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["rating"]) as (fake, remote):
        fake.garbage = True
        first = rate(world)
        deliver()
        row = OutboxRecord.objects.get(object_id=first.pk)
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.last_error.startswith("平台回执无法解析")
        fake.garbage = False
        second = rate(world)
        fake.silent.add(f"rating:{second.pk}:saved:1")
        deliver()
        row = OutboxRecord.objects.get(object_id=second.pk)
        assert (row.status, row.error_code) == ("pending", "exchange.no_ack")


def test_an_object_that_cannot_leave_is_a_dead_letter_with_its_reason(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["handling"]) as (fake, remote):
        handling = world.handling(status="accepted")
        Handling.objects.filter(pk=handling.pk).update(status="withdrawn")
        deliver()
        row = OutboxRecord.objects.get(remote=remote)
        assert (row.status, row.error_code, row.last_error) == (
            "dead", "exchange.handling_withdrawn", "办件已撤回，没有对应的上报状态")
    assert fake.requests == []


def test_a_record_the_profile_cannot_carry_stops_alone(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    # an office's copy of the national profile that requires the rating text
    document = shipped_document("national")
    document["kinds"]["rating"]["required"] = ["text"]
    profile_doc_save(actor=actor_for_user(world.people.admin), name="national",
                     label="本地国家平台规范", body=document)
    with remote_up(monkeypatch, kinds=["rating"]) as (fake, remote):
        silent, spoken = rate(world, level=5), rate(world, level=2)
        deliver()
        dead = OutboxRecord.objects.get(object_id=silent.pk)
        assert (dead.status, dead.attempts) == ("dead", 1)
        assert dead.last_error
        assert statuses(remote)[f"rating:{spoken.pk}:saved:1"] == "acked"
    assert fake.keys_received == [f"rating:{spoken.pk}:saved:1"]


def test_a_request_refused_as_a_whole(world: SimpleNamespace,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["rating"]) as (fake, remote):
        # a 4xx: the remote answered, it will not take this request: refused, visible
        fake.status = 401
        first = rate(world)
        deliver()
        row = OutboxRecord.objects.get(object_id=first.pk)
        assert (row.status, row.error_code, row.last_error) == (
            "refused", "http.401", "平台拒绝请求（HTTP 401）")
        # a 2xx whose result code refuses the batch ("send it again later"): retried
        fake.status, fake.whole_refusal = 200, ("9001", "系统繁忙，请稍后重试")
        second = rate(world)
        deliver()
        row = OutboxRecord.objects.get(object_id=second.pk)
        assert (row.status, row.attempts, row.error_code) == (
            "pending", 1, "exchange.remote_refused")
        assert "系统繁忙" in row.last_error
