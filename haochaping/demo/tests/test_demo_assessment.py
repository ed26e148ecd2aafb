"""The demo's self- and third-party assessment (issue 15): entries scored, one returned,
one to fill; a published round on the public page, one with visits still to do; the
assessor login apart from management; demo_info listing it."""

from __future__ import annotations

from io import StringIO

from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from haochaping.accounts.models import User
from haochaping.accounts.scoping import actor_for_user
from haochaping.assessment.models import Assessment, SelfEntry
from haochaping.assessment.selectors import pending_counts


def test_self_assessments_scored_returned_and_to_fill(built: str) -> None:
    states = sorted(SelfEntry.objects.values_list("state", flat=True))
    assert states.count("scored") == 3
    assert states.count("returned") == 1
    assert "pending" in states
    handler = actor_for_user(User.objects.get(username="handler"))
    assert ("待填报自评", 1, "/work/assessment/mine/") in pending_counts(handler)


def test_a_published_round_and_the_assessor_apart(built: str) -> None:
    published = Assessment.objects.get(published_at__isnull=False)
    assert published.visits.filter(state="accepted").count() == published.visits.count() > 0
    assessor = User.objects.get(username="assessor")
    assert assessor.role == "auditor"
    assert assessor.org.parent_id is None
    counts = pending_counts(actor_for_user(assessor))
    assert counts[0][0] == "待完成评估走访"
    assert counts[0][1] > 0
    cache.clear()
    page = Client().get("/gongshi/assessments/").content.decode()
    assert published.title in page


def test_demo_info_lists_the_assessor_login(built: str) -> None:
    out = StringIO()
    call_command("demo_info", port=8000, stdout=out)
    text = out.getvalue()
    assert "assessor" in text
    assert "/gongshi/assessments/" in text
