"""Out-of-process steps of test_outbox_kill, run as ``python outbox_drain.py seed N`` or
``python outbox_drain.py drain [--later SECONDS]`` with DATABASE_URL and the HTTP SMS
backend settings in the environment.

``drain`` calls the outbox delivery service (``notify.services.deliver_due``, what the
``notify.deliver`` job runs) until nothing is due, so the test depends on the service and
not on how the worker schedules it. ``--later`` runs it as that many seconds from now, as
when a killed drain's lease has run out.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haochaping.settings")

PARAMS = {"org": "市市场监管局", "matter": "食品经营许可", "link": "http://x/r/tok"}


def seed(count: int) -> None:
    from django.db import transaction

    from haochaping.notify.services import outbox_enqueue

    with transaction.atomic():
        for n in range(count):
            outbox_enqueue(template="evaluation_invite", to=f"1380000{n:04d}", params=PARAMS,
                           dedupe_key=f"kill:{n}")


def drain(later: float) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from haochaping.notify.services import deliver_due

    now = timezone.now() + timedelta(seconds=later)
    # One send at a time, so the test knows which message is in flight when it kills
    # the drain (concurrent sends are killed in tests/integration/test_engine_kill.py).
    while deliver_due(now, limit=50, concurrency=1).ids:
        pass


def main() -> None:
    import django

    parser = argparse.ArgumentParser()
    steps = parser.add_subparsers(dest="step", required=True)
    steps.add_parser("seed").add_argument("count", type=int)
    steps.add_parser("drain").add_argument("--later", type=float, default=0.0)
    args = parser.parse_args()
    django.setup()
    if args.step == "seed":
        seed(args.count)
    else:
        drain(args.later)


if __name__ == "__main__":
    main()
