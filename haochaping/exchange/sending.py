"""One delivery task's loop for one remote: breaker, rate limit, claim, build, sign, send,
apply (``delivery`` holds the row operations and the kill-safety argument).

Nothing here runs inside a transaction while waiting on the remote: each claim and each
outcome is its own short transaction, the HTTP request happens between them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

from haochaping.core import ratelimit
from haochaping.exchange import breaker, delivery, transport
from haochaping.exchange.delivery import Claimed, Report
from haochaping.exchange.models import Remote
from haochaping.exchange.remote_codec import (
    CodecError,
    RecordRefused,
    RemoteCodec,
    RemoteUnusable,
    SignedRequest,
    codec_for,
)
from haochaping.exchange.rules import delivery as rules
from haochaping.exchange.rules.canonical import Kind, Record

Clock = Callable[[], float]
Sleep = Callable[[float], None]


# The codec's code for a 2xx answer whose result code refuses the whole request ("send it
# again later", rules.codec): retried like a 5xx, with the remote's own message.
WHOLE_REFUSAL = "exchange.remote_refused"
MAX_RATE_WAITS = 3  # windows a request waits for before its task hands over


def wait_for_rate(remote_id: int, per_second: int, *, clock: Clock = time.time,
                  sleep: Sleep = time.sleep) -> bool:
    """Hold the next request until the remote's per-second limit lets it go
    (``core.ratelimit``: every process and slot counts in one window when the cache is
    Redis). False after ``MAX_RATE_WAITS`` full windows without room: the task hands over
    to its continuation rather than spin."""
    key = f"exchange:{remote_id}"
    for _ in range(MAX_RATE_WAITS + 1):
        if not ratelimit.over_limit(key, max(1, per_second), 1, now=clock()):
            return True
        sleep(max(0.001, 1.0 - clock() % 1.0))
    return False


def deliver_remote(remote_id: int, *, budget_seconds: float, clock: Clock = time.monotonic,
                   ) -> tuple[Report, bool]:
    """Send the remote's due records until none is due, the breaker stops us or the
    budget is spent; (what happened, whether work was left for a continuation)."""
    report = Report()
    remote = Remote.objects.filter(pk=remote_id, is_active=True).first()
    if remote is None:
        return report, False
    try:
        codec = codec_for(remote)
    except RemoteUnusable as exc:
        report.notes.append(exc.message)  # rows stay pending; the office screen shows why
        return report, False
    size = rules.batch_size(remote.batch_size, codec.batch_max)
    lease = delivery.lease_seconds(remote.timeout_seconds)
    deadline = clock() + budget_seconds
    while clock() < deadline:
        now = timezone.now()
        gate = breaker.acquire(remote.pk, now)
        if gate is rules.Gate.WAIT:
            report.notes.append("熔断中")
            return report, False
        if not wait_for_rate(remote.pk, remote.rate_per_second):
            if gate is rules.Gate.PROBE:
                breaker.release_probe(remote.pk, timezone.now())
            return report, True
        now = timezone.now()
        kind, rows = _claim_next(remote.pk, 1 if gate is rules.Gate.PROBE else size, now, lease)
        if not rows:
            if gate is rules.Gate.PROBE:
                breaker.release_probe(remote.pk, now)
            return report, False
        sent = send_batch(remote, codec, kind, rows, gate)
        report.add(sent)
        if gate is rules.Gate.PROBE and not sent.requests:
            # nothing of the probe's batch could leave (dead at once): the next one probes
            breaker.release_probe(remote.pk, timezone.now())
    return report, True


def _claim_next(remote_id: int, size: int, now: datetime, lease: int,
                ) -> tuple[Kind, list[Claimed]]:
    """The next batch, parents first (handlings, then ratings, then results)."""
    for kind in rules.UPWARD_KINDS:
        rows = delivery.claim(remote_id, kind, size, now, lease)
        if rows:
            return kind, rows
    return rules.UPWARD_KINDS[0], []


def _encode(codec: RemoteCodec, kind: Kind, ready: list[tuple[Claimed, Record]],
            now: datetime, report: Report) -> tuple[list[Claimed], SignedRequest | None]:
    """The request for the items the profile can carry. A record it cannot map (a field
    it requires is empty: ``RecordRefused`` names its key) is set aside as a dead letter
    with the codec's message, re-sendable once the data or the profile is fixed; the
    others leave. Any other refusal of the codec stops the whole batch the same way."""
    pending = list(ready)
    while pending:
        try:
            request = codec.encode(kind, [(row.key, record) for row, record in pending],
                                   now=now, nonce=delivery.new_nonce())
        except RecordRefused as exc:
            bad = [row for row, _ in pending if row.key == exc.key] or [pending[0][0]]
            report.dead += delivery.finish_refused(bad[0], exc.code, exc.message,
                                                   status=rules.DEAD)
            pending = [(row, record) for row, record in pending if row is not bad[0]]
        except CodecError as exc:
            for row, _ in pending:
                report.dead += delivery.finish_refused(row, exc.code, exc.message,
                                                       status=rules.DEAD)
            return [], None
        else:
            return [row for row, _ in pending], request
    return [], None


def send_batch(remote: Remote, codec: RemoteCodec, kind: Kind, rows: list[Claimed],
               gate: rules.Gate) -> Report:
    """Build, sign, send one claimed batch and store every row's outcome."""
    now = timezone.now()
    ready, report = delivery.build(kind, rows, codec.identity_fields(kind))
    if not ready:
        return report
    claimed, request = _encode(codec, kind, ready, now, report)
    if request is None:
        return report
    report.requests += 1
    burns = rules.burns_attempt(gate)
    try:
        response = transport.send(remote.base_url, method=request.method, path=request.path,
                                  headers=dict(request.headers), body=request.body,
                                  timeout=float(remote.timeout_seconds))
    except transport.TransportError as exc:
        return _failed(report, remote, claimed, "exchange.transport", exc.message, burns)
    answer = rules.answer_of(response.status)
    if answer is rules.Answer.RETRY:
        return _failed(report, remote, claimed, f"http.{response.status}",
                       f"平台暂时不可用（HTTP {response.status}）", burns)
    try:
        acks = codec.decode(kind, response.status, response.body)
    except CodecError as exc:
        if answer is rules.Answer.ACKS:  # a 2xx refusing the whole request, or unreadable
            message = (exc.message if exc.code == WHOLE_REFUSAL
                       else f"平台回执无法解析：{exc.message}")
            return _failed(report, remote, claimed, exc.code, message, burns)
        acks = []
    breaker.record(remote.pk, True, timezone.now())
    if answer is rules.Answer.REFUSED and not acks:
        for row in claimed:
            report.refused += delivery.finish_refused(
                row, f"http.{response.status}", f"平台拒绝请求（HTTP {response.status}）")
        return report
    report.add(delivery.apply_acks(claimed, acks, timezone.now(), burns=burns))
    return report


def _failed(report: Report, remote: Remote, rows: list[Claimed], code: str, message: str,
            burns: bool) -> Report:
    now = timezone.now()
    retried, dead = delivery.finish_failed(rows, code, message, now, burns=burns)
    report.retried += retried
    report.dead += dead
    report.failures += 1
    breaker.record(remote.pk, False, now)
    return report
