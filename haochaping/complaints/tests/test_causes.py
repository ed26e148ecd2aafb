"""An item's cause (问题类别, issue 14 §7 举一反三): the taxonomy and its mapping of the
national bad-rating content items, the cause given at intake on every channel, and the
office setting or correcting it (audited, on the timeline; nobody else may)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.standards import BAD_LEVELS
from haochaping.complaints.models import Submission, SubmissionEvent
from haochaping.complaints.rules.causes import (
    CAUSE_HINTS,
    CAUSE_LABELS,
    RATING_CODE_CAUSES,
    Cause,
    cause_label,
    parse_cause,
    rating_causes,
)
from haochaping.complaints.services.causes import submission_set_cause
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.core.errors import AppError, ValidationError

TEXT = "在市场监管局窗口办理食品经营许可时，窗口人员态度生硬，多次催促也不解释，希望改进。"
# The national standards as the project ships them (catalog migration 0002 loads them).
STANDARDS = Path(__file__).resolve().parents[2] / "catalog" / "data" / "standards.json"


def test_every_cause_has_a_chinese_label_and_hint() -> None:
    assert set(CAUSE_LABELS) == set(Cause) == set(CAUSE_HINTS)
    assert all(re.search(r"[\u4e00-\u9fff]", CAUSE_LABELS[c]) for c in Cause)
    assert cause_label("") == "未分类"
    assert cause_label("attitude") == "服务态度"


def test_every_national_bad_content_item_maps_to_a_cause() -> None:
    versions = json.loads(STANDARDS.read_text(encoding="utf-8"))["versions"]
    current = next(v for v in versions if v["active"])
    codes = {i["code"] for i in current["items"] if i["level"] in {int(b) for b in BAD_LEVELS}}
    assert len(codes) == 16, "the current version's 2xx and 1xx items (NATIONAL.md)"
    assert codes <= set(RATING_CODE_CAUSES)
    assert rating_causes(["214", "115", "413"]) == {Cause.ATTITUDE}  # 413 is a good item
    assert rating_causes(["nope"]) == set()


@given(st.sampled_from(list(Cause)))
def test_parse_round_trips(cause: Cause) -> None:
    assert parse_cause(cause.value) is cause
    assert parse_cause(f" {cause.value} ") is cause


@given(st.text(max_size=20))
def test_parse_accepts_only_known_codes(value: str) -> None:
    if value.strip() in {c.value for c in Cause}:
        assert parse_cause(value) is not None
    elif not value.strip():
        assert parse_cause(value) is None
    else:
        with pytest.raises(ValueError, match="is not a valid Cause"):
            parse_cause(value)


@pytest.mark.django_db
def test_intake_stores_the_cause_and_refuses_a_bad_one(locality: SimpleNamespace) -> None:
    item = submission_receive(kind="complaint", channel="web", content=TEXT,
                              subject=Subject(matter=locality.matter), cause="attitude")
    assert item.cause == "attitude"
    assert item.events.first().payload["cause"] == "attitude"
    before = (Submission.objects.count(), SubmissionEvent.objects.count())
    with pytest.raises(ValidationError) as err:
        submission_receive(kind="complaint", channel="web", content=TEXT,
                           subject=Subject(matter=locality.matter), cause="rude")
    assert err.value.code == "complaint.invalid_cause"
    assert (Submission.objects.count(), SubmissionEvent.objects.count()) == before
    plain = submission_receive(kind="inquiry", channel="web", content=TEXT,
                               subject=Subject(matter=locality.matter))
    assert plain.cause == ""


@pytest.mark.django_db
def test_the_office_sets_and_corrects_the_cause(locality: SimpleNamespace,
                                               personas: SimpleNamespace) -> None:
    item = submission_receive(kind="complaint", channel="web", content=TEXT,
                              subject=Subject(matter=locality.matter))
    office = actor_for_user(personas.supervisor)
    now = timezone.now()
    item = submission_set_cause(item, actor=office, cause="attitude", now=now)
    item = submission_set_cause(item, actor=office, cause="efficiency", now=now)
    submission_set_cause(item, actor=office, cause="efficiency", now=now)  # no change
    item.refresh_from_db()
    assert item.cause == "efficiency"
    events = list(item.events.filter(action="set_cause"))
    assert [e.payload for e in events] == [{"from": "", "to": "attitude"},
                                           {"from": "attitude", "to": "efficiency"}]
    assert all(not e.public_note for e in events)  # internal, not on the tracking page
    audits = AuditEvent.objects.filter(action="complaint.set_cause")
    assert audits.count() == 2
    with pytest.raises(ValidationError):
        submission_set_cause(item, actor=office, cause="bogus", now=now)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["handler", "head", "district_supervisor"])
def test_nobody_else_sets_the_cause(locality: SimpleNamespace, personas: SimpleNamespace,
                                    who: str) -> None:
    item = submission_receive(kind="complaint", channel="web", content=TEXT,
                              subject=Subject(matter=locality.matter), cause="attitude")
    with pytest.raises(AppError):
        submission_set_cause(item, actor=actor_for_user(getattr(personas, who)),
                             cause="fees", now=timezone.now())
    item.refresh_from_db()
    assert item.cause == "attitude"
    assert not AuditEvent.objects.filter(action="complaint.set_cause").exists()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_office_screen_and_entry_form(locality: SimpleNamespace,
                                      personas: SimpleNamespace) -> None:
    item = submission_receive(kind="complaint", channel="hotline", content=TEXT,
                              subject=Subject(matter=locality.matter))
    client = _client(personas.supervisor)
    page = client.get(f"/work/complaints/{item.pk}/").content.decode()
    assert 'data-testid="cause-form"' in page
    assert "未分类" in page
    done = client.post(f"/work/complaints/{item.pk}/act/cause", {"cause": "queueing"},
                       HTTP_HX_REQUEST="true")
    assert done.status_code == 200
    assert "窗口设置与排队" in done.content.decode()
    bad = client.post(f"/work/complaints/{item.pk}/act/cause", {"cause": "x"},
                      HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    assert "问题类别无效" in bad.content.decode()
    item.refresh_from_db()
    assert item.cause == "queueing"
    # the department reading its items gets no cause form
    handler = _client(personas.handler).get(f"/work/complaints/{item.pk}/").content.decode()
    assert 'data-testid="cause-form"' not in handler
    entry = client.get("/work/complaints/entry/").content.decode()
    assert 'name="cause"' in entry
