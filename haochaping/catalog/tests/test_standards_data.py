"""The national standards loaded by migration catalog 0002, and its selectors."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as global_apps

from haochaping.catalog.models import BadReason, ContentItem, Indicator, StandardVersion
from haochaping.catalog.selectors.standards import (
    active_standard,
    content_item_table,
    content_items_for,
)

pytestmark = pytest.mark.django_db

CURRENT_CODES = {
    5: ["510", "511", "512", "513", "514", "515", "516", "517"],
    4: ["406", "407", "408", "409", "410", "411", "412", "413"],
    3: ["307", "308", "309", "310", "311", "312", "313", "314"],
    2: ["207", "208", "209", "210", "211", "212", "213", "214"],
    1: ["108", "109", "110", "111", "112", "113", "114", "115"],
}
RETIRED_CODES = {
    5: [str(c) for c in range(501, 510)],
    4: [str(c) for c in range(401, 406)],
    3: [str(c) for c in range(301, 307)],
    2: [str(c) for c in range(201, 207)],
    1: [str(c) for c in range(101, 108)],
}


def test_current_version_is_active_with_forty_items() -> None:
    version = active_standard()
    assert version.code == "national-v2"
    assert ContentItem.objects.filter(version=version).count() == 40
    for level, codes in CURRENT_CODES.items():
        items = list(content_items_for(version, level))
        assert [i.code for i in items] == codes
        assert [i.shown_by_default for i in items] == [True] * 3 + [False] * 5
    assert content_items_for(version, 1).get(code="112").text == "承诺在线收取申报材料实际无法收取"


def test_retired_version_keeps_its_codes() -> None:
    retired = StandardVersion.objects.get(code="national-2020")
    assert not retired.is_active
    assert retired.valid_to is not None
    for level, codes in RETIRED_CODES.items():
        assert [i.code for i in content_items_for(retired, level)] == codes
    assert ContentItem.objects.get(version=retired, code="101").text == (
        "被要求提交办事指南未列明的申报材料")


def test_indicators_and_bad_reasons_of_the_current_version() -> None:
    version = active_standard()
    online = Indicator.objects.filter(version=version, channel_group="online")
    offline = Indicator.objects.filter(version=version, channel_group="offline")
    assert [i.name for i in online] == ["整体满意度", "办事效率", "办事指南精确度", "办事便捷度",
                                        "平台操作性"]
    assert [i.name for i in offline] == ["整体满意度", "服务效率", "服务水平", "服务态度",
                                         "服务便民度"]
    reasons = list(BadReason.objects.filter(version=version))
    assert len(reasons) == 17
    assert reasons[-1].text == "其他（请填写）"
    bad_items = ContentItem.objects.filter(version=version, level__lte=2)
    assert {r.text for r in reasons[:-1]} == {i.text for i in bad_items}


def test_content_item_table_is_plain_pairs() -> None:
    table = content_item_table(active_standard())
    assert len(table) == 40
    assert ("510", 5) in table
    assert ("108", 1) in table


def test_loading_again_adds_nothing() -> None:
    migration = importlib.import_module("haochaping.catalog.migrations.0002_national_standards")
    counts = (StandardVersion.objects.count(), ContentItem.objects.count(),
              Indicator.objects.count(), BadReason.objects.count())
    migration.load_standards(global_apps, None)
    assert (StandardVersion.objects.count(), ContentItem.objects.count(),
            Indicator.objects.count(), BadReason.objects.count()) == counts
    assert list(StandardVersion.objects.filter(is_active=True).values_list(
        "code", flat=True)) == ["national-v2"]
