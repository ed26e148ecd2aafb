"""The demo's spot checks (issue 15): a published plan with a finding of every kind, a
fake fix reopened, a denied rating invalidated, a plan still being checked, a draw that
replays, and demo_info pointing at them."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from haochaping.evaluations.models import Evaluation
from haochaping.supervision.models import CheckFinding, CheckPlan
from haochaping.supervision.rules import Finding
from haochaping.supervision.selectors import draw_replay
from haochaping.workorders.models import WorkOrderEvent


def test_a_published_plan_with_every_finding_and_a_fake_fix_reopened(built: str) -> None:
    plan = CheckPlan.objects.get(published_at__isnull=False)
    findings = CheckFinding.objects.filter(item__draw__plan=plan)
    assert {f.finding for f in findings} == {f.value for f in Finding}
    fake = findings.get(finding=Finding.FALSE_REPORT.value)
    assert fake.evidence_name == "现场照片.png"
    reopened = WorkOrderEvent.objects.get(order_id=fake.outcome["reopened"], action="reopen")
    assert (reopened.from_status, reopened.to_status) == ("closed", "returned")
    denied = findings.get(finding=Finding.NOT_CONFIRMED.value)
    rating = Evaluation.objects.get(pk=denied.outcome["invalidated"])
    assert rating.invalid_reason.startswith("核查抽查：")
    replay = draw_replay(plan.draw)
    assert (replay.same_candidates, replay.same_items) == (True, True)
    assert CheckPlan.objects.filter(published_at__isnull=True).exists()


def test_demo_info_points_at_the_spot_checks(built: str) -> None:
    out = StringIO()
    call_command("demo_info", port=8000, stdout=out)
    text = out.getvalue()
    assert "/work/supervision/" in text
    assert "虚报整改已退回重办" in text
