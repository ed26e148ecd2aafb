"""Pure import rules (no database) and the column table against the models."""

from __future__ import annotations

from pathlib import Path

import pytest

from haochaping.catalog.importing import rules as r
from haochaping.catalog.importing.columns import ENTITY_COLUMNS, format_cell
from haochaping.catalog.models import Hall, Matter, Org, Region, Staff, Window

MODELS = {"regions": Region, "orgs": Org, "halls": Hall, "windows": Window, "staff": Staff,
          "matters": Matter}


@pytest.mark.parametrize(("parse", "text", "code"), [
    (r.code(8), "a/b", "import.code_format"),
    (r.code(3), "ABCD", "import.too_long"),
    (r.region_code, "41010000000", "import.region_code"),
    (r.non_negative_int, "-1", "import.integer"),
    (r.non_negative_int, "1.5", "import.integer"),
    (r.boolean, "也许", "import.boolean"),
    (r.enum_of({"city": "市级"}), "国家级", "import.enum"),
])
def test_bad_cells(parse: r.Parser, text: str, code: str) -> None:
    with pytest.raises(r.CellError) as caught:
        parse(text)
    assert caught.value.code == code


def test_good_cells() -> None:
    assert r.enum_of({"city": "市级"})("市级") == "city"
    assert r.enum_of({"city": "市级"})("CITY") == "city"
    assert [r.boolean(w) for w in ("是", "否", "TRUE", "false")] == [True, False, True, False]
    assert r.cell_text(410100000000.0) == "410100000000"


def test_tree_child_before_parent_and_cycles() -> None:
    result = r.resolve_tree({"C": "B", "B": "A", "X": "Y", "Y": "X"}, {"A": "/R/A/"})
    assert result.paths == {"B": "/R/A/B/", "C": "/R/A/B/C/"}
    assert result.cycles == {"X", "Y"}
    assert r.rebase("/R/A/B/D/", {"B": "/Q/B/"}) == "/Q/B/D/"


@pytest.mark.parametrize("entity", sorted(ENTITY_COLUMNS))
def test_column_lengths_match_models(entity: str) -> None:
    model = MODELS[entity]
    for column in ENTITY_COLUMNS[entity]:
        if column.key.endswith("_code") and column.key != "impl_code":
            continue
        field = model._meta.get_field(column.key)
        max_length = getattr(field, "max_length", None)
        region_code = entity == "regions" and column.key == "code"
        if max_length and not column.labels and not region_code:
            column.parse("A" * max_length)
            with pytest.raises(r.CellError):
                column.parse("A" * (max_length + 1))


def test_export_text_parses_back() -> None:
    for columns in ENTITY_COLUMNS.values():
        for column in columns:
            for value in column.labels or ():
                assert column.parse(format_cell(column, value)) == value


def test_every_column_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "import-format.md").read_text(
        encoding="utf-8")
    for columns in ENTITY_COLUMNS.values():
        for column in columns:
            assert f"| `{column.key}` | {column.header} |" in doc
