"""Reading an uploaded sheet (XLSX or CSV) into typed rows with sheet row numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from haochaping.catalog.importing.columns import Column
from haochaping.catalog.importing.rules import CellError, cell_text
from haochaping.core.errors import FieldProblem, ValidationError

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 500_000


@dataclass
class Row:
    number: int  # the row number the user sees in the sheet (header = 1)
    values: dict[str, Any]
    ok: bool = True


@dataclass
class Sheet:
    rows: list[Row]
    present: list[Column]  # columns found in the header, in column order
    headers: dict[str, str]  # column key -> header as written in the file
    problems: list[FieldProblem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def problem(self, row: int, key: str, code: str, message: str) -> None:
        self.problems.append(FieldProblem(code=code, message=message,
                                          field=self.headers.get(key, key), row=row))


def _bad_file(message: str) -> ValidationError:
    return ValidationError("import.file_format", message)


def _xlsx_rows(data: bytes) -> Iterable[Sequence[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _bad_file("无法读取 XLSX 文件，请确认文件未损坏") from exc
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()  # some tools write a wrong <dimension>; read every row
    try:
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    """UTF-8 with or without BOM; GB18030 for files saved by Chinese Excel."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise _bad_file("无法识别 CSV 文件编码，请保存为 UTF-8 或 GB18030") from None


def _csv_rows(data: bytes) -> Iterable[Sequence[Any]]:
    return csv.reader(io.StringIO(_decode(data), newline=""))


def _match_header(columns: list[Column], headers: Sequence[str]
                  ) -> tuple[list[tuple[int, Column]], dict[str, str], list[str],
                             list[FieldProblem]]:
    by_name: dict[str, Column] = {}
    for column in columns:
        by_name[column.header] = column
        by_name[column.key.lower()] = column
    found: list[tuple[int, Column]] = []
    written: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[FieldProblem] = []
    for index, raw in enumerate(headers):
        name = raw.strip().rstrip("*＊").strip()
        match = by_name.get(name) or by_name.get(name.lower())
        if match is None:
            if name:
                ignored.append(name)
            continue
        if match.key in written:
            problems.append(FieldProblem("import.duplicate_column", "表头重复", name, row=1))
            continue
        found.append((index, match))
        written[match.key] = name
    for column in columns:
        if column.required and column.key not in written:
            problems.append(FieldProblem("import.missing_column", "缺少必填列", column.header,
                                         row=1))
    return found, written, ignored, problems


def read_sheet(data: bytes, columns: list[Column]) -> Sheet:
    """Parse every row; bad cells become problems (the row is kept, marked not ok)."""
    raw_rows = iter(_xlsx_rows(data) if data.startswith(XLSX_MAGIC) else _csv_rows(data))
    try:
        header = [cell_text(c) for c in next(raw_rows)]
    except StopIteration:
        raise ValidationError("import.empty", "文件为空，第一行应为表头") from None
    except csv.Error as exc:
        raise _bad_file("CSV 格式错误") from exc
    found, written, ignored, problems = _match_header(columns, header)
    sheet = Sheet(rows=[], present=[c for _, c in found], headers=written,
                  problems=problems, ignored=ignored)
    if problems:
        return sheet
    plan = [(index, column, column.parse, column.key) for index, column in found]
    number = 1
    try:
        for cells in raw_rows:
            number += 1
            texts = [cell_text(c) for c in cells]
            if not any(t.strip() for t in texts):
                continue
            if number > MAX_ROWS:
                raise ValidationError("import.too_many_rows", f"单个文件最多 {MAX_ROWS} 行")
            sheet.rows.append(_parse_row(sheet, number, texts, plan))
    except csv.Error as exc:
        raise _bad_file(f"CSV 格式错误（第 {number} 行）") from exc
    if not sheet.rows:
        raise ValidationError("import.empty", "文件中没有数据行")
    return sheet


def _parse_row(sheet: Sheet, number: int, texts: list[str],
               plan: list[tuple[int, Column, Any, str]]) -> Row:
    values: dict[str, Any] = {}
    ok = True
    width = len(texts)
    for index, column, parse, key in plan:
        raw = texts[index].strip() if index < width else ""
        if not raw:
            if column.required:
                sheet.problem(number, key, "import.required", "必填项不能为空")
                ok = False
            else:
                values[key] = column.default
            continue
        try:
            values[key] = parse(raw)
        except CellError as exc:
            sheet.problem(number, key, exc.code, exc.message)
            ok = False
    return Row(number=number, values=values, ok=ok)
