"""Seed for test_workorder_worker_kill: N bad reviews whose work orders are overdue.

Run as a script in its own process: ``python seed_overdue_orders.py N`` with DATABASE_URL
and HCP_POLICY_PRESET=zhengdong. The ratings go through the real evaluation_submit (whose
on_commit hook opens each order); then one UPDATE moves every rectification deadline two
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

    from haochaping.accounts import services
    from haochaping.accounts.scoping import system_actor
    from haochaping.catalog.rules.standards import Channel
    from haochaping.core import testing as f
    from haochaping.evaluations.rules import RatingInput
    from haochaping.evaluations.services import evaluation_submit
    from haochaping.handlings.models import Handling
    from haochaping.handlings.services import handling_intake
    from haochaping.workorders.models import WorkOrder

    city = f.make_org("市政务服务局", kind="supervising", code="WOKCITY")
    org = f.make_org("市市场监督管理局", parent=city, code="WOKMARKET")
    matter = f.make_matter(org)
    client, _ = services.api_client_create(actor=system_actor("seed"), name="seed", org=org,
                                           scopes=["handlings:write"])
    done = timezone.localtime() - timedelta(hours=3)
    stamp = done.strftime("%Y-%m-%d %H:%M:%S")
    for start in range(0, count, 500):
        items = [{"projectNo": f"W{n:07d}", "taskCode": matter.impl_code,
                  "serviceVersion": matter.version, "orgcode": org.code, "proStatus": "3",
                  "acceptDate": stamp, "resultDate": stamp, "userProp": "1",
                  "userName": "王芳", "telPhone": f"137{n:08d}"}
                 for n in range(start, min(start + 500, count))]
        result = handling_intake(client=client, items=items, now=done)
        assert not result.errors, result.errors[:3]
    bad = RatingInput(1, reason_codes=["108"], text="多次被要求补充材料")
    for handling in Handling.objects.select_related("org", "rater").order_by("pk"):
        evaluation_submit(handling=handling, rating=bad, channel=Channel.WEB)
    assert WorkOrder.objects.count() == count
    WorkOrder.objects.update(rectify_due_at=timezone.now() - timedelta(hours=2))


if __name__ == "__main__":
    main(int(sys.argv[1]))
