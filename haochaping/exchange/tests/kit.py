"""Helpers of the conformance kit's tests: fake remotes as processes, signed uploads."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from haochaping.exchange.fakeremote.demokeys import demo_ring
from haochaping.exchange.fakeremote.process import FakeRemoteProcess
from haochaping.exchange.kit_http import HttpAnswer, send_signed
from haochaping.exchange.rules.canonical import Kind, Record
from haochaping.exchange.rules.codec import encode_batch
from haochaping.exchange.rules.profile_schema import Profile
from haochaping.exchange.rules.profiles import shipped_profile
from haochaping.exchange.rules.signing import KeyRing
from haochaping.exchange.samples import sample_records

OURS = demo_ring("ours")


def nonce() -> str:
    return uuid.uuid4().hex


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def samples(profile: Profile, kind: Kind, count: int = 3, start: int = 1,
            **changes: Any) -> list[tuple[str, Record]]:
    size = min(count, profile.envelope.max_items)
    return sample_records(profile, kind, size, at=now(), start=start, changes=changes or None)


def upload(remote: FakeRemoteProcess, profile: Profile, kind: Kind,
           items: Sequence[tuple[str, Record]], *, keys: KeyRing = OURS,
           at: datetime | None = None, timeout: float = 30) -> tuple[Any, HttpAnswer]:
    """Sign and send one batch; (the request, the answer)."""
    request = encode_batch(profile, kind, items, keys=keys, now=at or now(), nonce=nonce())
    return request, send_signed(remote.url, request, timeout)


def answer_code(profile: Profile, answer: HttpAnswer) -> str:
    """The result code at the top of a remote's answer."""
    return str(orjson.loads(answer.body)[profile.answer.code])


def held(remote: FakeRemoteProcess, kind: Kind) -> dict[str, dict[str, Any]]:
    """What the fake remote holds of ``kind``, by idempotency key."""
    return {row["key"]: row for row in remote.received(kind.value)}


@pytest.fixture(scope="module")
def remotes() -> Iterator[dict[str, FakeRemoteProcess]]:
    """One fake remote per shipped profile, started on first use, for the module."""
    started: dict[str, FakeRemoteProcess] = {}

    class Lazy(dict[str, FakeRemoteProcess]):
        def __missing__(self, name: str) -> FakeRemoteProcess:
            shipped_profile(name)
            started[name] = FakeRemoteProcess(name).start()
            self[name] = started[name]
            return started[name]

    yield Lazy()
    for remote in started.values():
        remote.close()


def sync_clock(remote: FakeRemoteProcess) -> None:
    """Tell the remote what time it is here (a test travelling with time-machine), so the
    requests signed now are inside its time window."""
    from django.utils import timezone

    remote.control(clock_now=timezone.now().isoformat())


def remote_row(remote: FakeRemoteProcess, monkeypatch: pytest.MonkeyPatch, *,
               kinds: tuple[Kind, ...] = (), **fields: Any) -> Any:
    """A ``Remote`` pointing at the fake remote process, holding our side of the demo
    keys (key env ``DEMO``, set in this process's environment), routed at once."""
    from haochaping.exchange import routes
    from haochaping.exchange.fakeremote.demokeys import OURS_ENV, demo_environ
    from haochaping.exchange.models import Remote

    for name, value in demo_environ().items():
        monkeypatch.setenv(name, value)
    profile = shipped_profile(remote.profile)
    values: dict[str, Any] = {
        "name": f"kit-{remote.profile}", "label": f"{profile.label}（假远端平台）",
        "profile": remote.profile, "base_url": remote.url, "key_env": OURS_ENV,
        "kinds": [k.value for k in kinds], "batch_size": min(20, profile.envelope.max_items),
        "rate_per_second": 1000, "timeout_seconds": 5, **fields}
    row = Remote.objects.create(**values)
    routes.routes_sync(remote_id=row.pk)
    return row
