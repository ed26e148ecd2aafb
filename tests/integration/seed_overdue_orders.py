"""Seed for test_workorder_worker_kill: N bad reviews whose work orders are overdue.

Run as a script in its own process: ``python seed_overdue_orders.py N`` with DATABASE_URL
and HCP_POLICY_PRESET=zhengdong. The ratings go through the real evaluation_submit (each queues
the task that opens its order, run here); then one UPDATE moves every rectification deadline two
hours into the past.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haochaping.settings")


def main(count: int) -> None:
    import django

    django.setup()
    from django.utils import timezone

    from haochaping.catalog.rules.standards import Channel
    from haochaping.core.engine.worker import drain
    from haochaping.evaluations.rules import RatingInput
    from haochaping.evaluations.services import evaluation_submit
    from haochaping.handlings.models import Handling
    from haochaping.workorders.models import WorkOrder
    from tests.factories import seed_completed_handlings

    seed_completed_handlings(count, code="WOK", prefix="W",
                             completed_at=timezone.now() - timedelta(hours=3), batch=500)
    bad = RatingInput(1, reason_codes=["108"], text="多次被要求补充材料")
    for handling in Handling.objects.select_related("org", "rater").order_by("pk"):
        evaluation_submit(handling=handling, rating=bad, channel=Channel.WEB)
    drain()  # the work-order tasks each rating queued, as a worker would run them
    assert WorkOrder.objects.count() == count
    WorkOrder.objects.update(rectify_due_at=timezone.now() - timedelta(hours=2))


if __name__ == "__main__":
    main(int(sys.argv[1]))
