"""Contract: our codec against the fake remote over real HTTP, for every shipped profile and
every kind it exchanges (issue 13, "Conformance kit"). The remote is its own process.

A signed batch is accepted and stored as sent; a tampered one, a stale one, one signed by
an unknown key, a replayed one are refused with their stable code and store nothing; a
re-send under a new nonce is acknowledged again and stored once; the count endpoint
answers from what the remote holds.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from haochaping.exchange.fakeremote.process import FakeRemoteProcess
from haochaping.exchange.fakeremote.store import record_json
from haochaping.exchange.kit_http import send_signed
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.codec import (
    CodecError,
    decode_acks,
    decode_count,
    encode_batch,
    encode_count_query,
    ids_digest,
)
from haochaping.exchange.rules.profiles import shipped_profile
from haochaping.exchange.rules.signing import KeySet
from haochaping.exchange.rules.wire import SignedRequest
from haochaping.exchange.samples import SAMPLE_ORG
from haochaping.exchange.tests.kit import (
    OURS,
    answer_code,
    held,
    nonce,
    now,
    remotes,
    samples,
    upload,
)
from haochaping.exchange.tests.strategies import KIND_PROFILES, PROFILES

__all__ = ["remotes"]  # the module-scoped fixture


@pytest.fixture
def case(request: pytest.FixtureRequest,
         remotes: dict[str, FakeRemoteProcess]) -> tuple[FakeRemoteProcess, str, Kind]:
    name, kind = request.param
    remote = remotes[name]
    remote.reset()
    return remote, name, kind


ids = [f"{name}-{kind.value}" for name, kind in KIND_PROFILES]


@pytest.mark.parametrize("case", KIND_PROFILES, ids=ids, indirect=True)
def test_a_signed_batch_is_accepted_and_stored_as_sent(case: tuple) -> None:
    remote, name, kind = case
    profile = shipped_profile(name)
    items = samples(profile, kind)
    _, answer = upload(remote, profile, kind, items)
    assert answer.status == 200, answer.text()
    acks = decode_acks(profile, kind, answer.status, answer.body)
    if profile.answer.items is None:  # one record per request: the answer is its ack
        assert [a.ok for a in acks] == [True]
    else:
        assert [(a.key, a.ok) for a in acks] == [(key, True) for key, _ in items]
    stored = held(remote, kind)
    assert {key: row["record"] for key, row in stored.items()} == \
        {key: record_json(record) for key, record in items}
    assert all(row["times"] == 1 for row in stored.values())


def _tampered(request: SignedRequest) -> SignedRequest:
    """One character of the body changed after signing (a sample id)."""
    assert b"SAMPLE" in request.body
    return replace(request, body=request.body.replace(b"SAMPLE", b"SAMPLF", 1))


@pytest.mark.parametrize("case", KIND_PROFILES, ids=ids, indirect=True)
def test_a_tampered_batch_is_refused_and_nothing_stored(case: tuple) -> None:
    remote, name, kind = case
    profile = shipped_profile(name)
    request = encode_batch(profile, kind, samples(profile, kind), keys=OURS, now=now(),
                           nonce=nonce())
    answer = send_signed(remote.url, _tampered(request), 30)
    assert answer.status == 401
    assert answer_code(profile, answer) == "exchange.bad_signature"
    with pytest.raises(CodecError) as caught:
        decode_acks(profile, kind, answer.status, answer.body)
    assert caught.value.code == "exchange.remote_status"
    assert held(remote, kind) == {}
    assert remote.summary()["refusals"] == {"exchange.bad_signature": 1}


@pytest.mark.parametrize("case", KIND_PROFILES, ids=ids, indirect=True)
def test_a_replayed_request_is_refused(case: tuple) -> None:
    remote, name, kind = case
    profile = shipped_profile(name)
    request, first = upload(remote, profile, kind, samples(profile, kind))
    assert first.status == 200
    again = send_signed(remote.url, request, 30)
    assert again.status == 409
    assert answer_code(profile, again) == "exchange.replayed"
    assert {row["times"] for row in held(remote, kind).values()} == {1}


@pytest.mark.parametrize("case", KIND_PROFILES, ids=ids, indirect=True)
def test_a_resend_under_a_new_nonce_is_acknowledged_and_stored_once(case: tuple) -> None:
    """What delivery does after a lost answer: the same keys again, signed anew."""
    remote, name, kind = case
    profile = shipped_profile(name)
    items = samples(profile, kind)
    for _ in range(2):
        _, answer = upload(remote, profile, kind, items)
        assert answer.status == 200
        assert all(a.ok for a in decode_acks(profile, kind, answer.status, answer.body))
    stored = held(remote, kind)
    assert sorted(stored) == sorted(key for key, _ in items)
    assert {row["times"] for row in stored.values()} == {2}


@pytest.mark.parametrize("case", KIND_PROFILES, ids=ids, indirect=True)
def test_stale_and_unknown_key_requests_are_refused(case: tuple) -> None:
    remote, name, kind = case
    profile = shipped_profile(name)
    stale_at = now() - timedelta(seconds=profile.signing.skew_seconds + 60)
    _, stale = upload(remote, profile, kind, samples(profile, kind), at=stale_at)
    assert (stale.status, answer_code(profile, stale)) == (401, "exchange.stale")
    stranger = replace(OURS, hmac=KeySet.of(("stranger", b"a-key-the-remote-never-saw")),
                       sm2_private=KeySet.of(("stranger", OURS.sm2_private.current[1])))
    _, unknown = upload(remote, profile, kind, samples(profile, kind), keys=stranger)
    assert (unknown.status, answer_code(profile, unknown)) == (401, "exchange.unknown_key")
    assert held(remote, kind) == {}


COUNTED = [(name, kind) for name, kind in KIND_PROFILES if shipped_profile(name).count]


@pytest.mark.parametrize("case", COUNTED, ids=[f"{n}-{k.value}" for n, k in COUNTED],
                         indirect=True)
def test_the_count_endpoint_answers_from_what_the_remote_holds(case: tuple) -> None:
    remote, name, kind = case
    profile = shipped_profile(name)
    items = samples(profile, kind, count=3)
    assert upload(remote, profile, kind, items)[1].status == 200
    day = _day_of(remote, kind)

    def count(on: date, org: str) -> tuple[int, str]:
        request = encode_count_query(profile, kind, on, org, keys=OURS, now=now(),
                                     nonce=nonce())
        answer = send_signed(remote.url, request, 30)
        assert answer.status == 200, answer.text()
        return decode_count(profile, answer.body)

    keys = [key for key, _ in items]
    assert count(day, SAMPLE_ORG) == (len(keys), ids_digest(keys))
    assert count(day, "") == (len(keys), ids_digest(keys))
    assert count(day, "ANOTHER-ORG") == (0, ids_digest([]))
    assert count(day - timedelta(days=1), "") == (0, ids_digest([]))


def _day_of(remote: FakeRemoteProcess, kind: Kind) -> date:
    days = {row["day"] for row in remote.received(kind.value, fields=("day",))}
    assert len(days) == 1
    return date.fromisoformat(days.pop())


@pytest.mark.parametrize("name", [n for n in PROFILES if not shipped_profile(n).count])
def test_a_profile_without_a_count_endpoint_has_no_count_query(name: str) -> None:
    with pytest.raises(CodecError) as caught:
        encode_count_query(shipped_profile(name), Kind.RATING, now().date(), "", keys=OURS,
                           now=now(), nonce=nonce())
    assert caught.value.code == "exchange.no_count_endpoint"
