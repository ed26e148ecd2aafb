"""Races the database settles (PostgreSQL, real concurrent transactions): the same legacy
file imported twice at once counts each rating once; the same signed request sent twice
at once is accepted once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.models import StandardVersion
from haochaping.core.localtime import SHANGHAI
from haochaping.evaluations.legacy.services import legacy_import_file
from haochaping.evaluations.models import DeviceNonce, Evaluation, LegacyRating
from haochaping.evaluations.tests.device_support import register
from haochaping.evaluations.tests.legacy_support import csv_bytes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _standard(db: None) -> None:
    """The flush ending an earlier transactional test empties the migration-loaded
    standards; ratings need an active version."""
    if not StandardVersion.objects.filter(is_active=True).exists():
        StandardVersion.objects.create(code="race", name="并发测试标准",
                                       valid_from="2026-01-01", is_active=True)


def together(work: Callable[[], Any], n: int = 2) -> list[Any]:
    start = threading.Barrier(n)
    results: list[Any] = []

    def run() -> None:
        try:
            start.wait()
            results.append(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_file_imported_twice_at_once_counts_once(world: SimpleNamespace) -> None:
    handlings = [world.handling() for _ in range(30)]
    moment = (timezone.now() - timedelta(hours=1)).astimezone(SHANGHAI)
    data = csv_bytes([[f"R-{i}", h.proj_no, "4", moment.strftime("%Y-%m-%d %H:%M:%S"), "", ""]
                      for i, h in enumerate(handlings)])
    actor = actor_for_user(world.people.supervisor)

    def run() -> dict[str, Any]:
        return legacy_import_file(actor=actor, source="老系统", data=data).as_dict()

    results = together(run)
    assert sum(r["created"] for r in results) == 30
    assert sum(r["duplicate"] for r in results) == 30
    assert Evaluation.objects.count() == LegacyRating.objects.count() == 30
    for handling in handlings:
        assert Evaluation.objects.filter(handling=handling, is_current=True).count() == 1


def test_a_request_sent_twice_at_once_is_accepted_once(world: SimpleNamespace) -> None:
    pad = register(world.people.supervisor, world.loc.window)
    handling = world.handling(completed_at=timezone.now())
    body = {"handling_id": handling.pk, "level": 5}

    def send() -> tuple[int, str]:
        response = pad.send("POST", "/api/v1/devices/ratings", body,
                            nonce="same-nonce-raced-000001", timestamp=stamp)
        return response.status_code, response.json().get("code", "")

    stamp = int(timezone.now().timestamp())
    results = sorted(together(send))
    assert results[0][0] == 201
    assert results[1] == (401, "device.replayed_nonce")
    assert Evaluation.objects.filter(handling=handling).count() == 1
    assert DeviceNonce.objects.count() == 1
