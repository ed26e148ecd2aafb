"""Work orders of bad stage ratings (环节): opened like any bad review, beside the order of
the handling as a whole, and followed by the ratings of their own stage only."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from haochaping.catalog.models import PolicyOverride
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests.factories import make_stage
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.services.opening import sweep_missing_orders
from haochaping.workorders.tests.conftest import BAD, GOOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def staged(w: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> SimpleNamespace:
    for key, value in {"ratable_stages": ["apply", "done"], "multiple_ratings": "latest_wins",
                       "satisfied_rerating_closes": True}.items():
        PolicyOverride.objects.create(org=None, key=key, value=value)
    apply = make_stage(w.handling, "apply")

    def rate_stage(rating: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            [row] = evaluation_submit(handling=w.handling, rating=rating, channel=Channel.APP,
                                      stage="apply")
        return row

    return SimpleNamespace(apply=apply, rate_stage=rate_stage)


def test_a_bad_stage_rating_opens_its_own_order(w: SimpleNamespace,
                                                staged: SimpleNamespace) -> None:
    whole = WorkOrder.objects.get(evaluation=w.rate())
    stage_rating = staged.rate_stage(BAD)
    order = WorkOrder.objects.get(evaluation=stage_rating)
    assert (order.stage_id, order.handling_id, order.org_id, order.status) == (
        staged.apply.pk, w.handling.pk, w.loc.market.pk, "dispatched")
    assert order.rectify_due_at is not None
    assert whole.stage_id is None
    assert WorkOrder.objects.filter(status="dispatched").count() == 2


def test_a_satisfied_re_rating_of_the_stage_closes_its_order_only(
        w: SimpleNamespace, staged: SimpleNamespace) -> None:
    whole = WorkOrder.objects.get(evaluation=w.rate())
    stage_order = WorkOrder.objects.get(evaluation=staged.rate_stage(BAD))
    staged.rate_stage(GOOD)  # seed 003 §10: the latest rating of the stage stands
    stage_order.refresh_from_db()
    whole.refresh_from_db()
    assert (stage_order.status, whole.status) == ("closed", "dispatched")
    # and a satisfied re-rating of the handling closes the handling's own
    w.rate(GOOD)
    whole.refresh_from_db()
    assert whole.status == "closed"


def test_a_second_bad_rating_of_the_stage_follows_its_order(
        w: SimpleNamespace, staged: SimpleNamespace) -> None:
    first = staged.rate_stage(BAD)
    order = WorkOrder.objects.get(evaluation=first)
    again = staged.rate_stage(BAD)
    order.refresh_from_db()
    assert order.evaluation_id == again.pk
    assert WorkOrder.objects.count() == 1


def test_one_open_order_per_stage_in_the_database(w: SimpleNamespace,
                                                  staged: SimpleNamespace) -> None:
    order = WorkOrder.objects.get(evaluation=staged.rate_stage(BAD))
    twin = WorkOrder.objects.filter(pk=order.pk).values()[0]
    for name in ("id", "public_id", "evaluation_id"):
        twin.pop(name)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.create(**twin)


def test_the_repair_sweep_opens_a_missed_stage_order(w: SimpleNamespace,
                                                     staged: SimpleNamespace) -> None:
    w.rate()
    [missed] = evaluation_submit(handling=w.handling, rating=BAD, channel=Channel.APP,
                                 stage="apply")  # its task has not run
    assert not WorkOrder.objects.filter(evaluation=missed).exists()
    assert sweep_missing_orders(missed.created_at) == "work orders: 1 opened"
    assert WorkOrder.objects.get(evaluation=missed).stage_id == staged.apply.pk
