"""Crash PostgreSQL (``pg_ctl stop -m immediate``: no checkpoint, every backend killed)
twice during a rating load over HTTP and start it again: crash recovery keeps every
acknowledged rating, none doubled (issue 17, "Protocol and operations").

The crash hits a private cluster made for the test (``initdb`` into a temporary
directory, its own port and socket directory, ``fsync=on``, ``synchronous_commit=on``),
never the machine's shared server, where the other test pass runs at the same time. The
cluster is removed afterwards whatever happens. The load is the one of
test_server_kill: gunicorn, clients that send a request again with the same
``Idempotency-Key`` until it is answered (a 5xx while the database is down is a lost
answer). The test exercises a crash of the database server's processes, not a power cut:
the operating system's page cache survives it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.integration.ratingload import (
    HANG_UP_EVERY,
    Gunicorn,
    RatingLoad,
    clone_test_database,
    free_port,
    pg_query,
    seed,
    server_env,
    stored_exactly_once,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

RATINGS = 300
CRASHES = 2
RECOVERY = "database system was not properly shut down; automatic recovery in progress"


class PrivateCluster:
    """A throw-away PostgreSQL cluster owned by the ``postgres`` OS user when we are root
    (PostgreSQL refuses to run as root), else by us."""

    def __init__(self, bindir: Path, port: int) -> None:
        self.bindir, self.port = bindir, port
        self.root = Path(tempfile.mkdtemp(prefix="hcp-pgcrash-"))
        self.data, self.log = self.root / "data", self.root / "postgresql.log"
        self.url = f"postgres://postgres@127.0.0.1:{port}/hcp"
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)

    def _run(self, program: str, *args: str, timeout: float = 120) -> None:
        command = [str(self.bindir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              check=False)
        assert done.returncode == 0, f"{program}: {done.stdout}{done.stderr}"

    def init(self) -> None:
        # --no-sync: initdb's own files need not reach the disk for a crash of processes
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.root}'\n"
                       "fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n"
                       "max_connections = 30\nshared_buffers = 32MB\n")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "start")

    def crash(self) -> None:
        """Immediate shutdown: the server's processes quit at once, without a checkpoint;
        the next start recovers from the WAL."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(AssertionError):
                self.crash()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster(postgres_bindir: Path) -> Iterator[PrivateCluster]:
    made = PrivateCluster(postgres_bindir, free_port())
    try:
        made.init()
        made.start()
        with psycopg.connect(f"postgres://postgres@127.0.0.1:{made.port}/postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE hcp")
        yield made
    finally:
        made.remove()


def test_acknowledged_ratings_survive_an_immediate_shutdown_of_postgresql(
        cluster: PrivateCluster, tmp_path: Path) -> None:
    query = pg_query(cluster.url)
    assert query("SELECT current_setting('fsync'), current_setting('synchronous_commit')"
                 ) == [("on", "on")]
    began = time.monotonic()
    clone_test_database(cluster.url, tmp_path)
    env = server_env(cluster.url)
    key = seed(env, RATINGS)
    seeded = time.monotonic()
    server = Gunicorn(env, tmp_path / "gunicorn.log")
    server.start()
    try:
        load = RatingLoad(server.port, key, range(RATINGS)).start()
        for k in range(1, CRASHES + 1):
            load.wait_for(RATINGS * k // (CRASHES + 1))
            cluster.crash()  # mid-load: transactions in flight die with the server
            cluster.start()
        outcome = load.join()
    finally:
        server.stop()
    assert cluster.log.read_text(encoding="utf-8").count(RECOVERY) == CRASHES
    stored_exactly_once(query, outcome, RATINGS)
    # Requests met the crashed database (beyond the clients' own hang-ups) and were
    # sent again; retries after a hang-up got the first answer again.
    assert outcome.lost > len(outcome.hung_up) == RATINGS // HANG_UP_EVERY
    assert outcome.replayed
    print(f"{RATINGS} ratings, {CRASHES} immediate shutdowns of PostgreSQL: "  # noqa: T201
          f"{outcome.lost} answers lost, {len(outcome.retried)} ratings sent again, "
          f"{len(outcome.replayed)} replayed; copy and seed {seeded - began:.1f} s, "
          f"load {time.monotonic() - seeded:.1f} s")
