"""Authentication per profile: a Jiangxi remote signs with SM2/SM3 and encrypts the rater's
identity with SM4, a Zhejiang remote signs in the body with its own channel codes; each
is taken with its own keys and answered in its own format."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from django.test import Client

from haochaping.evaluations.models import Evaluation
from haochaping.exchange.models import InboundRating, Remote
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.signing import KeyRing, KeySet, sm2_keypair
from haochaping.exchange.tests.inbound.support import last_rejected, post, rating, signed

pytestmark = pytest.mark.django_db

OURS, THEIRS, STRANGER = sm2_keypair(), sm2_keypair(), sm2_keypair()
SM4 = bytes(range(16))


def _remote(name: str, profile: str, key_env: str) -> Remote:
    return Remote.objects.create(name=name, label=f"{name} 平台", profile=profile,
                                 base_url="http://127.0.0.1:9/", key_env=key_env)


@pytest.fixture
def jiangxi(down: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> Remote:
    monkeypatch.setenv("HCP_EXCHANGE_JX_SM2_PRIVATE", f"ours-1:{OURS[0].hex()}")
    monkeypatch.setenv("HCP_EXCHANGE_JX_SM2_PEER_PUBLIC", f"theirs-1:{THEIRS[1].hex()}")
    monkeypatch.setenv("HCP_EXCHANGE_JX_SM4", f"e1:{SM4.hex()}")
    return _remote("jiangxi", "jiangxi", "JX")


def their_ring(private: bytes = THEIRS[0]) -> KeyRing:
    return KeyRing(sm2_private=KeySet.of(("theirs-1", private)),
                   sm2_peer_public=KeySet.of(("ours-1", OURS[1])), sm4=KeySet.of(("e1", SM4)))


def test_sm2_signed_and_sm4_encrypted(down: SimpleNamespace, jiangxi: Remote) -> None:
    record = rating(down.handling.proj_no, down.loc.market.code, channel="evaluator")
    request = signed(Kind.RATING, [record], keys=their_ring(), profile="jiangxi")
    assert b"11010519491231002X" not in request.body  # encrypted on the wire
    response = post(Client(), request, remote="jiangxi", kind="gxpt/hcp/evaluations")
    assert response.status_code == 200, response.content
    assert orjson.loads(response.content)["data"][0]["code"] == "0"
    link = InboundRating.objects.get()
    assert (link.remote_id, link.channel, link.remote_channel) == (jiangxi.pk, "evaluator", "4")
    assert Evaluation.objects.get().channel == "evaluator"


def test_sm2_signature_of_a_stranger(down: SimpleNamespace, jiangxi: Remote) -> None:
    record = rating(down.handling.proj_no, down.loc.market.code)
    request = signed(Kind.RATING, [record], keys=their_ring(STRANGER[0]), profile="jiangxi")
    response = post(Client(), request, remote="jiangxi")
    assert response.status_code == 401
    assert orjson.loads(response.content)["code"] == "exchange.bad_signature"
    assert (last_rejected().remote_id, last_rejected().code) == (jiangxi.pk,
                                                                "exchange.bad_signature")
    assert not InboundRating.objects.exists()


@pytest.fixture
def zhejiang(down: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> Remote:
    monkeypatch.setenv("HCP_EXCHANGE_ZJ_HMAC", "app-1:zhejiang-shared-secret-000")
    return _remote("zhejiang", "zhejiang", "ZJ")


def test_signature_in_the_body_and_a_provincial_code_table(
        down: SimpleNamespace, zhejiang: Remote) -> None:
    keys = KeyRing(hmac=KeySet.of(("app-1", b"zhejiang-shared-secret-000")))
    record = rating(down.handling.proj_no, down.loc.market.code, channel="sms")
    request = signed(Kind.RATING, [record], keys=keys, profile="zhejiang")
    response = post(Client(), request, remote="zhejiang", headers={})  # nothing in headers
    assert response.status_code == 200, response.content
    answer: Any = orjson.loads(response.content)
    assert answer["results"][0]["code"] == "200"  # Zhejiang's answer format
    assert InboundRating.objects.get().remote_channel == "6"  # Zhejiang: 6 短信
    unsigned = orjson.loads(request.body)
    del unsigned["sign"]
    refused = post(Client(), request, remote="zhejiang", body=orjson.dumps(unsigned))
    assert refused.status_code == 401
    assert orjson.loads(refused.content) == {"code": "exchange.unsigned",
                                             "message": "报文未签名：缺少 sign"}
