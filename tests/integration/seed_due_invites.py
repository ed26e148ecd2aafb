"""Seed for test_sms_sweep_kill: N completed, unrated handlings whose SMS invitation is
due. Run as a script in its own process: ``python seed_due_invites.py N`` with
DATABASE_URL and HCP_POLICY_PRESET=haiyang (invitation after 24 h, seed 003 §9(三))."""

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

    # Completed 30 hours ago: past the 24-hour invitation delay, inside the window.
    seed_completed_handlings(count, code="SMSKILL", prefix="S", phone_prefix="136",
                             completed_at=timezone.now() - timedelta(hours=30), batch=500)


if __name__ == "__main__":
    main(int(sys.argv[1]))
