"""Canonical ↔ profile mapping, property-tested for every kind of every shipped profile.

The round trip is exact on records in a profile's normal form, and every record reads
back as its normal form (``mapping.normalise``: shared codes folded, regions cut to the
profile's digits, fields the profile does not carry at their neutral value, whole
seconds). The example tests (test_mapping_examples.py) pin what normalising does.
"""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.mapping import from_remote, normalise, to_remote
from haochaping.exchange.rules.profiles import shipped_profile
from haochaping.exchange.tests.strategies import KIND_PROFILES, records


def _ids(case: tuple[str, Kind]) -> str:
    return f"{case[0]}-{case[1].value}"


def test_every_shipped_profile_is_covered() -> None:
    names = {name for name, _ in KIND_PROFILES}
    assert {"national", "zhejiang", "anhui", "jiangxi"} <= names
    assert {kind for name, kind in KIND_PROFILES if name == "national"} == set(Kind)


@pytest.mark.parametrize("case", KIND_PROFILES, ids=_ids)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_round_trip_reads_back_the_normal_form(case: tuple[str, Kind], data: st.DataObject) -> None:
    profile = shipped_profile(case[0])
    record = data.draw(records(profile, case[1]))
    wire = orjson.loads(orjson.dumps(to_remote(profile, record)))  # through JSON, as sent
    assert from_remote(profile, case[1], wire) == normalise(profile, record)


@pytest.mark.parametrize("case", KIND_PROFILES, ids=_ids)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_round_trip_is_exact_on_normal_records(case: tuple[str, Kind],
                                               data: st.DataObject) -> None:
    profile = shipped_profile(case[0])
    record = normalise(profile, data.draw(records(profile, case[1])))
    assert normalise(profile, record) == record  # normalising is idempotent
    assert from_remote(profile, case[1], to_remote(profile, record)) == record


@pytest.mark.parametrize("case", KIND_PROFILES, ids=_ids)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_normalising_changes_nothing_that_is_sent(case: tuple[str, Kind],
                                                  data: st.DataObject) -> None:
    profile = shipped_profile(case[0])
    record = data.draw(records(profile, case[1]))
    assert to_remote(profile, normalise(profile, record)) == to_remote(profile, record)


@pytest.mark.parametrize("case", KIND_PROFILES, ids=_ids)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_alias_is_accepted_inbound(case: tuple[str, Kind], data: st.DataObject) -> None:
    profile = shipped_profile(case[0])
    spec = profile.kinds[case[1]]
    record = data.draw(records(profile, case[1]))
    wire = to_remote(profile, record)
    for fmap in spec.fields.values():
        if len(fmap.names) > 1 and fmap.name in wire:
            wire[data.draw(st.sampled_from(fmap.names[1:]))] = wire.pop(fmap.name)
    assert from_remote(profile, case[1], wire) == normalise(profile, record)
