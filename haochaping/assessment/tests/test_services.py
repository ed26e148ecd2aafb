"""Services on a real database (both passes): the self-assessment's life (create,
publish, save, submit, return, submit again, score) and the third-party round's (sheet,
assign, record, return, accept, publish), their audit trail, refusals that change nothing,
and the figures the performance review reads."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from haochaping.appraisal.inputs import INPUTS
from haochaping.appraisal.rules import SubjectKind
from haochaping.assessment import figures, services, services_visits
from haochaping.assessment.models import SelfEntry
from haochaping.assessment.rules import ItemSpec
from haochaping.assessment.selectors import pending_counts
from haochaping.assessment.tests.conftest import (
    full_marks,
    published_form,
    round_with_visit,
    sheet,
    snapshot,
)
from haochaping.audit.models import AuditEvent
from haochaping.core.errors import AppError, Conflict, NotFound, PermissionDenied
from haochaping.core.localtime import SHANGHAI

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.filter(action__startswith="assessment.")
                .order_by("pk").values_list("action", flat=True))


def test_self_assessment_from_form_to_score(asm: SimpleNamespace) -> None:
    form = published_form(asm, asm.loc.market, asm.loc.district_hr)
    entry = SelfEntry.objects.get(form=form, org=asm.loc.market)
    assert entry.answers.count() == 7
    assert entry.state == "pending"
    marks = full_marks(entry)
    first = next(iter(marks))
    marks[first] = ("", "尚在整理")
    entry = services.self_entry_save(actor=asm.handler, entry_id=entry.pk, answers=marks,
                                     submit=False, now=asm.now)
    assert entry.state == "pending"
    with pytest.raises(AppError, match="请填写自评分"):
        services.self_entry_save(actor=asm.handler, entry_id=entry.pk, answers=marks,
                                 submit=True, now=asm.now)
    entry = services.self_entry_save(actor=asm.handler, entry_id=entry.pk,
                                     answers=full_marks(entry), submit=True, now=asm.now)
    assert entry.state == "submitted"
    assert entry.self_score == 100.0
    entry = services.self_entry_return(actor=asm.supervisor, entry_id=entry.pk,
                                       reason="请补充便民举措的佐证", now=asm.now)
    assert entry.state == "returned"
    entry = services.self_entry_save(actor=asm.head, entry_id=entry.pk,
                                     answers=full_marks(entry, "已补充：帮办代办记录"),
                                     submit=True, now=asm.now)
    scores = {k: (str(int(v[0]) - 3 if n == 0 else v[0]), "") for n, (k, v)
              in enumerate(full_marks(entry).items())}
    entry = services.self_entry_review(actor=asm.supervisor, entry_id=entry.pk, scores=scores,
                                       now=asm.now)
    assert entry.state == "scored"
    assert entry.score == 97.0
    assert actions() == ["assessment.form_create", "assessment.form_publish",
                         "assessment.entry_save", "assessment.entry_submit",
                         "assessment.entry_return", "assessment.entry_submit",
                         "assessment.entry_score"]
    assert figures.self_assessment_scores(date(2026, 10, 1), date(2026, 12, 31)) == {
        asm.loc.market.pk: 97.0}
    assert figures.self_assessment_scores(date(2026, 10, 2), date(2026, 12, 31)) == {}
    own = INPUTS["self_assessment"].by[SubjectKind.ORG]  # what the performance review reads
    assert own(date(2026, 10, 1), date(2026, 12, 31)) == {asm.loc.market.pk: 97.0}
    with pytest.raises(Conflict):
        services.self_entry_save(actor=asm.handler, entry_id=entry.pk,
                                 answers=full_marks(entry), submit=True, now=asm.now)


def test_bad_self_assessment_input_is_refused_and_changes_nothing(asm: SimpleNamespace) -> None:
    form = published_form(asm)
    entry = SelfEntry.objects.get(form=form)
    marks = full_marks(entry)
    first = next(iter(marks))
    before = snapshot()
    bad_calls = [
        lambda: services.self_form_create(actor=asm.supervisor, title="", start=date(2026, 10, 1),
                                          end=date(2026, 10, 31), deadline=date(2026, 11, 1),
                                          items=[ItemSpec("服务态度", 10)], now=asm.now),
        lambda: services.self_form_create(actor=asm.supervisor, title="自评",
                                          start=date(2026, 10, 1), end=date(2026, 10, 31),
                                          deadline=date(2026, 11, 1),
                                          items=[ItemSpec("服务态度", 0)], now=asm.now),
        lambda: services.self_form_publish(actor=asm.supervisor, form_id=form.pk,
                                           org_ids=[asm.loc.market.pk], now=asm.now),
        lambda: services.self_entry_save(actor=asm.handler, entry_id=entry.pk,
                                         answers={**marks, first: ("99", "")}, submit=False,
                                         now=asm.now),
        lambda: services.self_entry_save(actor=asm.handler, entry_id=entry.pk,
                                         answers={**marks, first: ("八", "")}, submit=False,
                                         now=asm.now),
        lambda: services.self_entry_save(actor=asm.handler, entry_id=entry.pk, answers=marks,
                                         submit=True, now=asm.now + timedelta(days=30)),
        lambda: services.self_entry_review(actor=asm.supervisor, entry_id=entry.pk,
                                           scores={}, now=asm.now),  # not submitted
        lambda: services.self_entry_return(actor=asm.supervisor, entry_id=entry.pk,
                                           reason="", now=asm.now),
    ]
    for call in bad_calls:
        with pytest.raises(AppError) as caught:
            call()
        assert caught.value.message
        assert not caught.value.message.isascii()
    assert snapshot() == before


def test_orgs_and_assessors_cannot_take_the_office_s_steps(asm: SimpleNamespace) -> None:
    form = published_form(asm, asm.loc.market, asm.loc.district_hr)
    mine = SelfEntry.objects.get(form=form, org=asm.loc.market)
    theirs = SelfEntry.objects.get(form=form, org=asm.loc.district_hr)
    before = snapshot()
    with pytest.raises(NotFound):  # another org's entry
        services.self_entry_save(actor=asm.handler, entry_id=theirs.pk,
                                 answers=full_marks(theirs), submit=True, now=asm.now)
    for actor in (asm.handler, asm.assessor, asm.window_staff, asm.admin):
        with pytest.raises(PermissionDenied):
            services.self_form_create(actor=actor, title="自评", start=date(2026, 10, 1),
                                      end=date(2026, 10, 31), deadline=date(2026, 11, 20),
                                      items=[ItemSpec("服务态度", 10)], now=asm.now)
    with pytest.raises(PermissionDenied):
        services.self_entry_save(actor=asm.assessor, entry_id=mine.pk,
                                 answers=full_marks(mine), submit=True, now=asm.now)
    with pytest.raises(NotFound):  # the district office does not review the city's form
        services.self_entry_return(actor=asm.district_supervisor, entry_id=theirs.pk,
                                   reason="x", now=asm.now)
    with pytest.raises(NotFound):  # not the district office's form
        services.self_form_publish(actor=asm.district_supervisor, form_id=form.pk,
                                   org_ids=[asm.loc.market.pk], now=asm.now)
    assert snapshot() == before


def test_third_party_round_from_sheet_to_published_scores(asm: SimpleNamespace) -> None:
    row, visit = round_with_visit(asm)
    when = datetime(2026, 11, 9, 9, 30, tzinfo=SHANGHAI)
    visit = services_visits.visit_record(actor=asm.assessor, visit_id=visit.pk, visited_at=when,
                                         scores=sheet(row, "15", "20"),
                                         remarks="窗口人员未主动一次性告知", now=asm.now)
    assert visit.state == "recorded"
    assert visit.score == 90.0
    visit = services_visits.visit_review(actor=asm.supervisor, visit_id=visit.pk, accept=False,
                                         reason="请补充走访时段")
    visit = services_visits.visit_record(actor=asm.assessor, visit_id=visit.pk, visited_at=when,
                                         scores=sheet(row, "16", "20"),
                                         remarks="上午九点半走访，窗口人员未主动一次性告知",
                                         now=asm.now)
    assert figures.third_party_scores(date(2026, 11, 1), date(2026, 11, 30)) == {}
    with pytest.raises(AppError, match="未审核通过"):
        services_visits.assessment_publish(actor=asm.supervisor, assessment_id=row.pk,
                                           summary="", now=asm.now)
    services_visits.visit_review(actor=asm.supervisor, visit_id=visit.pk, accept=True)
    services_visits.assessment_publish(actor=asm.supervisor, assessment_id=row.pk,
                                       summary="总体良好", now=asm.now)
    assert figures.third_party_scores(date(2026, 11, 1), date(2026, 11, 30)) == {
        ("org", asm.loc.market.pk): 91.0, ("window", asm.loc.window.pk): 91.0}
    assert figures.third_party_scores(date(2026, 11, 10), date(2026, 11, 30)) == {}
    third = INPUTS["third_party"].by[SubjectKind.ORG]  # what the performance review reads
    assert third(date(2026, 11, 1), date(2026, 11, 30)) == {asm.loc.market.pk: 91.0}
    assert actions() == ["assessment.round_create", "assessment.visit_assign",
                         "assessment.visit_record", "assessment.visit_return",
                         "assessment.visit_record", "assessment.visit_accept",
                         "assessment.round_publish"]
    with pytest.raises(Conflict):
        services_visits.visit_assign(actor=asm.supervisor, assessment_id=row.pk,
                                     assessor_id=asm.assessor_user.pk, window_id=asm.loc.window.pk)


def test_bad_visit_input_is_refused_and_changes_nothing(asm: SimpleNamespace) -> None:
    row, visit = round_with_visit(asm)
    ok = datetime(2026, 11, 9, 9, 30, tzinfo=SHANGHAI)
    before = snapshot()
    calls = [
        lambda: services_visits.visit_record(actor=asm.assessor, visit_id=visit.pk,
                                             visited_at=ok, scores=sheet(row, "21"),
                                             remarks="好", now=asm.now),
        lambda: services_visits.visit_record(actor=asm.assessor, visit_id=visit.pk,
                                             visited_at=ok, scores=sheet(row), remarks="",
                                             now=asm.now),
        lambda: services_visits.visit_record(actor=asm.assessor, visit_id=visit.pk,
                                             visited_at=datetime(2026, 10, 9, tzinfo=SHANGHAI),
                                             scores=sheet(row), remarks="好", now=asm.now),
        lambda: services_visits.visit_record(actor=asm.assessor, visit_id=visit.pk,
                                             visited_at=asm.now + timedelta(hours=1),
                                             scores=sheet(row), remarks="好", now=asm.now),
        lambda: services_visits.visit_record(actor=asm.other_assessor, visit_id=visit.pk,
                                             visited_at=ok, scores=sheet(row), remarks="好",
                                             now=asm.now),
        lambda: services_visits.visit_record(actor=asm.handler, visit_id=visit.pk,
                                             visited_at=ok, scores=sheet(row), remarks="好",
                                             now=asm.now),
        lambda: services_visits.visit_assign(actor=asm.supervisor, assessment_id=row.pk,
                                             assessor_id=asm.people.handler.pk,
                                             window_id=asm.loc.window.pk),
        lambda: services_visits.visit_assign(actor=asm.district_supervisor,
                                             assessment_id=row.pk,
                                             assessor_id=asm.assessor_user.pk,
                                             window_id=asm.loc.window.pk),
        lambda: services_visits.visit_review(actor=asm.supervisor, visit_id=visit.pk,
                                             accept=True),  # nothing recorded yet
        lambda: services_visits.visit_review(actor=asm.assessor, visit_id=visit.pk,
                                             accept=True),
        lambda: services_visits.assessment_publish(actor=asm.supervisor, assessment_id=row.pk,
                                                   summary="", now=asm.now),
        lambda: services_visits.assessment_create(actor=asm.assessor, title="自己组织",
                                                  kind="mystery", start=date(2026, 11, 1),
                                                  end=date(2026, 11, 30),
                                                  items=[ItemSpec("服务态度", 10)], now=asm.now),
    ]
    for call in calls:
        with pytest.raises(AppError) as caught:
            call()
        assert caught.value.message
        assert not caught.value.message.isascii()
    assert snapshot() == before


def test_pending_counts_for_each_home_page(asm: SimpleNamespace) -> None:
    form = published_form(asm, asm.loc.market, asm.loc.district_hr)
    row, _ = round_with_visit(asm)
    assert pending_counts(asm.handler) == [("待填报自评", 1, "/work/assessment/mine/")]
    assert pending_counts(asm.assessor) == [("待完成评估走访", 1, "/work/assessment/visits/")]
    assert pending_counts(asm.other_assessor)[0][1] == 0
    entry = SelfEntry.objects.get(form=form, org=asm.loc.market)
    services.self_entry_save(actor=asm.handler, entry_id=entry.pk, answers=full_marks(entry),
                             submit=True, now=asm.now)
    assert pending_counts(asm.supervisor) == [
        ("待审核自评", 1, "/work/assessment/"), ("待审核第三方走访", 0, "/work/assessment/rounds/")]
    assert pending_counts(asm.district_supervisor)[0][1] == 0  # not its form
    assert pending_counts(asm.window_staff) == []
    assert row.published_at is None
