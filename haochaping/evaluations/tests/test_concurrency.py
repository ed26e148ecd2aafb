"""Concurrent ratings of one handling keep exactly one current row (PostgreSQL)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from django.db import connection

from haochaping.catalog.models import PolicyOverride, StandardVersion
from haochaping.catalog.rules.standards import Channel
from haochaping.core.errors import AppError
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit

pytestmark = [pytest.mark.postgres,
              pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _standard(db: None) -> None:
    """The flush ending an earlier transactional test empties the migration-loaded
    standards; ratings need an active version (no content items are picked here)."""
    if not StandardVersion.objects.filter(is_active=True).exists():
        StandardVersion.objects.create(code="race", name="并发测试标准",
                                       valid_from="2026-01-01", is_active=True)


def race(handling: object, per_thread: int) -> list[str]:
    start = threading.Barrier(2)
    codes: list[str] = []

    def rate() -> None:
        try:
            start.wait()
            for _ in range(per_thread):
                try:
                    evaluation_submit(handling=handling, rating=RatingInput(5),  # type: ignore[arg-type]
                                      channel=Channel.APP)
                except AppError as exc:
                    codes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=rate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def test_one_per_service_race_records_one_rating(world: SimpleNamespace) -> None:
    h = world.handling()
    assert race(h, 1) == ["evaluation.already_rated"]
    assert Evaluation.objects.filter(handling=h).count() == 1


def test_latest_wins_race_keeps_one_current(world: SimpleNamespace) -> None:
    PolicyOverride.objects.create(org=None, key="multiple_ratings", value="latest_wins")
    h = world.handling()
    assert race(h, 5) == []
    assert Evaluation.objects.filter(handling=h).count() == 10
    assert Evaluation.objects.filter(handling=h, is_current=True).count() == 1
