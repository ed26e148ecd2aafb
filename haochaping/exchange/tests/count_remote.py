"""A remote on a real HTTP port (``tests.remote_server``) that also answers the
reconciliation's count queries: it holds every record it acknowledged under its key,
filed by the record's org code and Shanghai day (as the conformance kit's fake remote
does), and answers a count query with ``encode_count`` over what it holds. A test can make
it lose a record (a planted difference) or be down for the count endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.catalog.rules.standards import Channel
from haochaping.core.localtime import local_day
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.exchange import reconciling, routes
from haochaping.exchange.models import ReconcileRun, Remote
from haochaping.exchange.rules.canonical import Event, HandlingRecord, RatingRecord, Record
from haochaping.exchange.rules.codec import (
    CodecError,
    decode_count_query,
    encode_count,
    encode_refusal,
    ids_digest,
)
from haochaping.exchange.rules.profiles import shipped_profile
from haochaping.exchange.tests.remote_server import FakeRemote, running
from haochaping.exchange.tests.support import RING, set_keys


def record_day(key: str, record: Record) -> date:
    moment: datetime
    if isinstance(record, RatingRecord):
        invalidated = f":{Event.INVALIDATED.value}:" in key and record.invalidated_at
        moment = record.invalidated_at if invalidated and record.invalidated_at \
            else record.assessed_at
    elif isinstance(record, HandlingRecord):
        moment = record.completed_at or record.accepted_at
    else:
        moment = record.closed_at  # type: ignore[union-attr]
    return local_day(moment)


@dataclass
class CountingRemote(FakeRemote):
    held: dict[str, dict[str, tuple[str, date]]] = field(default_factory=dict)
    count_status: int = 200  # the count endpoint answers this (no body) when not 200
    queries: list[tuple[str, date, str]] = field(default_factory=list)

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        count = self.profile.count
        if count is not None and path == count.path:
            return self._count(headers, body)
        before = len(self.requests)
        status, answer = super().answer(path, headers, body)
        if status == 200 and len(self.requests) > before and not self.garbage:
            received = self.requests[-1]
            for key, record in zip(received.keys, received.records, strict=True):
                if key not in self.refuse and key not in self.silent:
                    self.held.setdefault(received.kind.value, {})[key] = (
                        record.org_code, record_day(key, record))
        return status, answer

    def _count(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if self.count_status != 200:
            return self.count_status, b""
        try:
            query = decode_count_query(self.profile, headers, body, keys=self.keys,
                                       now=timezone.now())
        except CodecError as exc:
            self.rejected.append(exc.code)
            return 400, encode_refusal(self.profile, exc.code, exc.message)
        self.queries.append((query.kind.value, query.day, query.org_code))
        keys = [key for key, (org, day) in self.held.get(query.kind.value, {}).items()
                if day == query.day and (not query.org_code or org == query.org_code)]
        return 200, encode_count(self.profile, len(keys), ids_digest(keys))

    def forget(self, key: str) -> None:
        """The remote loses a record it acknowledged (a planted difference)."""
        for held in self.held.values():
            held.pop(key, None)


@contextmanager
def counting_remote(monkeypatch: pytest.MonkeyPatch, profile: str = "national",
                    **fields: Any) -> Iterator[tuple[CountingRemote, Remote]]:
    """A remote of an HMAC ``profile`` with its count endpoint on a live server."""
    fake = CountingRemote(profile=shipped_profile(profile), keys=RING)
    with running(fake):
        values: dict[str, Any] = {"name": profile, "label": f"{profile} 平台",
                                  "profile": profile, "base_url": fake.url,
                                  "key_env": profile.upper(),
                                  "batch_size": min(50, fake.profile.envelope.max_items),
                                  "rate_per_second": 1000, "timeout_seconds": 5}
        values.update(fields)
        remote = Remote.objects.create(**values)
        set_keys(monkeypatch, remote.key_env)
        routes.routes_sync(remote_id=remote.pk)
        yield fake, remote


def rate(world: SimpleNamespace, org: Any = None) -> Evaluation:
    handling = world.handling(**({"org": org} if org is not None else {}))
    [rating] = evaluation_submit(handling=handling, rating=RatingInput(5), channel=Channel.APP)
    return rating


def check_today(remote: Remote) -> ReconcileRun:
    """Reconcile today's records of ``remote`` now (the job does yesterday's)."""
    now = timezone.now()
    run, _ = ReconcileRun.objects.get_or_create(remote=remote, day=local_day(now),
                                                defaults={"next_check_at": now})
    ReconcileRun.objects.filter(pk=run.pk).update(next_check_at=now)
    reconciling.reconcile_run(run.pk, now=now)
    run.refresh_from_db()
    return run
