"""Kill -9 the web server (gunicorn's master and workers, the whole process group) three
times during a rating load over HTTP and start it again: every acknowledged rating is
stored exactly once, and so is every rating whose answer a kill lost and whose client sent
it again with the same ``Idempotency-Key`` (issue 17, "Protocol and operations").

Runs on a scratch copy of the pass's test database (a SQLite file, or a PostgreSQL
database on the configured server); the server and the clients are real processes and
sockets.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.integration.ratingload import (
    HANG_UP_EVERY,
    Gunicorn,
    Query,
    RatingLoad,
    seed,
    server_env,
    stored_exactly_once,
)
from tests.integration.test_worker_kill import scratch_db

__all__ = ["scratch_db"]  # the fixture, imported for pytest

pytestmark = pytest.mark.django_db  # the test database is the scratch copy's source

RATINGS = 300
KILLS = 3



def test_acknowledged_ratings_survive_kill_9_of_the_web_server_exactly_once(
        scratch_db: tuple[str, Query], tmp_path: Path) -> None:
    url, query = scratch_db
    env = server_env(url)
    began = time.monotonic()
    key = seed(env, RATINGS)
    seeded = time.monotonic()
    server = Gunicorn(env, tmp_path / "gunicorn.log")
    server.start()
    try:
        load = RatingLoad(server.port, key, range(RATINGS)).start()
        for k in range(1, KILLS + 1):
            load.wait_for(RATINGS * k // (KILLS + 1))
            server.kill()  # mid-load: the requests in flight lose their answers
            server.start()
        outcome = load.join()
    finally:
        server.stop()
    assert server.kills == KILLS
    stored_exactly_once(query, outcome, RATINGS)
    # The kills landed mid-load: answers were lost beyond the clients' own hang-ups.
    assert outcome.lost > len(outcome.hung_up) == RATINGS // HANG_UP_EVERY
    # Retries after a hang-up found the first request done and got its answer again.
    assert outcome.replayed
    print(f"{RATINGS} ratings, {KILLS} kills of gunicorn: {outcome.lost} answers lost, "  # noqa: T201
          f"{len(outcome.retried)} ratings sent again, {len(outcome.replayed)} replayed; "
          f"seed {seeded - began:.1f} s, load {time.monotonic() - seeded:.1f} s of which "
          f"{server.start_seconds:.1f} s starting gunicorn")
