"""Helpers of the delivery tests: a remote on a real HTTP server with its keys in the
environment, and one delivery pass (the periodic job, then every task it queued)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.utils import timezone

from haochaping.core.engine.worker import drain
from haochaping.exchange import routes, tasks
from haochaping.exchange.models import OutboxRecord, Remote
from haochaping.exchange.rules.profiles import shipped_profile
from haochaping.exchange.rules.signing import KeyRing, KeySet
from haochaping.exchange.tests.remote_server import FakeRemote, running

SECRET = "an-exchange-test-secret-of-32-by"
RING = KeyRing(hmac=KeySet.of(("k1", SECRET.encode())))


def set_keys(monkeypatch: pytest.MonkeyPatch, key_env: str) -> None:
    """The remote's key ring, as an operator configures it (exchange.keys)."""
    monkeypatch.setenv(f"HCP_EXCHANGE_{key_env.upper()}_HMAC", f"k1:{SECRET}")


@contextmanager
def remote_up(monkeypatch: pytest.MonkeyPatch, **fields: Any) -> Iterator[
        tuple[FakeRemote, Remote]]:
    """A national-profile remote on a live HTTP server, routed like a saved remote."""
    fake = FakeRemote(profile=shipped_profile("national"), keys=RING)
    with running(fake):
        values: dict[str, Any] = {"name": "national", "label": "国家平台",
                                  "profile": "national", "base_url": fake.url,
                                  "key_env": "NATIONAL", "batch_size": 50,
                                  "rate_per_second": 1000, "timeout_seconds": 5}
        values.update(fields)
        remote = Remote.objects.create(**values)
        set_keys(monkeypatch, remote.key_env)
        routes.routes_sync(remote_id=remote.pk)
        yield fake, remote


def deliver() -> str:
    """One period of the job, then every delivery task it queued, in this thread."""
    summary = tasks.deliver_outbox.call(timezone.now().isoformat())
    drain()
    return str(summary)


def statuses(remote: Remote) -> dict[str, str]:
    return dict(OutboxRecord.objects.filter(remote=remote).values_list("record_key", "status"))
