"""A rating load over real HTTP, for the crash tests (issue 17, "Protocol and operations"):
``test_server_kill`` (kill -9 of gunicorn) and ``test_postgres_crash`` (immediate
shutdown of PostgreSQL).

- :func:`clone_test_database`: the pass's migrated test database copied into a scratch
  database (a SQLite dump through the test's connection, or ``pg_dump``/``pg_restore``
  through ``core.backup``), seconds instead of the half minute a ``migrate`` takes;
- :class:`Gunicorn`: the production server (sync workers) in a process group of its own, so
  that one ``killpg`` kills the master and every worker at once;
- :class:`RatingLoad`: threads posting ``POST /api/v1/evaluations``, one handling per
  request, each with its own ``Idempotency-Key``. A request whose answer is lost (the
  connection broke, or a 5xx) is sent again with the same key and body until it is
  answered, as a real client would. Besides the crashes, every tenth client hangs up
  once right after sending (a client-side timeout): the server carries on and commits,
  so the retry must be answered with the first answer, not a second rating or a 409;
- :func:`stored_exactly_once`: every acknowledged rating is in the database once, with the
  ``public_id`` its answer carried, and nothing else is.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.db import connection

from haochaping.core.backup import backup, restore
from tests.integration.test_worker_kill import ROOT, _env

Query = Callable[[str], list[tuple[Any, ...]]]

BODY = ('{{"proj_no":"C{n:08d}","channel":"app","level":5,"content_codes":["510"],'
        '"rater":{{"phone":"139{n:08d}"}}}}')
HANG_UP_EVERY = 10
# What the web server needs beyond _env: no login lock-outs, the host it is called by.
SERVER_ENV = {"DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "HCP_AXES_ENABLED": "false"}


def pg_url(server: dict[str, Any], name: str) -> str:
    user = f"{server['user']}@" if server.get("user") else ""
    return f"postgres://{user}{server['host']}:{server['port']}/{name}"


def pg_query(url: str) -> Query:
    def query(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(url, connect_timeout=10) as conn:
            cursor = conn.execute(sql.encode())
            return cursor.fetchall() if cursor.description else []

    return query


def sqlite_query(path: Path) -> Query:
    def query(sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(path, timeout=30) as conn:
            return conn.execute(sql).fetchall()

    return query


def clone_test_database(target: Path | str, workdir: Path) -> None:
    """Copy the pass's test database (migrated, reference data loaded) into ``target``: a
    SQLite file path, or the URL of an empty PostgreSQL database. Call from a test marked
    ``django_db``; it writes nothing to the test database."""
    if connection.vendor == "sqlite":
        # The test's transaction holds the write lock, which the backup API waits on
        # forever; a dump reads through the same connection.
        connection.ensure_connection()
        script = "\n".join(connection.connection.iterdump())
        copy = sqlite3.connect(target)
        try:
            copy.create_function("REGEXP", 2, _regexp, deterministic=True)  # as Django's
            copy.executescript(script)
        finally:
            copy.close()
        return
    dump = workdir / f"clone-{uuid.uuid4().hex[:8]}.dump"
    backup(connection.settings_dict, dump)
    restore(dump, into=str(target))
    dump.unlink()


def _regexp(pattern: str | None, value: Any) -> bool | None:
    return None if pattern is None or value is None else bool(re.search(pattern, str(value)))


def seed(env: dict[str, str], count: int) -> str:
    """Seed ``count`` handlings (seed_rating_load.py); the API key."""
    out = subprocess.run([sys.executable, "tests/integration/seed_rating_load.py", str(count)],
                         cwd=ROOT, env=env, check=True, capture_output=True, text=True,
                         timeout=120)
    return out.stdout.strip().splitlines()[-1]


def server_env(url: str) -> dict[str, str]:
    return {**_env(url), **SERVER_ENV}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Gunicorn:
    """gunicorn with 2 sync workers on a free port, started in its own session (process
    group); :meth:`kill` is ``kill -9`` of the whole group."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2) -> None:
        self.env, self.log, self.workers = env, log, workers
        self.port = free_port()  # kept across restarts: the clients keep their address
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0
        self.start_seconds = 0.0  # spent waiting for the server to answer, all starts

    def start(self, timeout: float = 60) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "haochaping.wsgi", "--workers",
                 str(self.workers), "--worker-class", "sync", "--bind",
                 f"127.0.0.1:{self.port}", "--timeout", "60", "--log-level", "warning"],
                cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True)
        began = time.monotonic()
        deadline = began + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"gunicorn exited: see {self.log}"
            try:
                if _get(self.port, "/healthz") == 200:
                    self.start_seconds += time.monotonic() - began
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn not ready after {timeout} s: see {self.log}")

    def kill(self) -> None:
        """kill -9 of the master and its workers, all at once."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.kills += 1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


@dataclass
class Outcome:
    """What the clients saw."""

    acked: dict[str, str] = field(default_factory=dict)  # proj_no: public_id answered
    replayed: set[str] = field(default_factory=set)  # acked by a replay of the first answer
    retried: set[str] = field(default_factory=set)  # sent again after a lost answer
    lost: int = 0  # answers lost (broken connection, or a 5xx)
    hung_up: set[str] = field(default_factory=set)  # the client hung up after sending
    refused: dict[str, str] = field(default_factory=dict)  # proj_no: unexpected answer
    unanswered: set[str] = field(default_factory=set)  # never answered before the deadline


class RatingLoad:
    """``threads`` clients rating the handlings ``numbers`` (one request each) against
    the server at ``port``; every request is retried until it is answered."""

    def __init__(self, port: int, api_key: str, numbers: range, threads: int = 8,
                 deadline_s: float = 120) -> None:
        self.port, self.api_key, self.threads = port, api_key, threads
        self.todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        for n in numbers:
            self.todo.put(n)
        self.total = len(numbers)
        self.deadline = time.monotonic() + deadline_s
        self.outcome = Outcome()
        self._lock = threading.Lock()
        self._pool = [threading.Thread(target=self._client, daemon=True) for _ in range(threads)]

    def start(self) -> RatingLoad:
        for thread in self._pool:
            thread.start()
        return self

    def answered(self) -> int:
        with self._lock:
            return len(self.outcome.acked) + len(self.outcome.refused)

    def wait_for(self, answered: int) -> None:
        while self.answered() < answered and time.monotonic() < self.deadline:
            time.sleep(0.005)

    def join(self) -> Outcome:
        for thread in self._pool:
            thread.join(max(0.0, self.deadline - time.monotonic()) + 15)
        return self.outcome

    def _client(self) -> None:
        while True:
            try:
                n = self.todo.get_nowait()
            except queue.Empty:
                return
            self._rate(n)

    def _rate(self, n: int) -> None:
        proj_no = f"C{n:08d}"
        body = BODY.format(n=n).encode()
        headers = {"Content-Type": "application/json", "X-Api-Key": self.api_key,
                   "Idempotency-Key": f"crash-{proj_no}"}
        pause = 0.02
        hang_up = n % HANG_UP_EVERY == HANG_UP_EVERY // 2
        while time.monotonic() < self.deadline:
            try:
                status, replayed, answer = self._post(body, headers, hang_up=hang_up)
            except (OSError, http.client.HTTPException):
                status, replayed, answer = 0, False, b""
            if hang_up:
                hang_up = False
                with self._lock:
                    self.outcome.hung_up.add(proj_no)
            if status == 0 or status >= 500:  # the answer is lost: send it again
                with self._lock:
                    self.outcome.lost += 1
                    self.outcome.retried.add(proj_no)
                time.sleep(pause)
                pause = min(pause * 2, 0.3)
                continue
            with self._lock:
                if status == 201:
                    self.outcome.acked[proj_no] = json.loads(answer)[0]["public_id"]
                    if replayed:
                        self.outcome.replayed.add(proj_no)
                else:
                    text = answer.decode(errors="replace")[:200]
                    self.outcome.refused[proj_no] = f"{status} {text}"
            return
        with self._lock:
            self.outcome.unanswered.add(proj_no)

    def _post(self, body: bytes, headers: dict[str, str], hang_up: bool = False
              ) -> tuple[int, bool, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("POST", "/api/v1/evaluations", body, headers)
            if hang_up:
                return 0, False, b""  # closed unread: the answer is lost
            response = conn.getresponse()
            answer = response.read()
            return (response.status, response.getheader("Idempotent-Replayed") == "true",
                    answer)
        finally:
            conn.close()


def stored_exactly_once(query: Query, outcome: Outcome, total: int) -> None:
    """Every request was answered 201; each handling holds exactly one rating, the one
    its answer named; one kept answer per Idempotency-Key."""
    refused = sorted(outcome.refused.items())[:3]
    assert refused == [], "a request (a retry?) was refused instead of answered"
    assert outcome.unanswered == set(), f"unanswered: {sorted(outcome.unanswered)[:10]}"
    assert len(outcome.acked) == total
    doubled = query("SELECT handling_id, COUNT(*) FROM evaluations_evaluation "
                    "GROUP BY handling_id HAVING COUNT(*) > 1")
    assert doubled == [], "a handling was rated twice"
    stored = {proj_no: str(uuid.UUID(str(public_id))) for proj_no, public_id in query(
        "SELECT h.proj_no, e.public_id FROM evaluations_evaluation e "
        "JOIN handlings_handling h ON h.id = e.handling_id")}
    acked = {proj_no: str(uuid.UUID(public_id)) for proj_no, public_id in outcome.acked.items()}
    missing = sorted(set(acked) - set(stored))
    assert missing == [], f"acknowledged ratings lost: {missing[:10]}"
    assert stored == acked, "a stored rating is not the one its answer named"
    keys = query("SELECT key, status FROM core_idempotentrequest")
    assert sorted(keys) == sorted((f"crash-{p}", 201) for p in acked)
