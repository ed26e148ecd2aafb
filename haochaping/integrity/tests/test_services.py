"""防刷评 services on a real database: the scan (every planted case flagged, once per
signal, by the periodic job too), the office's decision (audited, once, a confirmed fraud
invalidated on request, in the figures), the registered phones and networks; refusals
change nothing."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.appraisal.inputs import INPUTS
from haochaping.appraisal.rules import SubjectKind
from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import Org, PolicyOverride
from haochaping.core.errors import AppError
from haochaping.core.jobs import JOBS
from haochaping.demo.integrity import STAFF_PHONE, Planted
from haochaping.evaluations.models import Evaluation
from haochaping.integrity import figures, selectors, tasks
from haochaping.integrity.models import Flag, NetworkRange, Review, StaffPhone
from haochaping.integrity.rules import Signal
from haochaping.integrity.services import (
    network_add,
    review_decide,
    scan,
    staff_phone_add,
    staff_phone_remove,
)
from haochaping.integrity.tests.conftest import snapshot

pytestmark = pytest.mark.django_db


def refused(code: str, fn: Any, **kw: Any) -> None:
    before = snapshot()
    with pytest.raises(AppError) as exc:
        fn(**kw)
    assert exc.value.code == code
    assert snapshot() == before


def test_the_scan_flags_every_planted_case_once(ig: SimpleNamespace, planted: Planted) -> None:
    invalid = Evaluation.objects.filter(invalidated_at__isnull=False).count()
    counts = scan(now=ig.now)
    for signal in Signal:
        flagged = set(Flag.objects.filter(signal=signal.value)
                      .values_list("evaluation_id", flat=True))
        assert planted[signal] <= flagged, signal
        assert counts[signal] == len(flagged)
    total = Flag.objects.count()
    assert set(scan(now=ig.now).values()) == {0}  # idempotent: nothing new
    assert Flag.objects.count() == total
    assert AuditEvent.objects.filter(action="integrity.scan").count() == 1
    flag = Flag.objects.filter(signal=Signal.QUICK_LINKED.value, details__has_key="staff").first()
    assert flag is not None
    assert "139****0000" in flag.explanation
    assert STAFF_PHONE not in flag.explanation  # never the number itself
    # the scan decides nothing (the one invalid rating is the one the rater denied)
    assert Evaluation.objects.filter(invalidated_at__isnull=False).count() == invalid == 1


def test_the_periodic_job_runs_the_scan(ig: SimpleNamespace, planted: Planted) -> None:
    [job] = [j for j in JOBS if j.name == "integrity.scan"]
    assert job.task == "haochaping.integrity.tasks.scan"
    result = tasks.scan.call(ig.now.isoformat())
    assert "quick_linked 4," in result
    assert "off_hours 6" in result
    assert tasks.scan.call(ig.now.isoformat()).count(" 0") == len(Signal)


def test_a_confirmed_fraud_is_audited_invalidated_and_counted(ig: SimpleNamespace,
                                                              planted: Planted) -> None:
    scan(now=ig.now)
    pk = min(planted[Signal.QUICK_LINKED])
    review = review_decide(actor=ig.supervisor, evaluation_id=pk, decision="confirmed",
                           deduction="2.5", note="调取视频监控，确认工作人员代评",
                           invalidate=True, now=ig.now)
    assert review.invalidated
    rating = Evaluation.objects.get(pk=pk)
    assert rating.invalidated_at is not None
    assert rating.invalid_reason.startswith("防刷评核查认定刷评")
    audit = AuditEvent.objects.get(action="integrity.decide")
    assert audit.after["deduction"] == "2.50"
    assert Signal.QUICK_LINKED.value in audit.after["signals"]
    day = ig.now.date()
    start = date(day.year, day.month, 1)
    assert figures.confirmed_fraud_by_org(start, day) == {rating.org_id: 2.5}
    assert figures.confirmed_fraud_by_staff(start, day) == {rating.staff_id: 2.5}
    assert figures.confirmed_fraud_by_org(date(2026, 1, 1), date(2026, 1, 31)) == {}
    # the performance review reads the same deduction (appraisal.inputs)
    fraud = INPUTS["confirmed_fraud"].by
    assert fraud[SubjectKind.ORG](start, day) == {rating.org_id: 2.5}
    assert fraud[SubjectKind.STAFF](start, day) == {rating.staff_id: 2.5}
    refused("integrity.decided", review_decide, actor=ig.supervisor, evaluation_id=pk,
            decision="cleared", deduction="", note="再次核查", invalidate=False, now=ig.now)
    assert pk not in {row["evaluation"].pk for row in selectors.queue(ig.supervisor)}


def test_a_cleared_rating_stays_valid_and_leaves_the_queue(ig: SimpleNamespace,
                                                           planted: Planted) -> None:
    scan(now=ig.now)
    pk = min(planted[Signal.OFF_HOURS])
    before = selectors.pending_count(ig.supervisor)
    review_decide(actor=ig.supervisor, evaluation_id=pk, decision="cleared", deduction="",
                  note="延时服务期间的正常评价", invalidate=False, now=ig.now)
    assert Evaluation.objects.get(pk=pk).invalidated_at is None
    assert selectors.pending_count(ig.supervisor) == before - 1
    assert figures.confirmed_fraud_by_org(date(2026, 11, 1), date(2026, 11, 30)) == {}


def test_bad_decisions_change_nothing(ig: SimpleNamespace, planted: Planted) -> None:
    scan(now=ig.now)
    pk = min(planted[Signal.UNIFORM])
    kw = {"evaluation_id": pk, "note": "核查", "invalidate": False, "now": ig.now}
    refused("integrity.decision", review_decide, actor=ig.supervisor, decision="confirmed",
            deduction="", **kw)
    refused("integrity.decision", review_decide, actor=ig.supervisor, decision="confirmed",
            deduction="1000", **kw)
    refused("integrity.deduction", review_decide, actor=ig.supervisor, decision="confirmed",
            deduction="两分", **kw)
    refused("integrity.decision", review_decide, actor=ig.supervisor, decision="cleared",
            deduction="3", **kw)
    refused("integrity.invalidate", review_decide, actor=ig.supervisor, decision="cleared",
            deduction="", **{**kw, "invalidate": True})
    # a department, its head and window staff cannot decide; another office's subtree
    # does not hold the market's ratings
    for who in ("handler", "head", "window_staff", "auditor", "admin"):
        refused("forbidden.role", review_decide, actor=getattr(ig, who), decision="cleared",
                deduction="", **kw)
    refused("integrity.not_found", review_decide, actor=ig.district_supervisor,
            decision="cleared", deduction="", **kw)
    unflagged = Evaluation.objects.exclude(pk__in=Flag.objects.values("evaluation_id")).first()
    if unflagged is not None:
        refused("integrity.not_found", review_decide, actor=ig.supervisor, decision="cleared",
                deduction="", **{**kw, "evaluation_id": unflagged.pk})


def test_staff_phones_are_stored_as_index_and_mask(ig: SimpleNamespace) -> None:
    staff = ig.staff[3]
    row = staff_phone_add(actor=ig.supervisor, staff_no=staff.staff_no, phone="139 0371 5555",
                          now=ig.now)
    assert row.phone_masked == "139****5555"
    assert "5555" not in row.phone_index
    assert len(row.phone_index) == 64
    audit = AuditEvent.objects.get(action="integrity.phone_add")
    assert "13903715555" not in str(audit.after)
    refused("integrity.phone_exists", staff_phone_add, actor=ig.supervisor,
            staff_no=staff.staff_no, phone="13903715555", now=ig.now)
    refused("integrity.phone", staff_phone_add, actor=ig.supervisor, staff_no=staff.staff_no,
            phone="12345", now=ig.now)
    refused("integrity.staff", staff_phone_add, actor=ig.supervisor, staff_no="NOBODY",
            phone="13903715556", now=ig.now)
    market_staff = next(s for s in ig.staff if s.org_id == ig.loc.market.pk)
    refused("integrity.staff", staff_phone_add, actor=ig.district_supervisor,
            staff_no=market_staff.staff_no, phone="13903715556", now=ig.now)
    refused("forbidden.role", staff_phone_add, actor=ig.handler, staff_no=staff.staff_no,
            phone="13903715556", now=ig.now)
    refused("forbidden.scope", staff_phone_remove, actor=ig.district_supervisor, pk=row.pk)
    staff_phone_remove(actor=ig.supervisor, pk=row.pk)
    assert not StaffPhone.objects.exists()


def test_networks_are_checked_and_scoped(ig: SimpleNamespace) -> None:
    window = ig.staff[1].window
    row = network_add(actor=ig.supervisor, place=f"w:{window.pk}", cidr="10.9.8.77/24",
                      note="工作电脑", now=ig.now)
    assert row.cidr == "10.9.8.0/24"
    kw = {"note": "", "now": ig.now}
    refused("integrity.network", network_add, actor=ig.supervisor, place=f"w:{window.pk}",
            cidr="10.0.0.0/8", **kw)
    refused("integrity.network", network_add, actor=ig.supervisor, place=f"w:{window.pk}",
            cidr="十点九", **kw)
    refused("integrity.place", network_add, actor=ig.supervisor, place="x:1",
            cidr="10.9.9.0/24", **kw)
    market_window = next(s.window for s in ig.staff if s.org_id == ig.loc.market.pk)
    refused("forbidden.scope", network_add, actor=ig.district_supervisor,
            place=f"w:{market_window.pk}", cidr="10.9.9.0/24", **kw)
    assert NetworkRange.objects.count() == 1
    assert Review.objects.count() == 0


def _quick_with_override(ig: SimpleNamespace, planted: Planted, *, on_rated: bool,
                         ) -> tuple[set[int], set[int]]:
    """Scan with ``integrity_quick_seconds`` set to 1 s on the org of the planted quick
    ratings (``on_rated``) or on another org: (the planted quick ratings, those flagged)."""
    quick = planted[Signal.QUICK_LINKED]
    orgs = set(Evaluation.objects.filter(pk__in=quick).values_list("org_id", flat=True))
    target = (Org.objects.filter(pk__in=orgs) if on_rated
              else Org.objects.filter(kind="handling").exclude(pk__in=orgs)).first()
    assert target is not None
    PolicyOverride.objects.create(org=target, key="integrity_quick_seconds", value=1)
    scan(now=ig.now)
    return quick, set(Flag.objects.filter(signal=Signal.QUICK_LINKED.value)
                      .values_list("evaluation_id", flat=True))


def test_a_subtrees_own_threshold_decides_its_ratings(ig: SimpleNamespace,
                                                      planted: Planted) -> None:
    quick, flagged = _quick_with_override(ig, planted, on_rated=True)
    assert quick
    assert not quick & flagged  # rated seconds after completion, never within 1 s
    # the other signals still follow the deployment's thresholds
    for signal in set(Signal) - {Signal.QUICK_LINKED}:
        assert planted[signal] <= set(Flag.objects.filter(signal=signal.value)
                                      .values_list("evaluation_id", flat=True)), signal


def test_another_subtrees_threshold_leaves_these_ratings_alone(ig: SimpleNamespace,
                                                               planted: Planted) -> None:
    quick, flagged = _quick_with_override(ig, planted, on_rated=False)
    assert quick <= flagged
