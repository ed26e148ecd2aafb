"""XLSX and CSV exports hold exactly the selectors' numbers; scope; bad input (issue 5)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.core.sheets import without_banner
from haochaping.evaluations.guards import EVALUATION_GUARD
from haochaping.evaluations.models import Evaluation
from haochaping.stats import drill, exports, rules, selectors
from haochaping.stats.rules import Period
from haochaping.stats.tests.test_rollup_equals_raw import Simulation, town  # noqa: F401
from haochaping.stats.tests.test_selectors_api import _span
from tests.records import guard_lifted

URL = "/api/v1/stats/exports"


def _body(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _xlsx_rows(response: Any) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(_body(response)), read_only=True)
    return without_banner([list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)])


def _csv_rows(response: Any) -> list[list[str]]:
    raw = _body(response)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8 correctly
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _expected(rows: list[selectors.FigureRow], figure: rules.Figure) -> list[Any]:
    return [exports.number(r.figures[figure]) for r in rows]


def test_figures_xlsx_equals_the_selector(simulated: Simulation,  # noqa: F811
                                          client: Client) -> None:
    first, last = _span()
    people = simulated.town.people
    client.force_login(people.supervisor)
    response = client.get(f"{URL}/figures.xlsx", {"group_by": "org,period",
                                                  "period": "month", "start": first,
                                                  "end": last})
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    header, *lines = _xlsx_rows(response)
    rows = selectors.figures(actor_for_user(people.supervisor), group_by=("org", "period"),
                             period=Period.MONTH, start=first, end=last)
    assert header[:4] == ["部门编号", "部门", "统计周期", "非常满意"]
    assert len(lines) == len(rows) > 0
    col = {h: i for i, h in enumerate(header)}
    assert [ln[col["部门编号"]] for ln in lines] == [r.key["org"] for r in rows]
    assert [ln[col["统计周期"]] for ln in lines] == [r.key["period"].isoformat() for r in rows]
    for name, label in exports.COUNT_LABELS.items():
        assert [ln[col[label]] for ln in lines] == [getattr(r.counts, name) for r in rows]
    for figure in rules.Figure:
        assert [ln[col[rules.FIGURE_LABELS[figure]]] for ln in lines] == \
            _expected(rows, figure)
        previous = [exports.number(r.previous_figures.get(figure)) if r.previous
                    else exports.EMPTY for r in rows]
        assert [ln[col[f"上期{rules.FIGURE_LABELS[figure]}"]] for ln in lines] == previous


def test_figures_csv_equals_the_selector(simulated: Simulation,  # noqa: F811
                                         client: Client) -> None:
    first, last = _span()
    client.force_login(simulated.town.people.admin)
    response = client.get(f"{URL}/figures.csv", {"group_by": "channel", "period": "day",
                                                 "start": first, "end": last})
    assert response.status_code == 200
    # the stem, then the export's local time and its audit record (core.sheets.Provenance)
    assert re.search(rf'figures-{first}-{last}-\d{{14}}-\d+\.csv"$',
                     response["Content-Disposition"])
    header, *lines = _csv_rows(response)
    rows = selectors.figures(actor_for_user(simulated.town.people.admin),
                             group_by=("channel",), period=Period.DAY, start=first, end=last)
    col = {h: i for i, h in enumerate(header)}
    assert [ln[col["评价渠道"]] for ln in lines] == [exports.CHANNELS[r.key["channel"]]
                                                 for r in rows]
    assert [int(ln[col["非常不满意"]]) for ln in lines] == [r.counts.level_1 for r in rows]
    assert [ln[col["满意率"]] for ln in lines] == [
        str(v) for v in _expected(rows, rules.Figure.SATISFACTION)]


def test_exports_are_scoped_to_the_subtree(simulated: Simulation,  # noqa: F811
                                           client: Client) -> None:
    first, last = _span()
    people, loc = simulated.town.people, simulated.town.loc
    client.force_login(people.handler)
    response = client.get(f"{URL}/figures.xlsx", {"group_by": "org", "start": first,
                                                  "end": last})
    header, *lines = _xlsx_rows(response)
    assert {ln[0] for ln in lines} == {loc.market.pk}
    query = {"figure": "real_ratings", "start": first.isoformat(), "end": last.isoformat()}
    refused = client.get(f"{URL}/drilldown.csv", query)  # ratings: the office approves
    assert (refused.status_code, refused.json()["code"]) == (403, "export.approval_required")
    asked = client.post(f"{URL}/requests", {"kind": "drilldown", "query": query,
                                           "purpose": "本部门差评整改分析"},
                        content_type="application/json").json()
    office = Client()
    office.force_login(people.supervisor)
    decided = office.post(f"{URL}/requests/{asked['id']}/decide", {"approve": True},
                          content_type="application/json")
    assert decided.json()["status"] == "approved"
    drill = _csv_rows(client.get(f"{URL}/drilldown.csv", {**query, "approval": asked["id"]}))
    market = set(Evaluation.objects.filter(
        org=loc.market, is_current=True, invalidated_at=None, is_default=False
    ).values_list("public_id", flat=True))
    assert {ln[0] for ln in drill[1:]} == {str(p) for p in market}
    client.force_login(people.window_staff)
    refused = client.get(f"{URL}/figures.csv", {"start": first, "end": last})
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden.scope"


def test_drilldown_export_has_every_row_and_the_rater_masked(
        simulated: Simulation, client: Client) -> None:  # noqa: F811
    first, last = _span()
    admin = simulated.town.people.admin
    bad = Evaluation.objects.filter(level__lte=2, is_current=True, invalidated_at=None,
                                    is_default=False).select_related("rater").first()
    assert bad is not None
    with guard_lifted(EVALUATION_GUARD):  # as if rated with this text
        Evaluation.objects.filter(pk=bad.pk).update(text="=HYPERLINK(\"http://x\")")
    client.force_login(admin)
    response = client.get(f"{URL}/drilldown.xlsx", {"figure": "bad_reviews",
                                                    "start": first, "end": last})
    header, *lines = _xlsx_rows(response)
    ids = drill.drilldown(actor_for_user(admin), figure="bad_reviews", start=first,
                              end=last)
    assert [ln[0] for ln in lines] == [str(p) for p in Evaluation.objects.filter(
        pk__in=ids).order_by("-created_at", "-pk").values_list("public_id", flat=True)]
    row = next(ln for ln in lines if ln[0] == str(bad.public_id))
    assert row[header.index("文字评价")] == "'=HYPERLINK(\"http://x\")"
    assert row[header.index("评价人（脱敏）")] == bad.rater.name_masked != "张三"
    assert all("张三" not in str(cell) for ln in lines for cell in ln)


@pytest.mark.parametrize(("path", "params", "code", "field"), [
    ("figures.xlsx", {"group_by": "colour"}, "stats.group_by", "group_by"),
    ("figures.csv", {"start": "2025-02-01", "end": "2025-01-01"}, "stats.range", "start"),
    ("figures.csv", {"period": "fortnight"}, "invalid_request", "period"),
    ("figures.xlsx", {"start": "yesterday"}, "invalid_request", "start"),
    ("drilldown.csv", {"figure": "everything"}, "stats.figure", "figure"),
    ("drilldown.xlsx", {"figure": "bad_reviews", "start": "2025-02-01"}, "stats.range",
     "start"),
])
def test_bad_input_is_a_422_and_no_file(simulated: Simulation,  # noqa: F811
                                        client: Client, path: str, params: dict[str, str],
                                        code: str, field: str) -> None:
    client.force_login(simulated.town.people.supervisor)
    events = AuditEvent.objects.count()
    query = {"start": "2025-01-01", "end": "2025-01-31", **params}
    response = client.get(f"{URL}/{path}", query)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert "Content-Disposition" not in response
    body = response.json()
    assert body["code"] == code
    assert body["field"] == field
    assert AuditEvent.objects.count() == events


def test_a_filter_matching_nothing_is_an_empty_table(simulated: Simulation,  # noqa: F811
                                                     client: Client) -> None:
    first, last = _span()
    client.force_login(simulated.town.people.supervisor)
    response = client.get(f"{URL}/drilldown.xlsx", {"figure": "bad_reviews", "start": first,
                                                    "end": last, "channel": "pigeon"})
    assert response.status_code == 200
    assert _xlsx_rows(response) == [[h for _, h in exports.DRILL_COLUMNS]]


def test_formula_cells_are_neutralised() -> None:
    assert exports.safe("=1+1") == "'=1+1"
    assert exports.safe("-2") == "'-2"
    assert exports.safe("正常") == "正常"
    assert exports.safe(-2) == -2
