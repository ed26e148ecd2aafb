"""The demo-only exchange keys: both sides of every profile's signing and encryption, the
same values as the environment ``make run`` exports."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from haochaping.exchange.fakeremote.demokeys import (
    OURS_ENV,
    THEIRS_ENV,
    demo_environ,
    demo_ring,
)
from haochaping.exchange.fakeremote.process import ROOT
from haochaping.exchange.keys import key_ring
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.codec import decode_batch, encode_batch
from haochaping.exchange.rules.profiles import shipped_names, shipped_profile
from haochaping.exchange.samples import sample_records

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", shipped_names())
def test_each_side_verifies_the_other(name: str) -> None:
    profile = shipped_profile(name)
    items = sample_records(profile, Kind.RATING, 1, at=NOW)
    for sender, receiver in (("ours", "theirs"), ("theirs", "ours")):
        request = encode_batch(profile, Kind.RATING, items, keys=demo_ring(sender), now=NOW,
                               nonce="demo-nonce-1")
        batch = decode_batch(profile, Kind.RATING, request.headers, request.body,
                             keys=demo_ring(receiver), now=NOW)
        assert batch.items == items


def test_the_exported_environment_holds_the_same_rings(monkeypatch: pytest.MonkeyPatch) -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "haochaping.exchange.fakeremote.demokeys"], cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        check=True).stdout
    exported = dict(line.removeprefix("export ").split("=", 1) for line in printed.splitlines())
    assert exported == demo_environ()
    for name, value in exported.items():
        monkeypatch.setenv(name, value)
    jiangxi = shipped_profile("jiangxi")
    assert key_ring(OURS_ENV, jiangxi) == demo_ring("ours")
    assert key_ring(THEIRS_ENV, jiangxi) == demo_ring("theirs")
