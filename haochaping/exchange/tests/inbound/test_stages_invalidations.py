"""Rating records that are not a plain rating of a handling: a rating of one stage (环节),
stored as our stage rating (parked like any for a handling not yet known); the remote's
invalidation of a rating it sent us, invalidating our copy through the evaluations
service; and the remote's default rating, refused for good (our sweep owns them)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from django.test import Client
from django.utils import timezone

from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import PolicyOverride
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.tests import factories as ef
from haochaping.exchange import routes
from haochaping.exchange.inbound.ratings import parked_match
from haochaping.exchange.models import InboundRating, OutboxRecord, ParkedRating, Remote
from haochaping.exchange.rules.canonical import Kind, RatingRecord
from haochaping.exchange.tests.inbound.support import KEY_ENV, post, rating, signed, snapshot
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.rules import State

VOIDED = State.VOIDED.value

pytestmark = pytest.mark.django_db


def send(*records: RatingRecord, remote: str = "henan") -> list[dict[str, Any]]:
    response = post(Client(), signed(Kind.RATING, list(records)), remote=remote)
    assert response.status_code == 200
    data: list[dict[str, Any]] = orjson.loads(response.content)["data"]
    return data


def stored() -> tuple[Any, ...]:
    """What items write (the snapshot without the requests' nonces)."""
    taken = snapshot()
    return taken[:4] + taken[5:]


def codes(items: list[dict[str, Any]]) -> list[str]:
    return [i["code"] for i in items]


@pytest.fixture
def stages(down: SimpleNamespace) -> SimpleNamespace:
    PolicyOverride.objects.create(org=None, key="ratable_stages", value=["apply", "sign", "done"])
    ef.make_stage(down.handling, "apply")
    ef.make_stage(down.handling, "pay")  # reported, not ratable under this policy
    # sign: ratable, not reported
    return down


# --- stage ratings --------------------------------------------------------------------

def test_a_stage_rating_is_stored_as_our_stage_rating(stages: SimpleNamespace) -> None:
    record = replace(rating(stages.handling.proj_no, stages.loc.market.code),
                     stage_code="apply")
    assert codes(send(record)) == ["0"]
    evaluation = Evaluation.objects.get()
    assert evaluation.stage is not None
    assert (evaluation.handling_id, evaluation.stage.stage) == (stages.handling.pk, "apply")
    link = InboundRating.objects.get()
    assert (link.status, link.evaluation_id) == ("stored", evaluation.pk)
    stages.handling.refresh_from_db()
    assert stages.handling.rated_at is None  # the handling itself is still unrated
    before = stored()
    assert codes(send(record)) == ["0"]  # re-delivery: acknowledged, nothing new
    assert stored() == before
    whole = rating(stages.handling.proj_no, stages.loc.market.code)
    assert codes(send(whole)) == ["0"]  # the handling is rated on its own
    assert Evaluation.objects.filter(stage__isnull=True).count() == 1


@pytest.mark.parametrize(("stage", "code"), [
    ("sign", "evaluation.stage_not_reported"),
    ("pay", "evaluation.stage_not_ratable"),
    ("nonsense", "evaluation.unknown_stage"),
])
def test_a_stage_the_service_refuses_is_refused_per_item_and_remembered(
        stages: SimpleNamespace, stage: str, code: str) -> None:
    before = stored()
    record = replace(rating(stages.handling.proj_no, stages.loc.market.code),
                     stage_code=stage)
    good = rating("OTHER-9", stages.loc.market.code)
    first = send(record, good)
    assert codes(first) == [code, "0"]
    assert not first[0]["msg"].isascii()
    assert not Evaluation.objects.exists()
    refused = InboundRating.objects.get(rating_id=record.rating_id)
    assert (refused.status, refused.error_code, refused.evaluation_id) == (
        "refused", code, None)
    assert send(record)[0] == first[0]  # re-delivery: the same answer
    assert stored()[0] == before[0]  # no evaluation


def test_a_stage_rating_of_an_unknown_handling_is_parked_then_matched(
        stages: SimpleNamespace) -> None:
    record = replace(rating("LATE-S001", stages.loc.market.code), stage_code="apply")
    assert codes(send(record)) == ["0"]
    parked = ParkedRating.objects.get()
    assert (parked.status, parked.fields["stage_code"]) == ("waiting", "apply")
    late = ef.make_handling(stages.loc, client=stages.source, rater=stages.rater,
                            proj_no="LATE-S001")
    ef.make_stage(late, "apply")
    assert parked_match(now=timezone.now()) == (1, 0)
    evaluation = Evaluation.objects.get()
    assert evaluation.stage is not None
    assert (evaluation.handling_id, evaluation.stage.stage) == (late.pk, "apply")
    assert InboundRating.objects.get().evaluation_id == evaluation.pk


# --- invalidations --------------------------------------------------------------------

def invalidation(record: RatingRecord, reason: str = "经核实为恶意差评") -> RatingRecord:
    return replace(record, invalidated_at=timezone.now().replace(microsecond=0)
                   - timedelta(minutes=1), invalid_reason=reason)


def test_the_remote_invalidates_a_rating_it_sent(down: SimpleNamespace) -> None:
    routes.routes_sync()  # the province (henan) receives ratings too
    record = rating(down.handling.proj_no, down.loc.market.code)
    send(record)
    void = invalidation(record)
    answer = send(void)
    assert codes(answer) == ["0"]
    assert answer[0]["msg"] == "评价已作废"
    evaluation = Evaluation.objects.get()
    assert (evaluation.invalidated_at, evaluation.invalid_reason) == (
        void.invalidated_at, "经核实为恶意差评")
    audit = AuditEvent.objects.get(action="evaluation.invalidate")
    assert (audit.actor_label, audit.object_id) == ("exchange:henan", str(evaluation.pk))
    rows = OutboxRecord.objects.filter(remote=down.remote, kind="rating",
                                       object_id=evaluation.pk)
    assert set(rows.values_list("status", flat=True)) == {"acked"}  # never echoed back
    before = (stored(), AuditEvent.objects.count())
    again = send(void)  # re-delivery: acknowledged, nothing written
    assert again == answer
    assert (stored(), AuditEvent.objects.count()) == before
    evaluation.refresh_from_db()
    assert evaluation.invalidated_at == void.invalidated_at


def test_invalidating_a_bad_rating_voids_its_work_order(down: SimpleNamespace,
                                                       run_tasks: Any) -> None:
    record = rating(down.handling.proj_no, down.loc.market.code, level=2, codes=("213",),
                    text="窗口人员业务不熟练")
    send(record)
    run_tasks()
    assert WorkOrder.objects.get().status != VOIDED
    assert codes(send(invalidation(record))) == ["0"]
    run_tasks()
    assert WorkOrder.objects.get().status == VOIDED


def test_an_invalidation_of_a_rating_not_from_that_remote_is_refused(
        down: SimpleNamespace) -> None:
    Remote.objects.create(name="other", label="另一平台", profile="national",
                          base_url="http://127.0.0.1:9/", key_env=KEY_ENV)
    record = rating(down.handling.proj_no, down.loc.market.code)
    send(record)
    before = (stored(), AuditEvent.objects.count())
    unknown = invalidation(rating(down.handling.proj_no, down.loc.market.code))
    answer = send(unknown)
    assert codes(answer) == ["exchange.invalidation_unknown"]
    assert answer[0]["msg"] == "本平台没有收到该平台的这条评价（或已拒收），无法作废"
    elsewhere = send(invalidation(record), remote="other")
    assert codes(elsewhere) == ["exchange.invalidation_unknown"]
    assert Evaluation.objects.get().invalidated_at is None
    assert stored() == before[0]
    assert AuditEvent.objects.filter(action="evaluation.invalidate").count() == 0


def test_an_invalidation_of_a_refused_or_parked_rating_is_refused(
        down: SimpleNamespace) -> None:
    first = rating(down.handling.proj_no, down.loc.market.code)
    second = rating(down.handling.proj_no, down.loc.market.code, level=4, codes=("413",))
    parked = rating("LATE-I001", down.loc.market.code)
    assert codes(send(first, second, parked)) == ["0", "evaluation.already_rated", "0"]
    answer = send(invalidation(second), invalidation(parked))
    assert codes(answer) == ["exchange.invalidation_unknown", "exchange.invalidation_pending"]
    assert not answer[1]["msg"].isascii()
    assert not Evaluation.objects.filter(invalidated_at__isnull=False).exists()
    assert ParkedRating.objects.get().status == "waiting"


@pytest.mark.parametrize("reason", ["", "  ", "原" * 201])
def test_an_invalidation_without_a_valid_reason_is_refused(down: SimpleNamespace,
                                                           reason: str) -> None:
    record = rating(down.handling.proj_no, down.loc.market.code)
    send(record)
    answer = send(invalidation(record, reason))
    assert codes(answer) == ["evaluation.invalid_reason_text"]
    assert Evaluation.objects.get().invalidated_at is None
    assert not AuditEvent.objects.filter(action="evaluation.invalidate").exists()


# --- default ratings ------------------------------------------------------------------

def test_the_remotes_default_rating_is_refused_even_when_ours_is_due(
        down: SimpleNamespace) -> None:
    down.handling.default_due_at = timezone.now() - timedelta(hours=1)
    down.handling.save(update_fields=["default_due_at"])
    before = stored()
    record = replace(rating(down.handling.proj_no, down.loc.market.code, level=4,
                            codes=()), channel="default", is_default=True)
    answer = send(record)
    assert codes(answer) == ["exchange.rating_default"]
    assert answer[0]["msg"] == "系统默认评价由本平台按本地政策生成，不接收上级平台的默认评价"
    assert send(record) == answer  # re-delivery: the same answer
    assert stored() == before
    down.handling.refresh_from_db()
    assert down.handling.default_due_at is not None  # our sweep still gives its own
