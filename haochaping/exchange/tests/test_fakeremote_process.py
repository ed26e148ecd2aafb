"""The fake remote as a process: its keys from the environment (with rotation), its
journal across a restart, and the records it sends down (verified here by a second fake
remote holding our side of the keys, as the inbound API will)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from haochaping.exchange.fakeremote.demokeys import OURS_ENV, demo_environ
from haochaping.exchange.fakeremote.process import FakeRemoteProcess
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.mapping import to_remote
from haochaping.exchange.rules.profiles import shipped_profile
from haochaping.exchange.rules.signing import KeyRing, KeySet
from haochaping.exchange.tests.kit import answer_code, held, samples, upload

NATIONAL = shipped_profile("national")
NEW, OLD = b"rotated-new-secret-0123456789", b"rotated-old-secret-0123456789"


def test_keys_from_the_environment_accept_the_previous_key_after_a_rotation() -> None:
    env = {"HCP_EXCHANGE_KITROT_HMAC": f"new:{NEW.decode()},old:{OLD.decode()}"}
    with FakeRemoteProcess("national", key_env="KITROT", env=env) as remote:
        for current in (("old", OLD), ("new", NEW)):
            ring = KeyRing(hmac=KeySet.of(current))
            _, answer = upload(remote, NATIONAL, Kind.RATING,
                               samples(NATIONAL, Kind.RATING, 1, start=len(current[0])),
                               keys=ring)
            assert answer.status == 200, answer.text()
        gone = KeyRing(hmac=KeySet.of(("older", b"retired-secret-0123456789")))
        _, answer = upload(remote, NATIONAL, Kind.RATING, samples(NATIONAL, Kind.RATING, 1),
                           keys=gone)
        assert (answer.status, answer_code(NATIONAL, answer)) == (401, "exchange.unknown_key")


def test_a_missing_key_stops_the_start_naming_the_variable() -> None:
    with pytest.raises(RuntimeError, match="HCP_EXCHANGE_KITNONE_SM2_PRIVATE"):
        FakeRemoteProcess("jiangxi", key_env="KITNONE").start()


def test_the_journal_keeps_what_was_received_across_a_restart(tmp_path: Path) -> None:
    journal = tmp_path / "received.jsonl"
    items = samples(NATIONAL, Kind.RATING, 2)
    with FakeRemoteProcess("national", journal=journal) as remote:
        assert upload(remote, NATIONAL, Kind.RATING, items)[1].status == 200
    assert len(journal.read_text(encoding="utf-8").splitlines()) == 2
    with FakeRemoteProcess("national", journal=journal) as again:
        assert again.summary()["kinds"]["rating"]["records"] == 2
        assert upload(again, NATIONAL, Kind.RATING, items[:1])[1].status == 200
        stored = held(again, Kind.RATING)
        assert {key: row["times"] for key, row in stored.items()} == {
            items[0][0]: 2, items[1][0]: 1}
    assert len(journal.read_text(encoding="utf-8").splitlines()) == 2  # no second line


def test_the_journal_keeps_a_loss_across_a_restart(tmp_path: Path) -> None:
    journal = tmp_path / "received.jsonl"
    items = samples(NATIONAL, Kind.RATING, 3)
    with FakeRemoteProcess("national", journal=journal) as remote:
        assert upload(remote, NATIONAL, Kind.RATING, items)[1].status == 200
        assert remote.forget("rating", [items[0][0], "rating:never-held:saved:1"]) == 1
        assert sorted(held(remote, Kind.RATING)) == sorted(key for key, _ in items[1:])
    with FakeRemoteProcess("national", journal=journal) as again:
        assert sorted(held(again, Kind.RATING)) == sorted(key for key, _ in items[1:])


@pytest.fixture(scope="module")
def province_and_us() -> Iterator[tuple[FakeRemoteProcess, FakeRemoteProcess]]:
    """The province (their keys) and a stand-in for our inbound API (our keys), Jiangxi:
    SM2 signatures both ways, identity fields under SM4."""
    province = FakeRemoteProcess("jiangxi").start()
    us = FakeRemoteProcess("jiangxi", key_env=OURS_ENV, env=demo_environ()).start()
    yield province, us
    province.close()
    us.close()


def test_complaints_sent_down_are_signed_by_the_province(
        province_and_us: tuple[FakeRemoteProcess, FakeRemoteProcess]) -> None:
    province, us = province_and_us
    province.reset()
    us.reset()
    sent = province.send_down(us.url, "complaint", count=3,
                              set={"org_code": "11360100MB0000001X", "proj_no": "JX-P-1"})
    assert len(sent["keys"]) == 3
    assert [(r["status"], [a["ok"] for a in r["acks"]]) for r in sent["requests"]] == [
        (200, [True, True, True])]
    stored = held(us, Kind.COMPLAINT)
    assert sorted(stored) == sorted(sent["keys"])
    assert {row["record"]["org_code"] for row in stored.values()} == {"11360100MB0000001X"}
    assert {row["record"]["submitter"]["cert_no"][:6] for row in stored.values()} == {"330106"}
    assert province.summary()["sent_down"] == 1


def test_a_replayed_and_a_doubled_send(
        province_and_us: tuple[FakeRemoteProcess, FakeRemoteProcess]) -> None:
    province, us = province_and_us
    province.reset()
    us.reset()
    province.control(duplicate_rate=1.0)
    sent = province.send_down(us.url, "rating", count=2, replay=True, set={"channel": "app"})
    statuses = [(r["status"], r.get("error", "")) for r in sent["requests"]]
    # the original, its byte-for-byte replay, the same keys under a new nonce
    assert statuses == [(200, ""), (409, "exchange.remote_status"), (200, "")]
    assert us.summary()["refusals"] == {"exchange.replayed": 1}
    stored = held(us, Kind.RATING)
    assert {row["times"] for row in stored.values()} == {2}
    assert {row["record"]["channel"] for row in stored.values()} == {"app"}


def test_items_in_the_profiles_own_names_are_sent_as_given(
        province_and_us: tuple[FakeRemoteProcess, FakeRemoteProcess]) -> None:
    province, us = province_and_us
    province.reset()
    us.reset()
    profile = shipped_profile("jiangxi")
    key, record = samples(profile, Kind.RATING, 1)[0]
    item = {**to_remote(profile, record), profile.envelope.key: key}
    sent = province.send_down(us.url, "rating", items=[item])
    [request] = sent["requests"]
    assert request["status"] == 200
    assert [a["key"] for a in request["acks"]] == [key]
    assert held(us, Kind.RATING)[key]["record"]["rating_id"] == record.rating_id
