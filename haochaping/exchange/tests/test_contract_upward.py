"""Contract: the upward paths (handlings, ratings, results) through the real delivery
against the fake remote as a separate process, on both databases (issue 13,
"Conformance kit"): every kind of every shipped profile arrives once, as the remote's
count endpoint confirms per day and org; a remote down for a simulated day, then back,
loses nothing and stores nothing twice; its misbehaviours end acknowledged or refused,
never lost."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests.factories import ID_NO
from haochaping.exchange.fakeremote.demokeys import demo_ring
from haochaping.exchange.fakeremote.process import FakeRemoteProcess
from haochaping.exchange.kit_http import send_signed
from haochaping.exchange.models import OutboxRecord
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.codec import decode_count, encode_count_query, ids_digest
from haochaping.exchange.rules.profiles import shipped_names, shipped_profile
from haochaping.exchange.tests.kit import held, nonce, remote_row, remotes, sync_clock
from haochaping.exchange.tests.support import deliver, statuses
from haochaping.workorders import services as s
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.tests.conftest import BAD, GOOD, START, clock, w  # noqa: F401

__all__ = ["remotes"]
pytestmark = pytest.mark.django_db
UPWARD = (Kind.HANDLING, Kind.RATING, Kind.RESULT)


@pytest.fixture(autouse=True)
def _budgets(settings: Any) -> None:
    settings.HCP_EXCHANGE_MAX_ATTEMPTS = 5
    settings.HCP_EXCHANGE_RETRY_BASE_SECONDS = 10
    settings.HCP_EXCHANGE_RETRY_CAP_SECONDS = 300
    settings.HCP_EXCHANGE_BREAKER_FAILURES = 3
    settings.HCP_EXCHANGE_BREAKER_OPEN_SECONDS = 60


@pytest.fixture
def upward(request: pytest.FixtureRequest, remotes: dict[str, FakeRemoteProcess],
           monkeypatch: pytest.MonkeyPatch) -> tuple[FakeRemoteProcess, Any]:
    """The fake remote of the profile ``request.param`` (reset) and a Remote row at it,
    routed before the test's objects are written (ask for it before ``w``)."""
    remote = remotes[request.param]
    remote.reset()
    return remote, remote_row(remote, monkeypatch)


def close_bad_review(w: SimpleNamespace) -> WorkOrder:  # noqa: F811
    order = WorkOrder.objects.get(evaluation=w.rate())
    order = s.workorder_sign(actor=w.handler, order=order)
    order = s.workorder_rectify(actor=w.handler, order=order, measures="一次告知材料清单",
                                result="已重新办理")
    return s.workorder_reply(actor=w.handler, order=order, text="已一次性告知所需材料")


def rows_by_kind(row: Any) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for kind, key in OutboxRecord.objects.filter(remote=row).values_list("kind", "record_key"):
        found.setdefault(kind, set()).add(key)
    return found


def remote_keys(remote: FakeRemoteProcess, kinds: tuple[Kind, ...]) -> dict[str, set[str]]:
    return {k.value: set(keys) for k in kinds if (keys := held(remote, k))}


def assert_counts_agree(remote: FakeRemoteProcess, row: Any) -> None:
    """Reconciliation's question, per kind, day and org: the remote counts what our
    outbox acknowledged, with the same digest of keys."""
    profile = shipped_profile(remote.profile)
    if profile.count is None:
        return
    ours: dict[tuple[str, Any, str], list[str]] = {}
    for kind, day, org, key in OutboxRecord.objects.filter(remote=row, status="acked") \
            .values_list("kind", "day", "org__code", "record_key"):
        ours.setdefault((kind, day, org), []).append(key)
    assert ours
    for (kind, day, org), keys in ours.items():
        request = encode_count_query(profile, kind, day, org, keys=demo_ring("ours"),
                                     now=timezone.now(), nonce=nonce())
        answer = send_signed(remote.url, request, 30)
        assert decode_count(profile, answer.body) == (len(keys), ids_digest(keys)), (kind, day)


@pytest.mark.parametrize("upward", shipped_names(), indirect=True)
def test_every_upward_kind_arrives_once(upward: tuple[FakeRemoteProcess, Any],
                                        w: SimpleNamespace) -> None:  # noqa: F811
    remote, row = upward
    sync_clock(remote)
    profile = shipped_profile(remote.profile)
    order = close_bad_review(w)
    deliver()
    assert set(statuses(row).values()) == {"acked"}
    kinds = tuple(k for k in UPWARD if profile.kind(k) is not None)
    assert remote_keys(remote, UPWARD) == rows_by_kind(row)
    assert set(rows_by_kind(row)) == {k.value for k in kinds}
    stored = {r["key"]: r for k in kinds for r in remote.received(k.value)}
    assert {r["times"] for r in stored.values()} == {1}
    rating = stored[f"rating:{order.evaluation_id}:saved:1"]["record"]
    assert (rating["rating_id"], rating["proj_no"], rating["level"]) == (
        str(order.evaluation.public_id), w.handling.proj_no, order.evaluation.level)
    assert rating["rater"]["cert_no"] == ID_NO
    if Kind.RESULT in kinds:
        result = stored[f"result:{order.pk}:closed:1"]["record"]
        assert (result["order_no"], result["rating_id"]) == (
            str(order.public_id), str(order.evaluation.public_id))
    assert_counts_agree(remote, row)


def _write_an_hour(world: SimpleNamespace, capture: Any, hour: int) -> None:
    """What an office writes in an hour: a handling rated well, and every third hour one
    rated badly whose order is closed (its result leaves too)."""
    good = world.handling()
    evaluation_submit(handling=good, rating=GOOD, channel=Channel.EVALUATOR)
    if hour % 3 == 0:
        with capture(execute=True):
            [bad] = evaluation_submit(handling=world.handling(), rating=BAD,
                                      channel=Channel.APP)
        handler = actor_for_user(world.people.handler)
        order = s.workorder_sign(actor=handler, order=WorkOrder.objects.get(evaluation=bad))
        order = s.workorder_rectify(actor=handler, order=order, measures="一次告知材料清单",
                                    result="已重新办理")
        s.workorder_reply(actor=handler, order=order, text="已当场解释并重新办理")


@pytest.mark.parametrize("upward", ["national", "jiangxi"], indirect=True)
def test_a_remote_down_for_a_day_then_back_loses_nothing_and_doubles_nothing(
        upward: tuple[FakeRemoteProcess, Any], world: SimpleNamespace,
        django_capture_on_commit_callbacks: Any) -> None:
    remote, row = upward
    start = START + timedelta(days=1)
    with time_machine.travel(start, tick=False) as traveller:
        sync_clock(remote)
        remote.control(down="503")
        for hour in range(0, 24, 2):  # a simulated day: the office works, the remote is down
            traveller.move_to(start + timedelta(hours=hour))
            _write_an_hour(world, django_capture_on_commit_callbacks, hour)
            sync_clock(remote)
            deliver()
        assert set(statuses(row).values()) == {"pending"}
        assert max(OutboxRecord.objects.values_list("attempts", flat=True)) <= 3  # no burn
        assert remote.summary()["kinds"]["rating"]["records"] == 0
        # Back the next morning, answering unreliably: lost answers, doubled and shuffled
        # acknowledgements, the odd 500.
        remote.control(down="", seed=13, drop_rate=0.3, duplicate_rate=0.3, shuffle=True,
                       fail_rate=0.1)
        moment = start + timedelta(hours=24)
        for _ in range(40):
            if set(statuses(row).values()) == {"acked"}:
                break
            moment += timedelta(minutes=5)  # past the breaker's pause and any back-off
            traveller.move_to(moment)
            sync_clock(remote)
            deliver()
        assert set(statuses(row).values()) == {"acked"}
        remote.control(reset=True)  # a well-behaved remote for the reconciliation
        sync_clock(remote)
        assert_counts_agree(remote, row)
    kinds = {k for k in rows_by_kind(row)}
    assert kinds == {"handling", "rating", "result"}
    assert remote_keys(remote, UPWARD) == rows_by_kind(row)  # nothing lost, nothing extra
    receipts = Counter(r["times"] for k in UPWARD for r in remote.received(k.value))
    assert sum(receipts.values()) == OutboxRecord.objects.filter(remote=row).count()
    assert max(receipts) >= 2  # lost answers were sent again, and stored once


@pytest.mark.parametrize("upward", ["zhejiang"], indirect=True)
def test_a_refused_record_stays_refused_and_a_slow_remote_is_retried(
        upward: tuple[FakeRemoteProcess, Any], world: SimpleNamespace) -> None:
    remote, row = upward
    row.timeout_seconds = 1
    row.save(update_fields=["timeout_seconds"])
    [refused] = evaluation_submit(handling=world.handling(), rating=GOOD,
                                  channel=Channel.EVALUATOR)
    evaluation_submit(handling=world.handling(), rating=GOOD, channel=Channel.WEB)
    refused_key = f"rating:{refused.pk}:saved:1"
    remote.control(refuse_keys=[refused_key], refuse_code="E2001", delay_ms=2500)
    deliver()  # the handlings' request times out (their ratings wait): retried later
    assert set(statuses(row).values()) == {"pending"}
    assert set(OutboxRecord.objects.filter(kind="handling").values_list(
        "error_code", flat=True)) == {"exchange.transport"}
    remote.control(delay_ms=0)
    with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
        sync_clock(remote)
        deliver()
    done = statuses(row)
    assert done.pop(refused_key) == "refused"
    assert set(done.values()) == {"acked"}
    refused_row = OutboxRecord.objects.get(record_key=refused_key)
    assert refused_row.error_code == "E2001"
    assert refused_key not in held(remote, Kind.RATING)
    assert remote_keys(remote, UPWARD) == {
        kind: keys - {refused_key} for kind, keys in rows_by_kind(row).items()}
