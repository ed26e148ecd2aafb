"""Exports stay writable and safe whatever the rows hold (issue 17, ``core.sheets``): a
control character stored before the edge cleaned input made every XLSX export of that
table answer 500; formula-like cells are neutralised in XLSX and CSV; every export is
audited and an XLSX names who exported it and when."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook

from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import Org
from haochaping.catalog.rules.standards import Channel
from haochaping.core.localtime import SHANGHAI
from haochaping.core.sheets import without_banner
from haochaping.evaluations.guards import EVALUATION_GUARD
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from tests.factories import logged_in
from tests.records import guard_lifted

pytestmark = pytest.mark.django_db

LEGACY_NAME = "市场\x0b监管\x01局"  # as an old row may hold it (no edge cleaned it then)


def _workbook(response: Any) -> Any:
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)
                                    if response.streaming else response.content))


def _rows(response: Any) -> list[list[Any]]:
    return without_banner([list(r) for r in
                           _workbook(response).worksheets[0].iter_rows(values_only=True)])


def _csv(response: Any) -> list[list[str]]:
    body = (b"".join(response.streaming_content) if response.streaming
            else response.content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def legacy(locality: SimpleNamespace, django_capture_on_commit_callbacks: Any
           ) -> SimpleNamespace:
    """A rating with formula-like text and an org whose stored name holds controls."""
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    handling = ef.make_handling(locality, client=source, rater=ef.make_rater())
    with django_capture_on_commit_callbacks(execute=True):
        [rating] = evaluation_submit(handling=handling, channel=Channel.WEB,
                                     rating=RatingInput(1, reason_codes=["108"], text="差"))
    with guard_lifted(EVALUATION_GUARD):  # as if rated with this text
        Evaluation.objects.filter(pk=rating.pk).update(text="=cmd|' /C calc'!A0\x07")
    Org.objects.filter(pk=locality.market.pk).update(name=LEGACY_NAME)
    day = rating.created_at.astimezone(SHANGHAI).date()
    return SimpleNamespace(rating=rating, day=day)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_stored_control_character_no_longer_breaks_the_catalog_export(
        personas: SimpleNamespace, legacy: SimpleNamespace, fmt: str) -> None:
    events = AuditEvent.objects.filter(action="catalog.export").count()
    response = logged_in(personas.supervisor).get(f"/api/v1/catalog/export/orgs?format={fmt}")
    assert response.status_code == 200
    rows = _rows(response) if fmt == "xlsx" else _csv(response)
    assert ["市场监管局" in str(cell) for row in rows for cell in row].count(True) == 1
    event = AuditEvent.objects.filter(action="catalog.export").latest("pk")
    assert AuditEvent.objects.filter(action="catalog.export").count() == events + 1
    assert (event.actor_label, event.after["entity"], event.after["format"]) == (
        personas.supervisor.username, "orgs", fmt)
    assert event.after["rows"] == len(rows) - 1


def test_drilldown_xlsx_with_stored_controls_is_written_neutralised_and_signed(
        personas: SimpleNamespace, legacy: SimpleNamespace) -> None:
    response = logged_in(personas.supervisor).get(
        "/api/v1/stats/exports/drilldown.xlsx",
        {"figure": "bad_reviews", "start": legacy.day, "end": legacy.day})
    assert response.status_code == 200, response.content
    book = _workbook(response)
    read = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    header, *lines = without_banner(read)
    [line] = lines
    assert "生成时间：" in read[1][0]  # the banner names the export's time too
    assert line[header.index("文字评价")] == "'=cmd|' /C calc'!A0"
    assert line[header.index("被评价部门")] == "市场监管局"
    event = AuditEvent.objects.filter(action="stats.export").latest("pk")
    props = book.properties
    assert props.creator == event.actor_label == personas.supervisor.username
    assert props.identifier == str(event.pk)
    assert f"导出人：{event.actor_label}" in props.description
    assert event.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") in props.description
    assert str(event.pk) in response["Content-Disposition"]


def test_drilldown_csv_neutralises_formula_cells(personas: SimpleNamespace,
                                                legacy: SimpleNamespace) -> None:
    response = logged_in(personas.supervisor).get(
        "/api/v1/stats/exports/drilldown.csv",
        {"figure": "bad_reviews", "start": legacy.day, "end": legacy.day})
    header, line = _csv(response)
    assert line[header.index("文字评价")] == "'=cmd|' /C calc'!A0"


def test_an_exported_catalog_reimports_unchanged(personas: SimpleNamespace,
                                                 locality: SimpleNamespace) -> None:
    """The apostrophe before a formula-like cell is the export's, not the data's."""
    Org.objects.filter(pk=locality.market.pk).update(name="-市场监管局", short_name="'=x")
    client = logged_in(personas.supervisor)
    for fmt in ("csv", "xlsx"):
        exported = client.get(f"/api/v1/catalog/export/orgs?format={fmt}")
        rows = _rows(exported) if fmt == "xlsx" else _csv(exported)
        assert any(cell == "'-市场监管局" for row in rows for cell in row)
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile(f"orgs.{fmt}", exported.content)
        report = client.post("/api/v1/catalog/import/orgs", {"file": upload}).json()
        assert report["ok"], report
        assert (report["updated"], report["created"]) == (0, 0), (fmt, rows)
    assert Org.objects.get(pk=locality.market.pk).name == "-市场监管局"
    assert Org.objects.get(pk=locality.market.pk).short_name == "'=x"
