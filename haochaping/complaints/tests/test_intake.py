"""Intake through submission_receive: the verdict applied, bad input refused unwritten."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from haochaping.complaints.models import Submission, SubmissionEvent
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.core.errors import ValidationError

pytestmark = pytest.mark.django_db

CLEAR = "我在市场监管局窗口办理营业执照变更，窗口要求提供三次同样的材料，希望说明原因并改进。"


def test_clear_item_is_accepted_under_the_subjects_office(locality: SimpleNamespace) -> None:
    item = submission_receive(kind="complaint", channel="web", content=CLEAR,
                              subject=Subject(org=locality.market), phone_index="p1")
    assert item.status == "dispatched"  # accepted, then routed (services.dispatch)
    assert item.ref.startswith("TS")
    assert item.office == locality.city_office
    assert item.office_path == locality.city_office.path
    assert [e.action for e in item.events.all()] == ["receive", "accept", "dispatch"]
    assert item.screening["decision"] == "accept"


def test_no_content_is_refused_with_where_to_go(locality: SimpleNamespace) -> None:
    item = submission_receive(kind="inquiry", channel="web", content="你好？",
                              subject=Subject())
    assert item.status == "refused"
    assert item.reason == "no_content"
    refused = item.events.get(action="refuse")
    assert "请补充" in refused.public_note


def test_the_same_text_again_is_merged_into_the_open_item(locality: SimpleNamespace) -> None:
    first = submission_receive(kind="complaint", channel="web", content=CLEAR,
                               subject=Subject(org=locality.market), phone_index="p1")
    again = submission_receive(kind="complaint", channel="web", content=CLEAR,
                               subject=Subject(org=locality.market), phone_index="p1")
    assert again.status == "merged"
    assert again.merged_into == first


@pytest.mark.parametrize(("field", "value", "code"), [
    ("kind", "praise", "complaint.invalid_kind"),
    ("channel", "fax", "complaint.invalid_channel"),
    ("content", "   ", "complaint.content_required"),
    ("content", "长" * 4001, "complaint.content_too_long"),
    ("urgency", "asap", "complaint.invalid_urgency"),
])
def test_bad_input_writes_nothing(locality: SimpleNamespace, field: str, value: str,
                                  code: str) -> None:
    args = {"kind": "complaint", "channel": "web", "content": CLEAR, "urgency": "normal",
            field: value}
    with pytest.raises(ValidationError) as caught:
        submission_receive(subject=Subject(org=locality.market), **args)
    assert caught.value.code == code
    assert not Submission.objects.exists()
    assert not SubmissionEvent.objects.exists()
