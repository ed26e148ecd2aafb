"""Canonical records built from our rows (exchange.records), the routes a remote gets
from its profile (exchange.routes), and what a profile makes the vault decrypt."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from haochaping.core.jobs import JOBS
from haochaping.evaluations.tests.factories import ID_NO
from haochaping.exchange import records, routes
from haochaping.exchange.models import Remote, RemoteRoute
from haochaping.exchange.remote_codec import codec_for, profile_of
from haochaping.exchange.rules.canonical import HandlingRecord, Kind, ResultRecord
from haochaping.exchange.tests.support import set_keys
from haochaping.workorders import services as s
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.tests.conftest import clock, w  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_handling_record_carries_our_row_and_its_applicant(world: SimpleNamespace) -> None:
    handling = world.handling(status="in_progress")
    built = records.records(Kind.HANDLING, [handling.pk], identity_fields=("id_no",))
    record = built[handling.pk]
    assert isinstance(record, HandlingRecord)
    assert (record.proj_no, record.matter_code, record.org_code, record.region_code,
            record.status, record.staff_name, record.source, record.completed_at) == (
        handling.proj_no, world.loc.matter.impl_code, world.loc.market.code,
        world.loc.market.region.code, "accepted", world.loc.staff.name, "审批系统", None)
    assert record.accepted_at == handling.accepted_at.replace(microsecond=0)
    # only the fields the profile sends are decrypted
    assert (record.applicant.cert_no, record.applicant.phone, record.applicant.name) == (
        ID_NO, "", "")


def test_an_unknown_object_cannot_leave(world: SimpleNamespace) -> None:
    assert records.records(Kind.RATING, [987654]) == {987654: records.GONE}


def test_a_result_record_carries_the_rectification(w: SimpleNamespace) -> None:  # noqa: F811
    order = WorkOrder.objects.get(evaluation=w.rate())
    order = s.workorder_sign(actor=w.handler, order=order)
    order = s.workorder_rectify(actor=w.handler, order=order, measures="一次告知材料清单",
                                result="已重新办理")
    order = s.workorder_reply(actor=w.handler, order=order, text="已一次性告知所需材料")
    record = records.records(Kind.RESULT, [order.pk])[order.pk]
    assert isinstance(record, ResultRecord)
    assert (record.order_no, record.rating_id, record.proj_no, record.content,
            record.org_code) == (
        str(order.public_id), str(order.evaluation.public_id), w.handling.proj_no,
        "一次告知材料清单；已重新办理", w.loc.market.code)
    assert record.closed_at == order.closed_at.replace(microsecond=0)


def test_routes_follow_the_profile_the_remote_and_its_activity(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    remote = Remote.objects.create(name="prov", label="省平台", profile="national",
                                   base_url="http://127.0.0.1:9/", key_env="PROV",
                                   kinds=["rating", "result"])
    assert routes.routes_sync() == 2
    assert routes.routes_sync() == 0
    assert set(RemoteRoute.objects.values_list("kind", flat=True)) == {"rating", "result"}
    Remote.objects.filter(pk=remote.pk).update(profile="no-such-profile")
    assert routes.routes_sync() == 0  # an unreadable profile keeps what it had
    Remote.objects.filter(pk=remote.pk).update(profile="national", is_active=False)
    assert routes.routes_sync() == 2
    assert not RemoteRoute.objects.exists()
    set_keys(monkeypatch, "PROV")
    remote.refresh_from_db()
    codec = codec_for(remote)
    assert codec.batch_max == profile_of(remote).envelope.max_items
    assert set(codec.identity_fields(Kind.RATING)) == {"name", "id_no", "phone"}
    assert codec.identity_fields(Kind.RESULT) == ()


def test_the_delivery_job_runs_every_five_seconds() -> None:
    job = next(j for j in JOBS if j.name == "exchange.deliver")
    assert (job.task, job.every_seconds) == ("haochaping.exchange.tasks.deliver_outbox", 5)
