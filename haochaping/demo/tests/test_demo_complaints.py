"""The demo's 咨询投诉建议 and 综合点评 (issue 14): every kind, channel and state, refusals
of every category of seed 004 §5, and where the demo logins land."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from haochaping.complaints.models import Submission
from haochaping.complaints.rules.kinds import Channel, Status, SubmissionKind
from haochaping.complaints.rules.reasons import REASONS, Category

pytestmark = pytest.mark.django_db


def test_every_kind_channel_and_state_is_in_the_demo(built: str) -> None:
    items = Submission.objects.all()
    assert set(items.values_list("kind", flat=True)) == {k.value for k in SubmissionKind}
    assert set(items.values_list("channel", flat=True)) == {c.value for c in Channel}
    assert set(items.values_list("status", flat=True)) == {s.value for s in Status}
    assert items.filter(urgency="urgent").exists()
    assert items.filter(staff__isnull=False, kind="complaint").exists()
    months = {d.strftime("%Y-%m") for d in items.values_list("received_at", flat=True)}
    assert len(months) >= 6


def test_refusals_cover_every_category_with_petition_and_abuse(built: str) -> None:
    refused = set(Submission.objects.filter(status="refused").values_list("reason", flat=True))
    assert {"petition", "abuse", "security", "no_content"} <= refused
    assert {REASONS[r].category for r in refused} == set(Category)
    # the machine refused some, the office others from its triage queue
    deciders = set(Submission.objects.filter(status="refused")
                   .values_list("decided_by__username", flat=True))
    assert {None, "supervisor"} <= deciders


def test_answered_items_have_their_work_order_closed(built: str) -> None:
    answered = Submission.objects.filter(status__in=["answered", "closed", "reopened"])
    assert answered.count() > 20
    assert all(i.order is not None and i.order.status == "closed"
               for i in answered.select_related("order"))
    assert Submission.objects.filter(status="dispatched", order__isnull=False).exists()
    merged = Submission.objects.get(status="merged")
    assert merged.merged_into is not None


def test_demo_info_says_where_to_look(built: str) -> None:
    out = StringIO()
    call_command("demo_info", port=8000, stdout=out)
    text = out.getvalue()
    assert "/tousu/" in text
    assert "/work/complaints/" in text
    assert "/work/complaints/entry/" in text
    assert "monitor" in text


@pytest.mark.parametrize(("username", "landing"), [
    ("monitor", "/work/complaints/mine/"),
    ("supervisor", "/"),
    ("handler", "/"),
    ("head", "/"),
])
def test_demo_logins_land_where_they_should(built: str, client: Client, username: str,
                                            landing: str) -> None:
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    last = response.redirect_chain[-1][0] if response.redirect_chain else "/"
    assert last == landing


def test_the_demo_monitor_sees_their_own_items_only(built: str, client: Client) -> None:
    monitor: Any = get_user_model().objects.get(username="monitor")
    mine = Submission.objects.filter(filed_by=monitor)
    others = Submission.objects.exclude(filed_by=monitor).filter(status="closed").first()
    assert mine.exists()
    assert others is not None
    client.force_login(monitor)
    page = client.get("/work/complaints/mine/").content.decode()
    assert all(i.ref in page for i in mine)
    assert others.ref not in page
