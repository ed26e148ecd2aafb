"""What a person opening a statistics export sees (issue 16): a title row, then the
period, the scope by name and the time generated; a frozen header; columns wide enough;
numbers as numbers; reasons and content as the standard words them, not their codes."""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from haochaping.catalog.models import BadReason
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.stats import exports

pytestmark = pytest.mark.django_db
URL = "/api/v1/stats/exports"


def _book(response: Any) -> Any:
    assert response.status_code == 200
    body = (b"".join(response.streaming_content) if response.streaming
            else bytes(response.content))
    return load_workbook(io.BytesIO(body)).worksheets[0]


@pytest.fixture
def bad(locality: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> Any:
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    handling = ef.make_handling(locality, client=source, rater=ef.make_rater())
    with django_capture_on_commit_callbacks(execute=True):
        [row] = evaluation_submit(handling=handling, channel=Channel.WEB,
                                  rating=RatingInput(1, reason_codes=["108"], text="材料多"))
    return row


def test_drilldown_has_a_title_a_frozen_header_and_words(
        client: Client, personas: SimpleNamespace, locality: SimpleNamespace,
        bad: Any) -> None:
    client.force_login(personas.supervisor)
    today = timezone.localdate()
    ws = _book(client.get(f"{URL}/drilldown.xlsx", {
        "figure": "bad_reviews", "start": today - timedelta(days=2), "end": today,
        "scope": locality.market.pk}))
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "评价明细"
    facts = rows[1][0]
    assert f"统计期：{today - timedelta(days=2)} 至 {today}" in facts
    assert f"范围：{locality.market.name}及下级机构" in facts
    assert "生成时间：" in facts
    assert rows[2] == [h for _, h in exports.DRILL_COLUMNS]
    assert ws.freeze_panes == "A4"
    reason = BadReason.objects.filter(code="108").values_list("text", flat=True).first()
    assert reason
    line = dict(zip(rows[2], rows[3], strict=True))
    assert line["差评原因"] == reason
    assert "108" not in str(line["差评原因"])
    widths = [ws.column_dimensions[c].width for c in "ABCDEFG"]
    assert all(8 <= w <= 50 for w in widths)
    assert ws.column_dimensions["B"].width >= 19  # a whole date and time fits


def test_figures_are_numbers_under_a_title(client: Client, personas: SimpleNamespace,
                                           bad: Any) -> None:
    client.force_login(personas.supervisor)
    today = timezone.localdate()
    ws = _book(client.get(f"{URL}/figures.xlsx", {
        "group_by": "org", "period": "day", "start": str(today - timedelta(days=1)),
        "end": str(today)}))
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "统计指标"
    assert "本人管辖范围内全部机构" in rows[1][0]
    assert "（按日）" in rows[1][0]
    header = rows[2]
    assert ws.freeze_panes == "A4"
    for line in rows[3:]:
        cells = dict(zip(header, line, strict=True))
        assert isinstance(cells["非常不满意"], int)
        rate = cells["差评率"]
        assert isinstance(rate, float) or rate == exports.EMPTY
    rate_col = header.index("差评率") + 1
    if len(rows) > 3:
        assert ws.cell(row=4, column=rate_col).number_format == exports.PERCENT


def test_the_writer_keeps_numbers_numbers_and_sizes_columns() -> None:
    from datetime import UTC, datetime

    sheet = exports.Sheet("统计指标", ["部门", "有效评价", "满意率"],
                          [["郑州市市场监督管理局（二七区分局）", 12, 0.9523],
                           ["人社局", 0, exports.EMPTY]], {2: exports.PERCENT})
    origin = exports.Provenance(by="张三", at=datetime(2026, 10, 1, 2, tzinfo=UTC),
                                title="统计指标", period="2026-09-01 至 2026-09-30（按月）",
                                scope="郑州市政务服务局及下级机构", banner=True)
    ws = load_workbook(io.BytesIO(exports.xlsx_bytes([sheet], origin))).worksheets[0]
    assert ws["A1"].value == "统计指标"
    assert ws["A1"].font.bold
    assert ws["A2"].value == ("统计期：2026-09-01 至 2026-09-30（按月）；范围：郑州市政务服务局及"
                              "下级机构；生成时间：2026-10-01 10:00:00；导出人：张三")
    assert [c.value for c in ws[3]] == ["部门", "有效评价", "满意率"]
    assert ws["B4"].value == 12
    assert ws["C4"].value == 0.9523
    assert ws["C4"].number_format == exports.PERCENT
    assert ws["C5"].value == exports.EMPTY
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions["A"].width == 36  # 17 CJK characters and a margin
    plain = load_workbook(io.BytesIO(exports.xlsx_bytes([sheet]))).worksheets[0]
    assert plain["A1"].value == "部门"  # no banner: a file an import reads back
    assert plain.freeze_panes == "A2"
