"""Two bulk intakes at once (PostgreSQL, real transactions): shared new raters are
created once, the same project numbers are stored once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from haochaping.core.bulk import COPY_FROM_ROWS
from haochaping.core.errors import Conflict
from haochaping.handlings.models import Handling, Rater
from haochaping.handlings.services import IntakeResult, handling_intake
from haochaping.handlings.tests.support import national_item, person_id

pytestmark = [pytest.mark.postgres,
              pytest.mark.django_db(transaction=True)]
SIZE = COPY_FROM_ROWS + 50


def _items(locality: SimpleNamespace, prefix: str) -> list[dict[str, Any]]:
    return [national_item(locality, f"{prefix}{n}", certKey=person_id(n),
                          telPhone=f"139{n:08d}") for n in range(SIZE)]


def _race(*calls: Callable[[], IntakeResult]) -> list[IntakeResult | Conflict]:
    start = threading.Barrier(len(calls))
    outcomes: list[IntakeResult | Conflict] = []

    def run(call: Callable[[], IntakeResult]) -> None:
        try:
            start.wait()
            try:
                outcomes.append(call())
            except Conflict as exc:
                outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_shared_new_raters_are_created_once(locality: SimpleNamespace,
                                            intake: SimpleNamespace) -> None:
    a, b = _items(locality, "A"), _items(locality, "B")
    outcomes = _race(lambda: handling_intake(client=intake.client, items=a),
                     lambda: handling_intake(client=intake.client, items=b))
    assert [o.count("created") for o in outcomes if isinstance(o, IntakeResult)] == [
        SIZE, SIZE]
    assert Rater.objects.count() == SIZE
    assert Handling.objects.count() == 2 * SIZE
    pairs = dict(Handling.objects.filter(proj_no__startswith="A")
                 .values_list("proj_no", "rater_id"))
    for proj_no, rater_id in Handling.objects.filter(proj_no__startswith="B").values_list(
            "proj_no", "rater_id"):
        assert pairs["A" + proj_no[1:]] == rater_id


def test_same_bulk_twice_is_stored_once(locality: SimpleNamespace,
                                        intake: SimpleNamespace) -> None:
    items = _items(locality, "S")
    outcomes = _race(lambda: handling_intake(client=intake.client, items=items),
                     lambda: handling_intake(client=intake.client, items=items))
    results = [o for o in outcomes if isinstance(o, IntakeResult)]
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert results[0].count("created") == SIZE or results[-1].count("created") == SIZE
    assert all(c.code == "handling.concurrent_intake" for c in conflicts)
    assert len(results) + len(conflicts) == 2
    if len(results) == 2:  # the second ran after the first committed
        assert sorted(r.count("unchanged") for r in results) == [0, SIZE]
    assert Handling.objects.count() == SIZE
    assert Rater.objects.count() == SIZE
