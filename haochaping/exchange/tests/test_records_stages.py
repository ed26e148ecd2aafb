"""Stages (环节) leave with their handling: a stage reported after the handling is a new
version of its handling's record, which carries every reported stage in time order."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from haochaping.exchange import records, routes
from haochaping.exchange.models import OutboxRecord, Remote
from haochaping.exchange.rules.canonical import HandlingRecord, Kind
from haochaping.handlings.stages import handling_stages_report

pytestmark = pytest.mark.django_db


def test_a_reported_stage_sends_its_handling_again_with_the_stages(
        world: SimpleNamespace) -> None:
    remote = Remote.objects.create(name="prov", label="省平台", profile="national",
                                   base_url="http://127.0.0.1:9/", key_env="PROV")
    routes.routes_sync(remote_id=remote.pk)
    handling = world.handling(status="in_progress")
    before = set(OutboxRecord.objects.filter(remote=remote, kind=Kind.HANDLING,
                                             object_id=handling.pk).values_list("version",
                                                                                flat=True))
    applied = timezone.now() - timedelta(hours=2)
    handling_stages_report(client=world.source, proj_no=handling.proj_no,
                           body=[{"stage": "apply", "at": applied.isoformat()},
                                 {"stage": "补正", "at": timezone.now().isoformat()}])
    after = set(OutboxRecord.objects.filter(remote=remote, kind=Kind.HANDLING,
                                            object_id=handling.pk).values_list("version",
                                                                               flat=True))
    assert before
    assert after > before  # a new version of the handling, in the same write

    record = records.records(Kind.HANDLING, [handling.pk])[handling.pk]
    assert isinstance(record, HandlingRecord)
    assert [(s.code, s.name, s.is_service) for s in record.stages] == [
        ("apply", "申报", True), ("amend", "补正", True)]
    assert record.stages[0].at == applied.replace(microsecond=0)
