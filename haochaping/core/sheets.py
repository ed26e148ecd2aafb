"""Spreadsheet files, written the same way by every export (issue 17): statistics tables,
drill-down rows, rankings, monthly reports, the catalog and the public disclosure files.

One cell rule (:func:`safe`) for both formats:

- text is cleaned as at the request's edge (``core.text``): a control character that an
  old row still holds would otherwise make openpyxl refuse the cell, and that table's
  every XLSX export answer 500 for good;
- a text cell that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``,
  ``@``, tab or CR) is written with a leading apostrophe, the way a person types text
  into Excel; a text already starting with an apostrophe gets one more, so
  :func:`unescape` (the catalog import) gives back exactly what was exported.

Who exported and when (:class:`Provenance`): an XLSX carries it in its document
properties (creator, created, title, subject, description); a report a person reads
(``banner``: the statistics and rankings) also opens with a title row and a row naming
the period, the scope and the time generated, above the header. Every XLSX freezes its
header and sizes its columns from the header and the first rows (issue 16). A file read
back by an import (the catalog's) has no banner, and a CSV carries no title or comment
row, because any first row other than the header
breaks CSV readers and the catalog's re-import: its provenance is its audit record,
whose number the file name carries (``docs/security.md``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import IO, Any

from haochaping.core.localtime import SHANGHAI
from haochaping.core.text import clean_text

Cell = str | int | float | date | None

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
CSV_BATCH = 500


def safe(value: Any) -> Any:
    """A cell as written: text cleaned and neutralised (module docstring); numbers,
    dates and None as they are."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if text.startswith(FORMULA_START) or text.startswith(QUOTE):
        return QUOTE + text
    return text


def unescape(text: str) -> str:
    """The inverse of :func:`safe` for a text cell read back from an exported file."""
    if text.startswith(QUOTE) and text[1:].startswith((*FORMULA_START, QUOTE)):
        return text[1:]
    return text


@dataclass(frozen=True)
class Provenance:
    """Who exported a file, when, what and the audit record of it."""

    by: str
    at: datetime
    title: str
    scope: str = ""
    reference: str = ""
    period: str = ""
    banner: bool = False  # title and period rows above the header (module docstring)

    @property
    def local_time(self) -> str:
        return self.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")

    @property
    def stamp(self) -> str:
        """For a file name: local time, and the audit record when there is one."""
        moment = self.at.astimezone(SHANGHAI).strftime("%Y%m%d%H%M%S")
        return f"{moment}-{self.reference}" if self.reference else moment

    def describe(self) -> str:
        parts = [f"导出人：{self.by}", f"导出时间：{self.local_time}"]
        if self.period:
            parts.append(f"统计期：{self.period}")
        if self.scope:
            parts.append(f"范围：{self.scope}")
        if self.reference:
            parts.append(f"审计记录：{self.reference}")
        return "；".join(parts)


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: Iterable[Sequence[Cell]]
    formats: dict[int, str] = field(default_factory=dict)  # column index -> XLSX format
    row_formats: dict[int, str] = field(default_factory=dict)  # row index -> format

    def format_of(self, row: int, column: int) -> str | None:
        return self.row_formats.get(row) or self.formats.get(column)


# --- CSV --------------------------------------------------------------------------------

def csv_chunks(sheet: Sheet) -> Iterator[bytes]:
    """UTF-8 with a BOM (Excel reads the encoding from it), the header first, then a
    chunk per 500 rows."""
    yield "\ufeff".encode() + _encode([[safe(h) for h in sheet.headers]])
    batch: list[list[Any]] = []
    for row in sheet.rows:
        batch.append([safe(v) for v in row])
        if len(batch) == CSV_BATCH:
            yield _encode(batch)
            batch = []
    if batch:
        yield _encode(batch)


def csv_bytes(sheet: Sheet) -> bytes:
    return b"".join(csv_chunks(sheet))


def _encode(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


# --- XLSX -------------------------------------------------------------------------------

def _properties(workbook: Any, provenance: Provenance) -> None:
    props = workbook.properties
    moment = provenance.at.astimezone(UTC).replace(tzinfo=None)  # openpyxl: naive UTC
    props.creator = provenance.by
    props.lastModifiedBy = provenance.by
    props.created = moment
    props.modified = moment
    props.title = provenance.title
    props.subject = provenance.scope or None
    props.description = provenance.describe()
    props.identifier = provenance.reference or None


WIDTH_MIN, WIDTH_MAX = 8, 50  # characters
SAMPLE_ROWS = 50  # rows read ahead to size the columns (the rest stream)


def text_width(value: Any) -> int:
    """Display width of a cell in Excel's character units: a CJK character takes two."""
    text = value.isoformat() if isinstance(value, date) else str(value if value is not None
                                                                  else "")
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def column_widths(headers: Sequence[str], sample: Sequence[Sequence[Cell]]) -> list[float]:
    """A width per column that fits its header and the sampled cells, within bounds."""
    widths = []
    for index, title in enumerate(headers):
        cells = [row[index] for row in sample if index < len(row)]
        widest = max([text_width(title), *(text_width(c) for c in cells)])
        widths.append(float(min(max(widest + 2, WIDTH_MIN), WIDTH_MAX)))
    return widths


def banner_lines(provenance: Provenance) -> tuple[str, str]:
    """The title row and the row under it: period, scope, time generated, who."""
    facts = [f"统计期：{provenance.period}" if provenance.period else "",
             f"范围：{provenance.scope}" if provenance.scope else "",
             f"生成时间：{provenance.local_time}", f"导出人：{provenance.by}",
             f"审计记录：{provenance.reference}" if provenance.reference else ""]
    return provenance.title, "；".join(f for f in facts if f)


def without_banner(rows: list[list[Any]]) -> list[list[Any]]:
    """The rows of a sheet read back, from its header on (a banner's two rows dropped)."""
    second = rows[1][0] if len(rows) > 1 and rows[1] else None
    return rows[2:] if isinstance(second, str) and "生成时间：" in second else rows


def write_xlsx(sheets: Iterable[Sheet], target: IO[bytes],
               provenance: Provenance | None = None) -> None:
    """openpyxl write-only mode: rows go to disk as they come, not into memory (the first
    SAMPLE_ROWS are read ahead to size the columns)."""
    from itertools import chain, islice

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    if provenance is not None:
        _properties(workbook, provenance)
    banner = provenance is not None and provenance.banner
    for sheet in sheets:
        ws = workbook.create_sheet(clean_text(sheet.title)[:31])
        rows = iter(sheet.rows)
        sample = list(islice(rows, SAMPLE_ROWS))
        for index, width in enumerate(column_widths(sheet.headers, sample), start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A4" if banner else "A2"
        if banner and provenance is not None:
            title, facts = banner_lines(provenance)
            head = WriteOnlyCell(ws, value=safe(title))
            head.font = Font(bold=True, size=14)
            ws.append([head])
            ws.append([safe(facts)])
        header = []
        for title in sheet.headers:
            cell = WriteOnlyCell(ws, value=safe(title))
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for line, row in enumerate(chain(sample, rows)):
            cells: list[Any] = []
            for index, value in enumerate(row):
                fmt = sheet.format_of(line, index)
                if fmt and isinstance(value, float):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = fmt
                    cells.append(cell)
                else:
                    cells.append(safe(value))
            ws.append(cells)
    workbook.save(target)


def xlsx_bytes(sheets: Iterable[Sheet], provenance: Provenance | None = None) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer, provenance)
    return buffer.getvalue()
