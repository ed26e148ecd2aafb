"""Per-cell rules and tree resolution for catalog import. Pure Python, no ORM.

A parser takes the cell text (already stripped, never empty) and returns the typed value
or raises :class:`CellError` with a stable code and a Chinese message. Empty cells are
handled by the caller (required → ``import.required``; optional → the column default).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from haochaping.core.bounds import INT32_MAX
from haochaping.core.sheets import unescape
from haochaping.core.text import clean_text

CODE_RE = re.compile(r"^[A-Za-z0-9._-]+$")
REGION_RE = re.compile(r"^[0-9]{12}$")
TRUE_WORDS = frozenset({"是", "true", "1", "yes", "y", "启用", "在岗"})
FALSE_WORDS = frozenset({"否", "false", "0", "no", "n", "停用", "离岗"})

Parser = Callable[[str], Any]


class CellError(ValueError):
    """One bad cell: ``code`` is stable (clients match on it), ``message`` is Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def cell_text(value: object) -> str:
    """Normalise what a CSV or XLSX cell holds to stripped, clean text.

    Excel stores ``1`` as the float ``1.0`` and long codes as integers; both come back
    as their digits.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    # Text as the request edge cleans it (core.text); an apostrophe our exports put
    # before a formula-like cell (core.sheets) is taken off again.
    return unescape(clean_text(str(value)).strip())


def code(max_length: int) -> Parser:
    """A stable code: letters, digits, ``.``, ``_``, ``-``; never ``/`` (tree paths)."""

    def parse(text: str) -> str:
        if not CODE_RE.match(text):
            raise CellError("import.code_format", "编码只能包含字母、数字、点、下划线和连字符")
        if len(text) > max_length:
            raise CellError("import.too_long", f"长度不能超过 {max_length} 个字符")
        return text

    return parse


def text(max_length: int) -> Parser:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise CellError("import.too_long", f"长度不能超过 {max_length} 个字符")
        return value

    return parse


def region_code(value: str) -> str:
    if not REGION_RE.match(value):
        raise CellError("import.region_code", "区划代码须为 12 位数字")
    return value


def non_negative_int(value: str) -> int:
    """0 to the largest value the column holds (core.bounds.INT32_MAX)."""
    try:
        number = int(value)
    except ValueError:
        raise CellError("import.integer", "须为非负整数") from None
    if not 0 <= number <= INT32_MAX:
        raise CellError("import.integer", f"须为 0 至 {INT32_MAX} 之间的整数")
    return number


def boolean(value: str) -> bool:
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("import.boolean", "须为“是”或“否”（也接受 true/false）")


def enum_of(members: Mapping[str, str]) -> Parser:
    """Accept an enum value (``licensing``) or its Chinese label (``行政许可``)."""
    lookup = {**{label: value for value, label in members.items()},
              **{value: value for value in members}}
    allowed = "、".join(members.values())

    def parse(value: str) -> str:
        found = lookup.get(value) or lookup.get(value.lower())
        if found is None:
            raise CellError("import.enum", f"取值无效，允许：{allowed}")
        return found

    return parse


def enum_labels(enum: type[StrEnum]) -> dict[str, str]:
    """``{value: Chinese label}`` of one of ``catalog.rules.codes``' enums."""
    return {member.value: str(getattr(member, "label")) for member in enum}  # noqa: B009


# --- trees -------------------------------------------------------------------------------


@dataclass
class TreeResult:
    paths: dict[str, str] = field(default_factory=dict)  # file code -> new path
    cycles: set[str] = field(default_factory=set)  # file codes on a parent cycle


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def resolve_tree(file_parents: Mapping[str, str | None],
                 db_paths: Mapping[str, str]) -> TreeResult:
    """Paths of the file's nodes, whose parents may be in the file (before or after the
    child) or in the database; nodes whose parent chain loops are reported as cycles.

    ``db_paths`` holds the current path of every database node the file refers to; a
    database node's ancestors are read from its path, so a file that moves one of them
    moves the node too.
    """
    known: dict[str, str] = {}
    result = TreeResult()
    local_paths = dict(db_paths)

    def parent_of(node: str) -> str | None:
        if node in file_parents:
            return file_parents[node]
        segments = _segments(local_paths.get(node, f"/{node}/"))
        if len(segments) < 2:
            return None
        local_paths.setdefault(segments[-2], "/" + "/".join(segments[:-1]) + "/")
        return segments[-2]

    for start in file_parents:
        chain: list[str] = []
        on_chain: set[str] = set()
        node: str | None = start
        base: str | None = ""
        while node is not None:
            if node in known:
                base = known[node]
                break
            if node in result.cycles or node in on_chain:
                base = None
                break
            if node not in file_parents:
                db_path = local_paths.get(node, f"/{node}/")
                if not any(s in file_parents for s in _segments(db_path)):
                    base = known[node] = db_path
                    break
            chain.append(node)
            on_chain.add(node)
            node = parent_of(node)
        if base is None:
            result.cycles.update(c for c in chain if c in file_parents)
            continue
        for item in reversed(chain):
            base = known[item] = f"{base or '/'}{item}/"
    result.paths = {code: path for code, path in known.items() if code in file_parents}
    return result


def rebase(db_path: str, new_paths: Mapping[str, str]) -> str:
    """The new path of a database node whose ancestor the import moved (or unchanged)."""
    segments = _segments(db_path)
    for index in range(len(segments) - 2, -1, -1):
        moved = new_paths.get(segments[index])
        if moved is not None:
            return f"{moved}{'/'.join(segments[index + 1:])}/"
    return db_path
