"""Kill -9 one of two real worker processes while they drain the SMS outbox through the
task engine, with concurrent sends to a slow gateway: the other worker takes over the
dead one's drain (heartbeat stall) and its claimed messages (outbox lease), and every
message ends ``sent`` once. The gateway sees every id; a repeat is only a message that
was in flight when the worker died, under the same ``message_id`` (issue 12).

Out of process against the pass's backend (the scratch database of test_worker_kill).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from haochaping.notify.tests.fake_gateway import FakeGateway
from tests.integration.test_worker_kill import ROOT, _env, scratch_db

__all__ = ["scratch_db"]  # the fixture, imported for pytest

COUNT = 600
SECRET = "engine-kill-gateway-secret-0123456789"


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "manage.py", "worker", "--processes", "1",
                             "--urgent-processes", "0", "--interval", "0.1"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def _wait(condition: Any, seconds: float, what: str, state: Any = None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {state() if state else ''}")
        time.sleep(0.05)


def test_worker_killed_mid_drain_loses_and_duplicates_nothing(scratch_db: Any) -> None:
    url, query = scratch_db
    py = sys.executable
    gateway = FakeGateway(SECRET).start()
    gateway.delay = 0.03
    env = {**_env(url), "HCP_SMS_BACKEND": "http", "HCP_SMS_GATEWAY_URL": gateway.url,
           "HCP_SMS_GATEWAY_SECRET": SECRET, "HCP_SMS_TIMEOUT_SECONDS": "2",
           "HCP_SMS_LEASE_MARGIN_SECONDS": "1", "HCP_WORKER_STALL_SECONDS": "2",
           "HCP_SMS_CONCURRENCY": "8"}
    sent = "SELECT COUNT(*) FROM notify_outboxmessage WHERE status = 'sent'"
    try:
        subprocess.run([py, "tests/integration/outbox_drain.py", "seed", str(COUNT)],
                       cwd=ROOT, env=env, check=True)
        doomed, survivor = _worker(env), _worker(env)
        _wait(lambda: len(gateway.received) >= COUNT // 3, 120, "a third of the sends")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
        in_flight = {row[0] for row in query(
            "SELECT id FROM notify_outboxmessage WHERE status = 'sending'")}
        assert query(sent)[0][0] < COUNT, "the kill must land in the middle of the drain"

        _wait(lambda: query(sent)[0][0] == COUNT, 60, "every message sent", lambda: (
            query("SELECT status, COUNT(*) FROM notify_outboxmessage GROUP BY status"),
            query("SELECT task_path, status, COUNT(*) FROM django_tasks_database_dbtaskresult "
                  "GROUP BY task_path, status"),
            query("SELECT key FROM core_taskkey"), query("SELECT * FROM core_taskrun")))
        survivor.send_signal(signal.SIGTERM)
        assert survivor.wait(timeout=60) == 0
    finally:
        gateway.stop()

    assert gateway.bad_signatures == 0
    seen = Counter(int(request["message_id"]) for request in gateway.received)
    ids = {row[0] for row in query("SELECT id FROM notify_outboxmessage")}
    assert len(ids) == COUNT
    assert set(seen) == ids, "a message never reached the gateway"
    repeated = {pk: n for pk, n in seen.items() if n > 1}
    assert set(repeated) <= in_flight, "a message not in flight was sent twice"
    assert all(n == 2 for n in repeated.values())
    assert query("SELECT provider_id FROM notify_outboxmessage GROUP BY provider_id "
                 "HAVING COUNT(*) > 1") == [], "two rows carry one gateway answer"
    # The dead worker's drain task was requeued and finished; nothing is left running.
    assert query("SELECT COUNT(*) FROM core_taskrun") == [(0,)]
    assert query("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
                 "WHERE status IN ('RUNNING', 'FAILED')") == [(0,)]
