"""Every refusal of the inbound API: its HTTP status, its stable code and Chinese message in
the profile's answer format, nothing stored but the rejected-message log (the body's hash
and size, never the body), and its audit event."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from django.test import Client
from django.utils import timezone

from haochaping.exchange.models import InboundNonce, RejectedMessage, Remote
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.profiles import shipped_profile
from haochaping.exchange.rules.wire import sign
from haochaping.exchange.tests.inbound.support import (
    audit_of,
    last_rejected,
    nonce,
    post,
    rating,
    ring,
    signed,
    snapshot,
)

pytestmark = pytest.mark.django_db

PII = ("张三", "13812341234", "11010519491231002X")  # the rater in every test message


def refused(response: Any, status: int, code: str, *, profile_format: bool = True) -> Any:
    """The answer's status and code; the log row with the body's hash and size, no
    personal data in it or its audit event."""
    assert response.status_code == status, response.content
    body = orjson.loads(response.content)
    if profile_format:  # the national profile's answer: code and msg
        assert set(body) == {"code", "msg"}
        assert body["code"] == code
        message = body["msg"]
    else:  # no profile to speak: our error envelope
        assert (body["code"], body["field"]) == (code, "remote")
        message = body["message"]
    assert message
    assert not message.isascii()  # Chinese
    row = last_rejected()
    assert (row.code, row.status, row.reason) == (code, status, message)
    audit = audit_of(row)
    assert audit.after["code"] == code
    stored = orjson.dumps([list(RejectedMessage.objects.values().get(pk=row.pk).values()),
                           audit.after], default=str).decode()
    assert not any(value in stored for value in PII)
    return row


def check(down: SimpleNamespace, send: Callable[[], Any], status: int, code: str,
          **kw: Any) -> RejectedMessage:
    before = snapshot()
    logged = RejectedMessage.objects.count()
    row = refused(send(), status, code, **kw)
    assert snapshot() == before
    assert RejectedMessage.objects.count() == logged + 1
    return row


def _rating(down: SimpleNamespace) -> Any:
    return signed(Kind.RATING, [rating(down.handling.proj_no, down.loc.market.code)])


def test_unsigned(down: SimpleNamespace) -> None:
    request = _rating(down)
    row = check(down, lambda: post(Client(), request, headers={}), 401, "exchange.unsigned")
    assert (row.remote_id, row.remote_name, row.kind) == (down.remote.pk, "henan", "rating")
    assert row.body_sha256 == hashlib.sha256(request.body).hexdigest()
    assert row.body_size == len(request.body)
    assert row.ip == "127.0.0.1"


def test_bad_signature(down: SimpleNamespace) -> None:
    forged = signed(Kind.RATING, [rating(down.handling.proj_no, down.loc.market.code)],
                    keys=ring(secret="someone-else-guessed-a-secret"))
    check(down, lambda: post(Client(), forged), 401, "exchange.bad_signature")


def test_tampered_body(down: SimpleNamespace) -> None:
    request = _rating(down)
    tampered = request.body.replace(b'"satisfaction":"5"', b'"satisfaction":"1"')
    assert tampered != request.body
    check(down, lambda: post(Client(), request, body=tampered), 401, "exchange.bad_signature")


def test_unknown_key(down: SimpleNamespace) -> None:
    request = signed(Kind.RATING, [rating(down.handling.proj_no, down.loc.market.code)],
                     keys=ring(key_id="k9"))
    check(down, lambda: post(Client(), request), 401, "exchange.unknown_key")


@pytest.mark.parametrize("minutes", [-10, 10])
def test_out_of_window(down: SimpleNamespace, minutes: int) -> None:
    request = signed(Kind.RATING, [rating(down.handling.proj_no, down.loc.market.code)],
                     now=timezone.now() + timedelta(minutes=minutes))
    check(down, lambda: post(Client(), request), 401, "exchange.stale")


def test_replayed(down: SimpleNamespace) -> None:
    request = _rating(down)
    assert post(Client(), request).status_code == 200
    assert InboundNonce.objects.count() == 1
    check(down, lambda: post(Client(), request), 409, "exchange.replayed")


def test_malformed_envelope(down: SimpleNamespace) -> None:
    request = sign(shipped_profile("national"), "/api/exchange/evaluations",
                   {"records": []}, keys=ring(), now=timezone.now(), nonce=nonce())
    check(down, lambda: post(Client(), request), 400, "exchange.malformed")


def test_malformed_item(down: SimpleNamespace) -> None:
    request = _rating(down)
    obj = orjson.loads(request.body)
    del obj["data"][0]["projectNo"]
    resigned = sign(shipped_profile("national"), "/api/exchange/evaluations", obj,
                    keys=ring(), now=timezone.now(), nonce=nonce())
    row = check(down, lambda: post(Client(), resigned), 400, "exchange.missing_field")
    assert row.field == "projectNo"


def test_bad_code(down: SimpleNamespace) -> None:
    request = _rating(down)
    obj = orjson.loads(request.body)
    obj["data"][0]["satisfaction"] = "9"
    resigned = sign(shipped_profile("national"), "/api/exchange/evaluations", obj,
                    keys=ring(), now=timezone.now(), nonce=nonce())
    check(down, lambda: post(Client(), resigned), 400, "exchange.bad_code")


def test_unknown_remote(down: SimpleNamespace) -> None:
    request = _rating(down)
    row = check(down, lambda: post(Client(), request, remote="nobody"), 404,
                "exchange.unknown_remote", profile_format=False)
    assert (row.remote_id, row.remote_name) == (None, "nobody")


def test_inactive_remote(down: SimpleNamespace) -> None:
    Remote.objects.filter(pk=down.remote.pk).update(is_active=False)
    check(down, lambda: post(Client(), _rating(down)), 403, "exchange.remote_inactive")


def test_kind_not_taken(down: SimpleNamespace) -> None:
    request = _rating(down)
    row = check(down, lambda: post(Client(), request, kind="handling"), 404,
                "exchange.unsupported_kind")
    assert row.kind == "handling"


def test_too_large(down: SimpleNamespace, settings: Any) -> None:
    settings.HCP_EXCHANGE_INBOUND_MAX_BYTES = 200
    request = _rating(down)
    assert len(request.body) > 200
    row = check(down, lambda: post(Client(), request), 413, "exchange.too_large")
    assert row.body_size == len(request.body)


def test_keys_missing(down: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HCP_EXCHANGE_PROV_HMAC")
    check(down, lambda: post(Client(), _rating(down)), 503, "exchange.key_config")


def test_rate_limited_once_logged_per_window(down: SimpleNamespace, settings: Any) -> None:
    settings.HCP_EXCHANGE_INBOUND_PER_MINUTE = 2
    for _ in range(2):
        assert post(Client(), _rating(down)).status_code == 200
    check(down, lambda: post(Client(), _rating(down)), 429, "exchange.rate_limited")
    before, logged = snapshot(), RejectedMessage.objects.count()
    response = post(Client(), _rating(down))
    assert response.status_code == 429
    assert orjson.loads(response.content)["code"] == "exchange.rate_limited"
    assert (snapshot(), RejectedMessage.objects.count()) == (before, logged)


def test_the_profile_path_of_a_kind_is_an_address_too(down: SimpleNamespace) -> None:
    request = _rating(down)
    response = post(Client(), request, kind="api/exchange/evaluations")
    assert response.status_code == 200
    assert orjson.loads(response.content)["data"][0]["code"] == "0"
