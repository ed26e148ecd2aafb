"""Services of the performance review on a real database (SQLite and PostgreSQL): sheets,
runs computed from the rows, publication frozen with its hash, privacy → bottom, the
bottom list and its plans; refusals change nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from haochaping.appraisal import inputs, selectors, services
from haochaping.appraisal.guards import GUARDS
from haochaping.appraisal.models import (
    ImprovementPlan,
    PublishedReview,
    PublishedRow,
    ReviewRun,
    ReviewSheet,
)
from haochaping.appraisal.rules import SubjectKind, Unit
from haochaping.appraisal.tests.conftest import Q1, Q2, Q3, org_sheet, staff_sheet
from haochaping.audit.models import AuditEvent
from haochaping.core import records
from haochaping.core.errors import AppError, Conflict, PermissionDenied, ValidationError
from haochaping.stats import snapshot_rules as sr

pytestmark = pytest.mark.django_db


def state() -> tuple[Any, ...]:
    """Everything a refused write must leave untouched."""
    return (list(ReviewSheet.objects.values()), list(ReviewRun.objects.values()),
            PublishedReview.objects.count(), PublishedRow.objects.count(),
            list(ImprovementPlan.objects.values()), AuditEvent.objects.count())


def names(run: ReviewRun) -> list[tuple[str, int | None, bool]]:
    return [(r["name"], r["rank"], r["at_bottom"]) for r in json.loads(run.content)["rows"]]


def test_sheet_create_is_audited(world: SimpleNamespace) -> None:
    sheet = org_sheet(world)
    assert [i.input_key for i in sheet.indicators.order_by("position")] == [
        "satisfaction", "overdue_orders", "spot_check_findings"]
    assert AuditEvent.objects.filter(action="appraisal.sheet_create").count() == 1


@pytest.mark.parametrize(("who", "kwargs", "error"), [
    ("head", {}, PermissionDenied),
    ("handler", {}, PermissionDenied),
    ("admin", {}, PermissionDenied),
    ("supervisor", {"indicators": [{"key": "satisfaction", "mode": "weight", "weight": 90}]},
     ValidationError),
    ("supervisor", {"indicators": [{"key": "nope", "mode": "weight", "weight": 100}]},
     ValidationError),
    ("supervisor", {"indicators": [{"key": "satisfaction", "mode": "weight", "weight": "x"}]},
     ValidationError),
    ("supervisor", {"subject_kind": "window"}, ValidationError),
    ("supervisor", {"title": " "}, ValidationError),
])
def test_sheet_refusals_change_nothing(world: SimpleNamespace, who: str,
                                       kwargs: dict[str, Any], error: type[AppError]) -> None:
    before = state()
    args: dict[str, Any] = {"title": "考核", "subject_kind": "org", "period_kind": "quarter",
                            "indicators": [{"key": "satisfaction", "mode": "weight",
                                            "weight": 100}], **kwargs}
    with pytest.raises(error) as caught:
        services.sheet_create(actor=getattr(world, who), now=world.now, **args)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)
    assert state() == before


def test_run_ranks_departments_from_the_statistics(world: SimpleNamespace) -> None:
    run = services.review_run(actor=world.supervisor, sheet=org_sheet(world), start=Q3,
                              now=world.now)
    assert names(run) == [("郑州市市场监督管理局", 1, False), ("郑州市税务局", 2, False),
                          ("金水区人力资源和社会保障局", 3, True)]
    doc = json.loads(run.content)
    assert doc["rows"][0]["values"]["satisfaction"] == 0.9
    assert doc["rows"][0]["score"] == 90.0
    assert run.sha256 == sr.sha256(run.content.encode("utf-8"))
    assert run.content.encode("utf-8") == sr.canonical(doc)


def test_staff_run_uses_ranking_positions(world: SimpleNamespace) -> None:
    run = services.review_run(actor=world.supervisor, sheet=staff_sheet(world), start=Q3,
                              now=world.now)
    rows = json.loads(run.content)["rows"]
    assert [(r["name"], r["values"]["ranking"]) for r in rows] == [
        ("王晓明", 1.0), ("赵敏", 2.0), ("李红", 3.0)]
    assert rows[0]["score"] == pytest.approx(70 * 0.9 + 30)
    assert rows[2]["score"] == pytest.approx(70 * 0.5)
    assert rows[2]["at_bottom"]


def test_privacy_violation_goes_to_the_bottom(world: SimpleNamespace) -> None:
    services.violation_record(actor=world.supervisor, org_id=world.loc.market.pk,
                              staff_id=None, occurred_on=date(2026, 8, 3),
                              description="将评价人电话告知第三方", now=world.now)
    run = services.review_run(actor=world.supervisor, sheet=org_sheet(world), start=Q3,
                              now=world.now)
    # the violator takes the last place, the bottom's one place (bottom count 1)
    assert names(run) == [("郑州市税务局", 1, False), ("金水区人力资源和社会保障局", 2, False),
                          ("郑州市市场监督管理局", 3, True)]
    assert json.loads(run.content)["rows"][2]["privacy"] == 1


def test_publish_freezes_the_review(world: SimpleNamespace) -> None:
    sheet = org_sheet(world)
    run = services.review_run(actor=world.supervisor, sheet=sheet, start=Q3, now=world.now)
    review = services.review_publish(actor=world.supervisor, run=run, now=world.now)
    assert (review.content, review.sha256) == (run.content, run.sha256)
    assert selectors.verified(review)
    assert PublishedRow.objects.filter(review=review, at_bottom=True).count() == 1
    before = state()
    with pytest.raises(Conflict):
        services.review_run(actor=world.supervisor, sheet=sheet, start=Q3, now=world.now)
    with pytest.raises(Conflict):
        services.review_publish(actor=world.supervisor, run=run, now=world.now)
    assert state() == before


def test_the_database_refuses_to_alter_a_published_review(world: SimpleNamespace) -> None:
    run = services.review_run(actor=world.supervisor, sheet=org_sheet(world), start=Q3,
                              now=world.now)
    review = services.review_publish(actor=world.supervisor, run=run, now=world.now)
    assert all(records.installed(connection, g) for g in GUARDS)
    for sql in ("UPDATE appraisal_publishedreview SET content = '{}' WHERE id = %s",
                "DELETE FROM appraisal_publishedreview WHERE id = %s",
                "UPDATE appraisal_publishedrow SET at_bottom = NOT at_bottom "
                "WHERE review_id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [review.pk])
    review.refresh_from_db()
    assert review.content == run.content
    assert selectors.verified(review)


def test_run_refuses_an_open_or_misaligned_period(world: SimpleNamespace) -> None:
    sheet = org_sheet(world)
    before = state()
    with pytest.raises(ValidationError, match="已经结束"):
        services.review_run(actor=world.supervisor, sheet=sheet,
                            start=date(world.now.year + 1, 1, 1), now=world.now)
    with pytest.raises(ValidationError, match="整季度"):
        services.review_run(actor=world.supervisor, sheet=sheet, start=date(2026, 2, 1),
                            now=world.now)
    with pytest.raises(PermissionDenied):
        services.review_run(actor=world.head, sheet=sheet, start=Q3, now=world.now)
    assert state() == before


def test_another_office_cannot_run_a_sheet_outside_its_subtree(world: SimpleNamespace
                                                               ) -> None:
    sheet = org_sheet(world)
    with pytest.raises(PermissionDenied):
        services.review_run(actor=world.district_supervisor, sheet=sheet, start=Q3,
                            now=world.now)


def _publish(world: SimpleNamespace, sheet: ReviewSheet, start: date) -> PublishedReview:
    run = services.review_run(actor=world.supervisor, sheet=sheet, start=start, now=world.now)
    return services.review_publish(actor=world.supervisor, run=run, now=world.now)


def test_bottom_list_plan_and_transfer(world: SimpleNamespace) -> None:
    sheet = org_sheet(world)
    first = _publish(world, sheet, Q1)
    assert selectors.bottom_list(world.supervisor, sheet) == []  # one period only
    second = _publish(world, sheet, Q2)
    [entry] = selectors.bottom_list(world.supervisor, sheet)
    assert (entry.review, entry.org_id, entry.name, entry.ranks, entry.status) == (
        second, world.loc.district_hr.pk, "金水区人力资源和社会保障局", [3, 3], "待制定整改计划")
    assert first.pk != second.pk
    with pytest.raises(ValidationError):  # not on the list
        services.plan_create(actor=world.supervisor, review=second,
                             org_id=world.loc.market.pk, staff_id=None, measures="整改",
                             deadline=None, now=world.now)
    plan = services.plan_create(actor=world.supervisor, review=second,
                                org_id=world.loc.district_hr.pk, staff_id=None,
                                measures="开展服务礼仪培训，每周通报差评整改", deadline=None,
                                now=world.now)
    assert plan.deadline == (world.now + timedelta(days=90)).astimezone(
        sr.rules.SHANGHAI).date()
    with pytest.raises(Conflict):
        services.plan_create(actor=world.supervisor, review=second,
                             org_id=world.loc.district_hr.pk, staff_id=None, measures="再次",
                             deadline=None, now=world.now)
    with pytest.raises(ValidationError, match="下一期"):
        services.plan_transfer(actor=world.supervisor, plan=plan, note="调离窗口岗位",
                               now=world.now)
    assert selectors.bottom_list(world.supervisor, sheet)[0].status == "限期整改中"
    _publish(world, sheet, Q3)
    entries = selectors.bottom_list(world.supervisor, sheet)
    assert [(e.review.start, e.status) for e in entries] == [
        (Q3, "待制定整改计划"), (Q2, "仍排名靠后，应予调换")]
    counts = selectors.office_counts(world.supervisor)
    assert [(label, n) for label, n, _ in counts] == [
        ("待发布的考核结果", 0), ("末位待制定整改计划", 1), ("末位应予调换", 1)]
    services.plan_transfer(actor=world.supervisor, plan=plan, note="调离窗口岗位",
                           now=world.now)
    assert selectors.bottom_list(world.supervisor, sheet)[1].status == "已调换"
    assert AuditEvent.objects.filter(action="appraisal.plan_transfer").count() == 1


def test_departments_see_nothing(world: SimpleNamespace) -> None:
    sheet = org_sheet(world)
    _publish(world, sheet, Q2)
    _publish(world, sheet, Q3)
    services.review_run(actor=world.supervisor, sheet=staff_sheet(world), start=Q3,
                        now=world.now)
    for who in ("head", "handler", "outsider", "window_staff", "auditor", "admin"):
        actor = getattr(world, who)
        assert not selectors.visible_sheets(actor).exists()
        assert selectors.bottom_list(actor, sheet) == []
        assert selectors.office_counts(actor) == []
        assert not selectors.violations(actor).exists()
    assert not selectors.visible_sheets(world.district_supervisor).exists()
    assert selectors.bottom_list(world.district_supervisor, sheet) == []


def test_violation_refusals(world: SimpleNamespace) -> None:
    before = state()
    for kwargs in ({"org_id": 999999}, {"staff_id": world.zhao.pk},
                   {"occurred_on": world.now.date() + timedelta(days=2)}, {"description": ""}):
        args: dict[str, Any] = {"org_id": world.loc.market.pk, "staff_id": None,
                                "occurred_on": date(2026, 8, 1), "description": "泄露",
                                **kwargs}
        with pytest.raises(ValidationError):
            services.violation_record(actor=world.supervisor, now=world.now, **args)
    with pytest.raises(PermissionDenied):
        services.violation_record(actor=world.head, org_id=world.loc.market.pk,
                                  staff_id=None, occurred_on=date(2026, 8, 1),
                                  description="泄露", now=world.now)
    assert state() == before


def test_a_new_input_is_one_registry_entry(world: SimpleNamespace,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """How the lead wires ``assessment.figures.self_assessment_scores``: one entry."""
    scores = {world.loc.market.pk: 85.0, world.tax.pk: 60.0}
    monkeypatch.setitem(inputs.INPUTS, "self_assessment", inputs.Input(
        "self_assessment", "自评得分", Unit.SCORE,
        {SubjectKind.ORG: lambda start, end: scores}))
    sheet = services.sheet_create(
        actor=world.supervisor, title="含自评", subject_kind="org", period_kind="quarter",
        indicators=[{"key": "satisfaction", "mode": "weight", "weight": 50},
                    {"key": "self_assessment", "mode": "weight", "weight": 50}], now=world.now)
    run = services.review_run(actor=world.supervisor, sheet=sheet, start=Q3, now=world.now)
    rows = {r["code"]: r for r in json.loads(run.content)["rows"]}
    assert rows["MARKET"]["score"] == pytest.approx(50 * 0.9 + 50 * 0.85)
    assert rows["DISTHR"]["score"] == pytest.approx(50.0)  # no self-assessment: rescaled
    with pytest.raises(ValidationError, match="不适用"):
        services.sheet_create(actor=world.supervisor, title="人员自评", subject_kind="staff",
                              period_kind="quarter",
                              indicators=[{"key": "self_assessment", "mode": "weight",
                                           "weight": 100}], now=world.now)
