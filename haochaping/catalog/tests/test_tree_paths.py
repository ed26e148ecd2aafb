"""Materialised tree paths (pure): a node's path and the deepest node shared by a set."""

from __future__ import annotations

import pytest

from haochaping.catalog.rules.codes import REGION_PATH_STEP, deepest_common_path, tree_path

PROVINCE = tree_path("", "410000000000")
CITY = tree_path(PROVINCE, "410100000000")
JINSHUI = tree_path(CITY, "410105000000")
ZHONGYUAN = tree_path(CITY, "410102000000")
TOWN = tree_path(JINSHUI, "410105001000")


@pytest.mark.parametrize(("least", "greatest", "common"), [
    (CITY, TOWN, CITY),  # a city and a town of one of its districts
    (ZHONGYUAN, TOWN, CITY),  # two districts share a code prefix beyond the city's
    (JINSHUI, TOWN, JINSHUI),
    (TOWN, TOWN, TOWN),
    (JINSHUI, tree_path("", "420000000000"), "/"),  # two provinces: no node
])
def test_deepest_common_path(least: str, greatest: str, common: str) -> None:
    assert sorted([least, greatest]) == [least, greatest]
    assert deepest_common_path(least, greatest) == common


def test_a_level_of_a_region_path_is_a_fixed_length() -> None:
    assert len(JINSHUI) - len(CITY) == len(TOWN) - len(JINSHUI) == REGION_PATH_STEP
    assert TOWN[:len(CITY) + REGION_PATH_STEP] == JINSHUI
