"""Seed for the crash tests (test_server_kill, test_postgres_crash): N completed handlings
``C00000000``… whose raters have the phones ``139000000000``…, and one API key with the
scopes ``handlings:write`` and ``evaluations:write``, printed as the last line.

Run as a script in its own process: ``python seed_rating_load.py N`` with DATABASE_URL.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haochaping.settings")


def main(count: int) -> None:
    import django

    django.setup()
    from django.utils import timezone

    from tests.factories import seed_completed_handlings

    world = seed_completed_handlings(
        count, code="CRASH", prefix="C", completed_at=timezone.now(), phone_prefix="139",
        scopes=("handlings:write", "evaluations:write"))
    print(world.key)  # noqa: T201


if __name__ == "__main__":
    main(int(sys.argv[1]))
