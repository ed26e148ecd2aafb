"""catalog_import: every bad row reported, all-or-nothing, upsert, encodings, formats."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.importing.service import catalog_import
from haochaping.catalog.models import Matter, Org
from haochaping.catalog.tests.importing_helpers import csv_bytes, xlsx_bytes
from haochaping.core.errors import PermissionDenied, ValidationError

ORG_HEADER = ["机构编码", "机构名称", "类型", "层级", "区划代码", "上级机构编码"]
MATTER_HEADER = ["事项编码", "实施编码", "版本", "事项名称", "事项类型", "实施部门编码",
                 "办件类型", "承诺时限（工作日）", "可网上办理"]
DISTRICT = "410105000000"


def _state() -> tuple[list[tuple[str, str]], int]:
    return list(Org.objects.order_by("code").values_list("code", "path")), \
        AuditEvent.objects.count()


def test_dry_run_reports_every_bad_row_and_writes_nothing(personas: SimpleNamespace) -> None:
    actor = actor_for_user(personas.district_supervisor)
    data = csv_bytes([
        ORG_HEADER,
        ["NEWA", "新部门甲", "承办部门", "县级", DISTRICT, "DISTOFFICE"],
        ["NEWB", "新部门乙", "不存在的类型", "县级", DISTRICT, "DISTOFFICE"],
        ["NEWC", "", "承办部门", "县级", DISTRICT, "DISTOFFICE"],
        ["NEWD", "新部门丁", "承办部门", "县级", DISTRICT, "NOPE"],
        ["NEWE", "新部门戊", "承办部门", "县级", "4101", "DISTOFFICE"],
        ["NEWA", "重复", "承办部门", "县级", DISTRICT, "DISTOFFICE"],
        ["CYC1", "环一", "承办部门", "县级", DISTRICT, "CYC2"],
        ["CYC2", "环二", "承办部门", "县级", DISTRICT, "CYC1"],
        ["NEWF", "越权", "承办部门", "市级", DISTRICT, "MARKET"],
        ["BAD/CODE", "斜杠", "承办部门", "县级", DISTRICT, "DISTOFFICE"],
    ])
    before = _state()
    result = catalog_import(actor=actor, entity="orgs", data=data, dry_run=True)
    found = {(p.row, p.field, p.code) for p in result.problems}
    assert found == {
        (3, "类型", "import.enum"),
        (4, "机构名称", "import.required"),
        (5, "上级机构编码", "import.unknown_reference"),
        (6, "区划代码", "import.region_code"),
        (7, "机构编码", "import.duplicate"),
        (8, "上级机构编码", "import.cycle"),
        (9, "上级机构编码", "import.cycle"),
        (10, "上级机构编码", "import.forbidden_scope"),
        (11, "机构编码", "import.code_format"),
    }
    assert all(p.message for p in result.problems)
    assert _state() == before


def test_real_run_with_one_bad_row_writes_nothing(personas: SimpleNamespace) -> None:
    actor = actor_for_user(personas.admin)
    data = csv_bytes([
        ORG_HEADER,
        ["GOOD1", "好部门", "承办部门", "市级", "410100000000", "CITYOFFICE"],
        ["GOOD2", "坏部门", "承办部门", "国家级", "410100000000", "CITYOFFICE"],
    ])
    before = _state()
    with pytest.raises(ValidationError) as caught:
        catalog_import(actor=actor, entity="orgs", data=data)
    assert caught.value.code == "import.invalid_rows"
    assert [(p.row, p.code) for p in caught.value.problems] == [(3, "import.enum")]
    assert _state() == before


def test_create_then_reimport_is_idempotent_and_update_counts(
        personas: SimpleNamespace) -> None:
    actor = actor_for_user(personas.supervisor)
    rows = [
        ORG_HEADER,
        ["CHILD", "下级科室", "承办部门", "市级", "410100000000", "PARENT"],  # parent after
        ["PARENT", "新局", "handling", "city", "410100000000", "CITYOFFICE"],
    ]
    audits = AuditEvent.objects.count()
    first = catalog_import(actor=actor, entity="orgs", data=csv_bytes(rows),
                           filename="orgs.csv")
    assert (first.created, first.updated) == (2, 0)
    child = Org.objects.get(code="CHILD")
    assert child.path == "/CITYOFFICE/PARENT/CHILD/"
    assert child.parent is not None
    assert child.parent.code == "PARENT"
    second = catalog_import(actor=actor, entity="orgs", data=csv_bytes(rows))
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    rows[1][1] = "改名科室"
    third = catalog_import(actor=actor, entity="orgs", data=csv_bytes(rows))
    assert (third.created, third.updated) == (0, 1)
    assert Org.objects.get(code="CHILD").name == "改名科室"
    events = list(AuditEvent.objects.order_by("seq")[audits:])
    assert [e.action for e in events] == ["catalog.import"] * 3
    after = events[0].after or {}
    assert after["created"] == 2
    assert len(after["sha256"]) == 64


def test_moving_an_org_moves_its_database_subtree(personas: SimpleNamespace) -> None:
    actor = actor_for_user(personas.admin)
    data = csv_bytes([ORG_HEADER, ["DISTOFFICE", "金水区政务服务局", "政务服务管理机构", "县级",
                                   DISTRICT, "MARKET"]])
    catalog_import(actor=actor, entity="orgs", data=data)
    assert Org.objects.get(code="DISTHR").path == "/CITYOFFICE/MARKET/DISTOFFICE/DISTHR/"


def test_cycle_through_database_rows_is_reported(personas: SimpleNamespace) -> None:
    actor = actor_for_user(personas.admin)
    data = csv_bytes([ORG_HEADER, ["CITYOFFICE", "市局", "政务服务管理机构", "市级",
                                   "410100000000", "DISTHR"]])
    before = _state()
    result = catalog_import(actor=actor, entity="orgs", data=data, dry_run=True)
    assert [(p.row, p.code) for p in result.problems] == [(2, "import.cycle")]
    assert _state() == before


def test_handler_cannot_import(personas: SimpleNamespace) -> None:
    data = csv_bytes([ORG_HEADER, ["X1", "某部门", "承办部门", "市级", "410100000000", ""]])
    before = _state()
    with pytest.raises(PermissionDenied) as caught:
        catalog_import(actor=actor_for_user(personas.handler), entity="orgs", data=data)
    assert caught.value.code == "forbidden.role"
    assert _state() == before


def test_supervisor_cannot_import_regions(personas: SimpleNamespace) -> None:
    data = csv_bytes([["区划代码", "名称", "层级"], ["410102000000", "中原区", "县级"]])
    with pytest.raises(PermissionDenied):
        catalog_import(actor=actor_for_user(personas.supervisor), entity="regions", data=data)


def test_missing_required_column_is_reported_on_row_one(personas: SimpleNamespace) -> None:
    data = csv_bytes([["机构编码", "机构名称"], ["X1", "某部门"]])
    result = catalog_import(actor=actor_for_user(personas.admin), entity="orgs", data=data,
                            dry_run=True)
    assert {(p.row, p.field, p.code) for p in result.problems} == {
        (1, "类型", "import.missing_column"), (1, "层级", "import.missing_column"),
        (1, "区划代码", "import.missing_column")}


def _matter_rows() -> list[list[str]]:
    return [MATTER_HEADER,
            ["M1", "IMPL-1", "1", "食品经营许可（新办）", "行政许可", "MARKET", "承诺件", "15",
             "是"],
            ["M2", "IMPL-2", "2", "个体工商户登记", "licensing", "MARKET", "即办件", "0", "否"]]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_matters_csv_encodings(personas: SimpleNamespace, encoding: str) -> None:
    data = csv_bytes(_matter_rows(), encoding=encoding)
    result = catalog_import(actor=actor_for_user(personas.supervisor), entity="matters",
                            data=data)
    assert result.created == 2
    matter = Matter.objects.get(impl_code="IMPL-1", version="1")
    assert (matter.name, matter.promised_days, matter.online_available) == \
        ("食品经营许可（新办）", 15, True)
    assert Matter.objects.get(impl_code="IMPL-2", version="2").handling_type == "immediate"


def test_matters_xlsx_with_numbers_and_english_keys(personas: SimpleNamespace) -> None:
    header = ["code", "impl_code", "version", "name", "category", "org_code",
              "promised_days", "online_available"]
    data = xlsx_bytes([header, ["M9", "IMPL-9", 3, "某事项", "公共服务", "MARKET", 5, True]])
    result = catalog_import(actor=actor_for_user(personas.admin), entity="matters", data=data)
    assert result.created == 1
    matter = Matter.objects.get(impl_code="IMPL-9", version="3")
    assert (matter.category, matter.promised_days, matter.online_available) == \
        ("public_service", 5, True)


def test_matter_in_other_subtree_is_a_row_error(personas: SimpleNamespace) -> None:
    rows = _matter_rows()
    before = Matter.objects.count()
    result = catalog_import(actor=actor_for_user(personas.district_supervisor),
                            entity="matters", data=csv_bytes(rows), dry_run=True)
    assert {(p.row, p.field, p.code) for p in result.problems} == {
        (2, "实施部门编码", "import.forbidden_scope"),
        (3, "实施部门编码", "import.forbidden_scope")}
    assert Matter.objects.count() == before


def test_window_number_taken_in_hall(personas: SimpleNamespace,
                                     locality: SimpleNamespace) -> None:
    data = csv_bytes([["窗口编码", "窗口号", "窗口名称", "大厅编码", "进驻部门编码"],
                      ["WNEW", "1", "新窗口", locality.hall.code, "MARKET"]])
    result = catalog_import(actor=actor_for_user(personas.admin), entity="windows",
                            data=data, dry_run=True)
    assert [(p.row, p.field, p.code) for p in result.problems] == [
        (2, "窗口号", "import.window_number_taken")]


def test_empty_and_damaged_files(personas: SimpleNamespace) -> None:
    actor = actor_for_user(personas.admin)
    with pytest.raises(ValidationError) as empty:
        catalog_import(actor=actor, entity="orgs", data=b"")
    assert empty.value.code == "import.empty"
    with pytest.raises(ValidationError) as damaged:
        catalog_import(actor=actor, entity="orgs", data=b"PK\x03\x04broken")
    assert damaged.value.code == "import.file_format"
    assert Org.objects.count() == 4


def test_import_and_export_commands(personas: SimpleNamespace, tmp_path: Path) -> None:
    target = tmp_path / "orgs.csv"
    call_command("catalog_export", "orgs", "--format", "csv", "--output", str(target))
    before = _state()
    out = io.StringIO()
    call_command("catalog_import", "orgs", str(target), "--dry-run", stdout=out)
    assert "未变 4" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([ORG_HEADER, ["X1", "部门", "承办部门", "国家级",
                                            "410100000000", ""]]))
    with pytest.raises(CommandError, match="import.invalid_rows"):
        call_command("catalog_import", "orgs", str(bad), stderr=io.StringIO())
    with pytest.raises(CommandError, match="forbidden.role"):
        call_command("catalog_import", "orgs", str(target), "--user", "handler")
    assert _state() == before
