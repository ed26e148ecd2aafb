"""core.sheets: the one cell rule and writers of every export, without a database."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from haochaping.core.sheets import Provenance, Sheet, csv_bytes, safe, unescape, xlsx_bytes
from haochaping.core.text import clean_text

WHO = Provenance(by="supervisor", at=datetime(2026, 3, 1, 2, 3, 4, tzinfo=UTC),
                 title="统计指标", scope="start=2026-02-01", reference="57")


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=x", "'\t=x"), ("\r=x", "\n=x"), ("'quoted", "''quoted"), ("正常", "正常"),
    ("a\x0bb", "ab"), (-2, -2), (1.5, 1.5), (None, None),
])
def test_safe(value: object, written: object) -> None:
    assert safe(value) == written


@given(st.text())
def test_unescape_gives_back_the_clean_text(text: str) -> None:
    assert unescape(safe(text)) == clean_text(text)


def _sheet() -> Sheet:
    return Sheet("表\x01一", ["名称", "=header"],
                 [["=HYPERLINK(\"http://x\")", 1], ["控制\x0b字符", 2.5], [None, -3]])


def test_xlsx_with_controls_and_formulas_is_written_as_text_and_signed() -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes([_sheet()], WHO)))
    sheet = book.worksheets[0]
    assert sheet.title == "表一"
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["名称", "'=header"], ["'=HYPERLINK(\"http://x\")", 1], ["控制字符", 2.5], [None, -3]]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    props = book.properties
    assert (props.creator, props.title, props.identifier) == ("supervisor", "统计指标", "57")
    assert props.created == datetime(2026, 3, 1, 2, 3, 4)
    assert props.description == ("导出人：supervisor；导出时间：2026-03-01 10:03:04；"
                                 "范围：start=2026-02-01；审计记录：57")


def test_csv_has_the_header_first_and_neutralised_cells() -> None:
    body = csv_bytes(_sheet())
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [["名称", "'=header"], ["'=HYPERLINK(\"http://x\")", "1"],
                    ["控制字符", "2.5"], ["", "-3"]]


def test_stamp_names_the_local_time_and_the_record() -> None:
    assert WHO.stamp == "20260301100304-57"
