"""Pure tests of the demo's code and name generators (no database)."""

from __future__ import annotations

import random

import pytest

from haochaping.demo import codes, data
from haochaping.demo.names import NameMaker


def test_uscc_matches_published_examples() -> None:
    # Check characters of real, published codes (GB 32100 / GB 11714 examples).
    assert codes.is_valid_uscc("91350100M000100Y43")
    assert codes.org_code_check("D2143569") == "X"
    assert not codes.is_valid_uscc("91350100M000100Y44")
    assert not codes.is_valid_uscc("91350100M000100Y4")


def test_uscc_built_from_parts_is_valid() -> None:
    code = codes.uscc(codes.GOVERNMENT_ORGAN, "410105", "12345678")
    assert len(code) == 18
    assert code.startswith("11410105")
    assert codes.is_valid_uscc(code)


def test_uscc_rejects_bad_parts() -> None:
    with pytest.raises(ValueError, match="region"):
        codes.uscc("11", "4101", "12345678")


def test_region_codes_follow_the_statistical_ranges() -> None:
    assert codes.township_code("410105", 0, is_town=False) == "410105001000"
    assert codes.township_code("410122", 2, is_town=True) == "410122102000"
    assert codes.village_code("410105001", 0, is_village=False) == "410105001001"
    assert codes.village_code("410122100", 4, is_village=True) == "410122100204"


def test_names_are_reproducible_for_a_seed() -> None:
    first = NameMaker(random.Random(7))
    second = NameMaker(random.Random(7))
    names = [first.person() for _ in range(20)]
    assert names == [second.person() for _ in range(20)]
    assert all(2 <= len(n) <= 3 for n in names)
    assert names[0][0] in data.word_list("surnames.txt")


def test_village_names_are_unique_within_a_township() -> None:
    maker = NameMaker(random.Random(1))
    used: set[str] = set()
    villages = [maker.village(used) for _ in range(30)]
    assert len(set(villages)) == 30
    assert all(v.endswith("村") for v in villages)


def test_data_files_cover_every_category_and_department() -> None:
    matters = data.matters()
    assert {m.category for m in matters} == set(data.CATEGORY_LETTERS.values())
    assert len(data.departments()) >= 30
    assert {m.dept for m in matters} == {d.key for d in data.departments()}
    assert len({m.name for m in matters}) == len(matters)
