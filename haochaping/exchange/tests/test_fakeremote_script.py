"""The fake remote's script over real HTTP: failing, down (503, reset, refused
connections), slow, dropping, duplicating, shuffling, refusing keys; deterministic for a
seed; control calls checked. National batches; Anhui sends one record per request."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest

from haochaping.exchange.fakeremote.process import FakeRemoteProcess
from haochaping.exchange.kit_http import http_send, json_call
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.codec import CodecError, decode_acks
from haochaping.exchange.rules.profiles import shipped_profile
from haochaping.exchange.tests.kit import answer_code, held, remotes, samples, upload

__all__ = ["remotes"]
NATIONAL = shipped_profile("national")
ANHUI = shipped_profile("anhui")


@pytest.fixture
def national(remotes: dict[str, FakeRemoteProcess]) -> FakeRemoteProcess:
    remotes["national"].reset()
    return remotes["national"]


@pytest.fixture
def anhui(remotes: dict[str, FakeRemoteProcess]) -> FakeRemoteProcess:
    remotes["anhui"].reset()
    return remotes["anhui"]


def _statuses(remote: FakeRemoteProcess, times: int, start: int = 1) -> list[int]:
    return [upload(remote, NATIONAL, Kind.RATING,
                   samples(NATIONAL, Kind.RATING, 1, start=start + i))[1].status
            for i in range(times)]


def test_fail_next_fails_that_many_requests_with_the_profiles_answer(
        national: FakeRemoteProcess) -> None:
    national.control(fail_next=2, fail_status=503)
    _, first = upload(national, NATIONAL, Kind.RATING, samples(NATIONAL, Kind.RATING))
    assert (first.status, answer_code(NATIONAL, first)) == (503, "503")
    assert _statuses(national, 2, start=10) == [503, 200]
    assert len(held(national, Kind.RATING)) == 1  # the failed requests stored nothing


def test_down_503_until_told_and_control_still_answers(national: FakeRemoteProcess) -> None:
    assert national.control(down="503")["down_active"] is True
    assert _statuses(national, 2) == [503, 503]
    national.control(down="")
    assert _statuses(national, 1, start=5) == [200]
    assert sorted(held(national, Kind.RATING)) == ["rating:SAMPLE-R000005:saved:1"]


def test_down_reset_closes_connections_without_an_answer(national: FakeRemoteProcess) -> None:
    national.control(down="reset")
    _, answer = upload(national, NATIONAL, Kind.RATING, samples(NATIONAL, Kind.RATING))
    assert answer.status == 0
    assert answer.error
    national.control(down="")
    assert _statuses(national, 1) == [200]


def test_down_refuse_closes_the_port_then_opens_it_again(national: FakeRemoteProcess) -> None:
    national.control(down="refuse", down_seconds=2)
    try:
        _, answer = upload(national, NATIONAL, Kind.RATING, samples(NATIONAL, Kind.RATING))
        assert answer.status == 0
        # refused at connect; or reset, when the connection raced into the listening
        # socket's backlog just as the port closed
        assert "ConnectionRefused" in answer.error or "ConnectionReset" in answer.error
    finally:  # the next tests share the process: wait until it is back either way
        deadline = time.monotonic() + 60  # back after its two seconds; no more
        health = http_send("GET", f"{national.url}/_health", None, {}, 5)
        while health.status != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
            health = http_send("GET", f"{national.url}/_health", None, {}, 5)
    assert health.status == 200
    assert national.control(down="")["down_active"] is False
    assert _statuses(national, 1, start=7) == [200]


def test_a_slow_remote_makes_the_client_time_out(national: FakeRemoteProcess) -> None:
    national.control(delay_ms=1500)
    _, answer = upload(national, NATIONAL, Kind.RATING, samples(NATIONAL, Kind.RATING),
                       timeout=0.2)
    assert answer.status == 0
    assert "timed out" in answer.error
    national.control(delay_ms=0)
    assert _statuses(national, 1, start=4) == [200]


def test_dropped_items_are_stored_but_not_acknowledged(national: FakeRemoteProcess) -> None:
    national.control(drop_rate=1.0)
    items = samples(NATIONAL, Kind.RATING)
    _, answer = upload(national, NATIONAL, Kind.RATING, items)
    assert decode_acks(NATIONAL, Kind.RATING, answer.status, answer.body) == []
    national.control(drop_rate=0.0)
    _, again = upload(national, NATIONAL, Kind.RATING, items)
    assert [a.key for a in decode_acks(NATIONAL, Kind.RATING, again.status, again.body)] == \
        [key for key, _ in items]
    assert {row["times"] for row in held(national, Kind.RATING).values()} == {2}


def test_a_dropped_single_record_loses_its_answer(anhui: FakeRemoteProcess) -> None:
    anhui.control(drop_rate=1.0)
    items = samples(ANHUI, Kind.RATING, 1)
    _, answer = upload(anhui, ANHUI, Kind.RATING, items)
    assert answer.status == 0  # the connection closed without an answer
    assert sorted(held(anhui, Kind.RATING)) == [items[0][0]]


def test_duplicated_acknowledgements(national: FakeRemoteProcess) -> None:
    national.control(duplicate_rate=1.0)
    items = samples(NATIONAL, Kind.RATING, 2)
    _, answer = upload(national, NATIONAL, Kind.RATING, items)
    keys = [a.key for a in decode_acks(NATIONAL, Kind.RATING, answer.status, answer.body)]
    assert keys == [items[0][0], items[0][0], items[1][0], items[1][0]]
    assert {row["times"] for row in held(national, Kind.RATING).values()} == {1}


def _shuffled_keys(remote: FakeRemoteProcess) -> list[str]:
    items = samples(NATIONAL, Kind.RATING, 12)
    _, answer = upload(remote, NATIONAL, Kind.RATING, items)
    return [a.key for a in decode_acks(NATIONAL, Kind.RATING, answer.status, answer.body)]


def test_shuffled_acknowledgements_are_the_same_for_the_same_seed(
        national: FakeRemoteProcess) -> None:
    national.control(shuffle=True, seed=7)
    first = _shuffled_keys(national)
    national.reset()
    national.control(shuffle=True, seed=7)
    assert _shuffled_keys(national) == first
    in_order = [key for key, _ in samples(NATIONAL, Kind.RATING, 12)]
    assert first != in_order
    assert sorted(first) == sorted(in_order)


def test_the_same_seed_fails_the_same_requests(national: FakeRemoteProcess) -> None:
    national.control(seed=42, fail_rate=0.5)
    first = _statuses(national, 12)
    national.reset()
    national.control(seed=42, fail_rate=0.5)
    assert _statuses(national, 12) == first
    assert set(first) == {200, 500}


def test_a_garbled_answer_is_unreadable_but_the_records_are_stored(
        national: FakeRemoteProcess) -> None:
    national.control(garble_rate=1.0)
    items = samples(NATIONAL, Kind.RATING, 2)
    _, answer = upload(national, NATIONAL, Kind.RATING, items)
    assert answer.status == 200
    with pytest.raises(CodecError) as caught:
        decode_acks(NATIONAL, Kind.RATING, answer.status, answer.body)
    assert caught.value.code == "exchange.malformed_answer"
    assert sorted(held(national, Kind.RATING)) == sorted(key for key, _ in items)


def test_refused_keys_get_a_refused_ack_and_are_not_stored(
        national: FakeRemoteProcess) -> None:
    items = samples(NATIONAL, Kind.RATING, 3)
    national.control(refuse_keys=[items[1][0]], refuse_code="E1001")
    _, answer = upload(national, NATIONAL, Kind.RATING, items)
    acks = decode_acks(NATIONAL, Kind.RATING, answer.status, answer.body)
    assert [(a.key, a.ok, a.code) for a in acks] == [
        (items[0][0], True, ""), (items[1][0], False, "E1001"), (items[2][0], True, "")]
    assert sorted(held(national, Kind.RATING)) == [items[0][0], items[2][0]]


def test_a_refused_single_record_refuses_the_request(anhui: FakeRemoteProcess) -> None:
    items = samples(ANHUI, Kind.RATING, 1)
    anhui.control(refuse_keys=[items[0][0]])
    _, answer = upload(anhui, ANHUI, Kind.RATING, items)
    assert (answer.status, answer_code(ANHUI, answer)) == (200, "E_FAKE_REFUSED")
    assert held(anhui, Kind.RATING) == {}


@pytest.mark.parametrize(("change", "field"), [
    ({"fail_rate": 2}, "fail_rate"), ({"fail_status": 404}, "fail_status"),
    ({"down": "maybe"}, "down"), ({"down": "refuse"}, "down_seconds"),
    ({"refuse_code": "0"}, "refuse_code"), ({"loud": True}, "loud"),
    ({"shuffle": "yes"}, "shuffle"),
])
def test_a_bad_control_call_changes_nothing(national: FakeRemoteProcess,
                                            change: dict[str, Any], field: str) -> None:
    before = json_call("GET", f"{national.url}/_control")
    answer = http_send("POST", f"{national.url}/_control", orjson.dumps(change), {}, 10)
    assert answer.status == 400
    assert orjson.loads(answer.body)["field"] == field
    assert json_call("GET", f"{national.url}/_control") == before


def test_unknown_paths_get_the_profiles_refusal(national: FakeRemoteProcess) -> None:
    answer = http_send("POST", f"{national.url}/api/nothing", b"{}", {}, 10)
    assert (answer.status, answer_code(NATIONAL, answer)) == (404, "exchange.not_found")
