"""Seed for bench_tasks, run in its own process with DATABASE_URL set:

    python bench/seed_tasks.py outbox N     # N pending SMS in the outbox (through the service)
    python bench/seed_tasks.py defaults N   # N completed handlings whose default rating is due

Queued tasks are removed afterwards, so the benchmark starts the work itself.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haochaping.settings")
os.environ.setdefault("HCP_POLICY_PRESET", "zhengdong")  # default rating after 7 days


def main(kind: str, count: int) -> None:
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from haochaping.core.models import TaskKey
    from haochaping.notify.services import outbox_enqueue
    from tests.factories import seed_completed_handlings

    if kind == "outbox":
        for start in range(0, count, 500):
            with transaction.atomic():
                for n in range(start, min(start + 500, count)):
                    outbox_enqueue(template="evaluation_invite", to=f"139{n:08d}",
                                   params={"org": "市市场监督管理局", "matter": "食品经营许可",
                                           "link": f"http://127.0.0.1/r/bench{n}"},
                                   dedupe_key=f"bench:{n}")
    elif kind == "defaults":
        seed_completed_handlings(count, code="BENCH", prefix="B",
                                 completed_at=timezone.now() - timedelta(days=10), batch=1000)
    else:
        raise SystemExit(f"unknown kind {kind!r}")
    DBTaskResult.objects.all().delete()
    TaskKey.objects.all().delete()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
