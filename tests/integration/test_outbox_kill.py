"""Kill -9 a process in the middle of draining the SMS outbox (``deliver_due``) while the
gateway holds one request, then drain again: every message reaches the gateway and ends
``sent`` exactly once; the only repeat the gateway sees is the message that was in flight,
with the same ``message_id`` (the gateway drops it), never a message delivered twice as
two rows or under two ids (issue 12; notify.services.delivery's at-least-once contract).

Out of process against the pass's backend (the scratch database of test_worker_kill); the
gateway is the notify tests' fake over real HTTP, answering slowly.
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

COUNT = 120
IN_FLIGHT = 40  # the gateway holds the 40th request; the drain is killed meanwhile
SECRET = "kill-test-gateway-secret-0123456789"
SCRIPT = "tests/integration/outbox_drain.py"


def _statuses(query: Any) -> dict[str, int]:
    return {status: n for status, n in query(
        "SELECT status, COUNT(*) FROM notify_outboxmessage GROUP BY status")}


def test_drain_killed_mid_send_loses_nothing_and_sends_each_id_once(scratch_db: Any) -> None:
    url, query = scratch_db
    py = sys.executable
    gateway = FakeGateway(SECRET).start()
    gateway.delay = 0.005
    gateway.script.extend([200] * (IN_FLIGHT - 1) + ["hang"])
    env = {**_env(url), "HCP_SMS_BACKEND": "http", "HCP_SMS_GATEWAY_URL": gateway.url,
           "HCP_SMS_GATEWAY_SECRET": SECRET, "HCP_SMS_TIMEOUT_SECONDS": "30"}
    try:
        subprocess.run([py, SCRIPT, "seed", str(COUNT)], cwd=ROOT, env=env, check=True)
        assert _statuses(query) == {"pending": COUNT}

        drain = subprocess.Popen([py, SCRIPT, "drain"], cwd=ROOT, env=env)
        deadline = time.monotonic() + 120
        while len(gateway.received) < IN_FLIGHT and time.monotonic() < deadline:
            assert drain.poll() is None, "the drain ended before the gateway held a request"
            time.sleep(0.01)
        assert len(gateway.received) == IN_FLIGHT
        drain.send_signal(signal.SIGKILL)
        drain.wait(timeout=30)
        in_flight = int(gateway.received[-1]["message_id"])
        # The held message, and perhaps the next one: delivery claims the next batch while
        # the current one is with the gateway, so the kill may land before or after that
        # claim. Either way the next one was never sent.
        statuses = _statuses(query)
        claimed = statuses.get("sending", 0)
        assert claimed in {1, 2}, statuses
        assert statuses == {"sent": IN_FLIGHT - 1, "sending": claimed,
                            "pending": COUNT - IN_FLIGHT + 1 - claimed}
        assert query(f"SELECT status FROM notify_outboxmessage WHERE id = {in_flight}"
                     ) == [("sending",)]

        # The held request ends unanswered; the dead drain's lease runs out (an hour later
        # is past HCP_SMS_TIMEOUT_SECONDS + the lease margin) and a new drain resumes.
        gateway.release.set()
        subprocess.run([py, SCRIPT, "drain", "--later", "3600"], cwd=ROOT, env=env,
                       check=True)
    finally:
        gateway.stop()

    assert gateway.bad_signatures == 0
    seen = Counter(int(request["message_id"]) for request in gateway.received)
    ids = {row[0] for row in query("SELECT id FROM notify_outboxmessage")}
    assert len(ids) == COUNT
    assert set(seen) == ids, "a message never reached the gateway"
    assert {pk: n for pk, n in seen.items() if n > 1} == {in_flight: 2}
    assert sorted(query("SELECT status, attempts, COUNT(*) FROM notify_outboxmessage "
                        "GROUP BY status, attempts")) == [("sent", 1, COUNT - claimed),
                                                          ("sent", 2, claimed)]
    assert query(f"SELECT attempts FROM notify_outboxmessage WHERE id = {in_flight}"
                 ) == [(2,)]
    assert query("SELECT provider_id FROM notify_outboxmessage GROUP BY provider_id "
                 "HAVING COUNT(*) > 1") == [], "two rows carry one gateway answer"
