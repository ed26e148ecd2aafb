"""Legacy satisfaction files for tests: CSV (UTF-8 or GB18030) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

HEADER = ["原系统评价编号", "办件编号", "评价等级", "评价时间", "评价渠道", "文字评价"]


def csv_bytes(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER,
              encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
