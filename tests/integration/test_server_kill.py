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
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.integration.ratingload import (
    HANG_UP_EVERY,
    Gunicorn,
    Query,
    RatingLoad,
    clone_test_database,
    pg_query,
    pg_url,
    seed,
    server_env,
    sqlite_query,
    stored_exactly_once,
)

pytestmark = pytest.mark.django_db  # the test database is the scratch copy's source

RATINGS = 300
KILLS = 3


@pytest.fixture
def scratch_copy(tmp_path: Path) -> Iterator[tuple[str, Query]]:
    """A copy of the migrated test database: (DATABASE_URL, query)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "kill.sqlite3"
        clone_test_database(path, tmp_path)
        yield f"sqlite:///{path}", sqlite_query(path)
        return
    cfg = settings.DATABASES["default"]
    server: dict[str, Any] = dict(host=cfg["HOST"] or "127.0.0.1",
                                  port=cfg["PORT"] or 5432, user=cfg["USER"] or None)
    name = f"hcp_srvkill_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_url(server, name)
    try:
        clone_test_database(url, tmp_path)
        yield url, pg_query(url)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_acknowledged_ratings_survive_kill_9_of_the_web_server_exactly_once(
        scratch_copy: tuple[str, Query], tmp_path: Path) -> None:
    url, query = scratch_copy
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
