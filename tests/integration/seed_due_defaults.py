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

    from tests.factories import seed_completed_handlings

    # Completed ten days ago: the seven-natural-day default rating is overdue.
    seed_completed_handlings(count, code="KILL", prefix="K",
                             completed_at=timezone.now() - timedelta(days=10), batch=500)


if __name__ == "__main__":
    main(int(sys.argv[1]))
