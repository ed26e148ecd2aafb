"""The demo's performance review (issue 15): quarterly sheets of departments and staff
each published twice and verifiable, a privacy violation at the bottom, the bottom list
with an improvement plan, and demo_info pointing at them."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command

from haochaping.accounts.models import User
from haochaping.accounts.scoping import actor_for_user
from haochaping.appraisal import selectors
from haochaping.appraisal.models import ImprovementPlan, PrivacyViolation, PublishedReview


def test_published_reviews_bottom_list_and_plan(built: str) -> None:
    reviews = list(PublishedReview.objects.select_related("sheet"))
    assert len(reviews) == 4
    assert {r.sheet.subject_kind for r in reviews} == {"org", "staff"}
    assert all(selectors.verified(r) for r in reviews)
    violation = PrivacyViolation.objects.get()
    latest = max((r for r in reviews if r.sheet.subject_kind == "staff"), key=lambda r: r.start)
    row = next(r for r in json.loads(latest.content)["rows"] if r["key"] == violation.staff_id)
    assert row["privacy"] == 1
    assert row["at_bottom"]
    plan = ImprovementPlan.objects.get()
    office = actor_for_user(User.objects.get(username="supervisor"))
    entries = selectors.bottom_list(office, plan.sheet)
    assert any(e.plan == plan and e.status == "限期整改中" for e in entries)


def test_demo_info_points_at_the_review(built: str) -> None:
    out = StringIO()
    call_command("demo_info", port=8000, stdout=out)
    text = out.getvalue()
    assert "/work/appraisal/bottom/" in text
    assert "SHA-256" in text
