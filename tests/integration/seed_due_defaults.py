"""Seed for test_worker_kill: N completed handlings whose default rating is overdue.

Run as a script in its own process: ``python seed_due_defaults.py N`` with DATABASE_URL
and HCP_POLICY_PRESET=zhengdong (default 基本满意 after 7 natural days, seed 000 §11).
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
    from haochaping.core import testing as f
    from haochaping.handlings.services import handling_intake

    city = f.make_org("市政务服务局", kind="supervising", code="KILLCITY")
    org = f.make_org("市市场监督管理局", parent=city, code="KILLMARKET")
    matter = f.make_matter(org)
    client, _ = services.api_client_create(actor=system_actor("seed"), name="seed", org=org,
                                           scopes=["handlings:write"])
    done = timezone.localtime() - timedelta(days=10)
    stamp = done.strftime("%Y-%m-%d %H:%M:%S")
    for start in range(0, count, 500):
        items = [{"projectNo": f"K{n:07d}", "taskCode": matter.impl_code,
                  "serviceVersion": matter.version, "orgcode": org.code, "proStatus": "3",
                  "acceptDate": stamp, "resultDate": stamp, "userProp": "1",
                  "userName": "王芳", "telPhone": f"137{n:08d}"}
                 for n in range(start, min(start + 500, count))]
        result = handling_intake(client=client, items=items, now=done)
        assert not result.errors, result.errors[:3]


if __name__ == "__main__":
    main(int(sys.argv[1]))
