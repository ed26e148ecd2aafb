"""catalog_export: scoped to the actor, and an export re-imports as a no-op."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.importing.columns import ENTITY_COLUMNS
from haochaping.catalog.importing.export import catalog_export
from haochaping.catalog.importing.service import catalog_import
from haochaping.catalog.models import Hall, Matter, Org, Region, Staff, Window
from haochaping.core.errors import ValidationError

ENTITIES = ["regions", "orgs", "halls", "windows", "staff", "matters"]


def _snapshot() -> list[list[tuple[object, ...]]]:
    return [list(m.objects.order_by("pk").values_list())  # type: ignore[attr-defined]
            for m in (Region, Org, Hall, Window, Staff, Matter)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("entity", ENTITIES)
def test_round_trip_is_a_no_op(personas: SimpleNamespace, entity: str, fmt: str) -> None:
    actor = actor_for_user(personas.admin)
    exported = catalog_export(actor=actor, entity=entity, fmt=fmt)
    before = _snapshot()
    result = catalog_import(actor=actor, entity=entity, data=exported.content)
    assert (result.ok, result.created, result.updated) == (True, 0, 0)
    assert result.unchanged == result.rows > 0
    assert _snapshot() == before


def test_csv_has_bom_and_chinese_headers(personas: SimpleNamespace) -> None:
    exported = catalog_export(actor=actor_for_user(personas.admin), entity="matters",
                              fmt="csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == [c.header for c in ENTITY_COLUMNS["matters"]]
    assert rows[1][4] == "行政许可"


def test_export_is_scoped_to_the_subtree(personas: SimpleNamespace) -> None:
    exported = catalog_export(actor=actor_for_user(personas.district_supervisor),
                              entity="orgs", fmt="csv")
    codes = [r[0] for r in csv.reader(io.StringIO(exported.content.decode("utf-8-sig")))][1:]
    assert codes == ["DISTOFFICE", "DISTHR"]


def test_bad_format_is_rejected(personas: SimpleNamespace) -> None:
    count = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        catalog_export(actor=actor_for_user(personas.admin), entity="orgs", fmt="pdf")
    assert caught.value.code == "export.format"
    assert AuditEvent.objects.count() == count
