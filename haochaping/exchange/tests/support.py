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
from haochaping.exchange.tests.strategies import OUR_SM2, SM4_KEY, THEIR_SM2, their_ring

SECRET = "an-exchange-test-secret-of-32-by"
RING = KeyRing(hmac=KeySet.of(("k1", SECRET.encode())))


def set_keys(monkeypatch: pytest.MonkeyPatch, key_env: str) -> None:
    """The remote's key ring, as an operator configures it (exchange.keys)."""
    monkeypatch.setenv(f"HCP_EXCHANGE_{key_env.upper()}_HMAC", f"k1:{SECRET}")


def set_sm_keys(monkeypatch: pytest.MonkeyPatch, key_env: str) -> None:
    """Our SM2 key, the remote's public key and the shared SM4 key (the codec tests'
    pairs: tests.strategies)."""
    prefix = f"HCP_EXCHANGE_{key_env.upper()}_"
    monkeypatch.setenv(prefix + "SM2_PRIVATE", f"ours-2:{OUR_SM2[0].hex()}")
    monkeypatch.setenv(prefix + "SM2_PEER_PUBLIC", f"theirs-1:{THEIR_SM2[1].hex()}")
    monkeypatch.setenv(prefix + "SM4", f"e1:{SM4_KEY.hex()}")


@contextmanager
def remote_up(monkeypatch: pytest.MonkeyPatch, profile: str = "national", **fields: Any,
              ) -> Iterator[tuple[FakeRemote, Remote]]:
    """A remote of ``profile`` on a live HTTP server, routed like a saved remote: HMAC
    profiles share :data:`SECRET`, SM2 ones use the codec tests' key pairs."""
    sm = shipped_profile(profile).signing.alg == "sm2-sm3"
    fake = FakeRemote(profile=shipped_profile(profile), keys=their_ring() if sm else RING)
    with running(fake):
        values: dict[str, Any] = {"name": profile, "label": f"{profile} 平台",
                                  "profile": profile, "base_url": fake.url,
                                  "key_env": profile.upper(),
                                  "batch_size": min(50, fake.profile.envelope.max_items),
                                  "rate_per_second": 1000, "timeout_seconds": 5}
        values.update(fields)
        remote = Remote.objects.create(**values)
        (set_sm_keys if sm else set_keys)(monkeypatch, remote.key_env)
        routes.routes_sync(remote_id=remote.pk)
        yield fake, remote


def deliver() -> str:
    """One period of the job, then every delivery task it queued, in this thread."""
    summary = tasks.deliver_outbox.call(timezone.now().isoformat())
    drain()
    return str(summary)


def statuses(remote: Remote) -> dict[str, str]:
    return dict(OutboxRecord.objects.filter(remote=remote).values_list("record_key", "status"))
