"""Writers side by side on PostgreSQL, before and after issue 12 in the same run:
rating submits (``evaluations.services.evaluation_submit``: the dirty-bucket triggers are
on its path) and audit appends (``audit.services.audit_record``: one global chain lock
before, a chain per concurrent writer after), each from THREADS threads with their own
connections, in process (no HTTP: wrk and gunicorn are too heavy for a shared machine).

The code measured is the checkout given by ``--code`` (its own fresh, migrated database):
run it once with the tree before the change (``git archive <commit>``) and once with this
one, alternating, and compare::

    git archive 8e0088f | tar -x -C /tmp/hcp-before
    .venv/bin/python bench/writers_before_after.py --code /tmp/hcp-before --code . --rounds 2
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve()
PG = os.environ.get("HCP_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "hcp_writers_before_after"
THREADS = 4
SECONDS = 8.0
HANDLINGS = 15_000


def _threads(work: object, seconds: float) -> float:
    """Run ``work(thread_index, stop)`` in THREADS threads for ``seconds``; returns the
    calls per second all threads made together."""
    from django.db import connection

    stop = threading.Event()
    counts = [0] * THREADS

    def run(index: int) -> None:
        try:
            counts[index] = work(index, stop)  # type: ignore[operator]
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - begin)


def inner() -> None:
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone
    from haochaping.core.testing import seed_completed_handlings

    from haochaping.audit.services import audit_record
    from haochaping.catalog.rules.standards import Channel
    from haochaping.evaluations.rules import RatingInput
    from haochaping.evaluations.services import evaluation_submit
    from haochaping.handlings.models import Handling

    seed_completed_handlings(HANDLINGS, code="CC", prefix="CC", completed_at=timezone.now(),
                             phone_prefix="139", at_window=True)
    ids = list(Handling.objects.order_by("pk").values_list("pk", flat=True))
    rating = RatingInput(5, content_codes=["510", "517"], text="服务热情，一次办结")
    slices = [iter(ids[i::THREADS]) for i in range(THREADS)]  # each handling rated once

    def submit(index: int, stop: threading.Event) -> int:
        done = 0
        for pk in slices[index]:
            if stop.is_set():
                break
            handling = Handling.objects.select_related("org", "rater").get(pk=pk)
            evaluation_submit(handling=handling, rating=rating, channel=Channel.APP)
            done += 1
        return done

    def append(index: int, stop: threading.Event) -> int:
        done = 0
        while not stop.is_set():
            with transaction.atomic():
                audit_record(action="bench.append", actor_label=f"t{index}", object_id=done,
                             after={"n": done})
            done += 1
        return done

    _threads(submit, 2.0)  # warm-up: memos, prepared statements
    print(f"FIG\tevaluation_submit, {THREADS} threads\t{_threads(submit, SECONDS):.1f}"
          "\tcalls/s", flush=True)
    print(f"FIG\taudit_record, {THREADS} threads\t{_threads(append, SECONDS):.1f}\tcalls/s",
          flush=True)


def measure(code: Path) -> list[tuple[str, float]]:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "haochaping.settings",
           "DATABASE_URL": f"{PG}/{DB}", "PYTHONPATH": str(code), "HCP_AXES_ENABLED": "false",
           "LOG_LEVEL": "ERROR"}
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=code, env=env,
                       check=True)
        out = subprocess.run([sys.executable, str(HERE), "--inner"], cwd=code, env=env,
                             check=True, text=True, stdout=subprocess.PIPE).stdout
    finally:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    return [(line.split("\t")[1], float(line.split("\t")[2]))
            for line in out.splitlines() if line.startswith("FIG\t")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inner", action="store_true")
    parser.add_argument("--code", action="append", default=[], type=Path)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if args.inner:
        inner()
        return 0
    for round_no in range(args.rounds):
        for code in args.code:
            for name, value in measure(code.resolve()):
                print(f"round {round_no + 1}  {str(code):<20} {name:<32} {value:>8.1f} /s",
                      flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
