"""Helpers of the public intake tests: the SMS code from the outbox, the filing steps,
an item answered with a published reply."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.complaints.models import Submission, SubmissionAttachment, SubmissionEvent
from haochaping.complaints.public.filing import Filing, submission_file
from haochaping.complaints.rules.kinds import Channel, Status
from haochaping.complaints.services.intake import Subject
from haochaping.complaints.services.moves import submission_move
from haochaping.evaluations.public import phone_index_of
from haochaping.notify.models import OutboxMessage
from haochaping.vault.models import Rater
from haochaping.workorders.models import Reply
from haochaping.workorders.services.requests import workorder_open_request

PHONE = "13812341234"
OTHER_PHONE = "13900001111"
CLEAR = "我在市场监管局窗口办理营业执照变更，窗口要求提供三次同样的材料，希望说明原因并改进。"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64
ANSWER = "经调查核实，窗口已统一材料清单，并对工作人员进行了培训。"


def last_code() -> str:
    return str(OutboxMessage.objects.filter(template="sms_code").latest("pk").params["code"])


def proof_of(html: str) -> str:
    found = re.search(r'name="proof" value="([^"]+)"', html)
    assert found, "no proof in the form"
    return found.group(1)


def verified_form(client: Client, phone: str = PHONE, hall: str = "") -> str:
    """Steps 1 and 2: the code sent and verified; the form's proof."""
    extra = {"hall": hall} if hall else {}
    assert client.post("/tousu/code", {"phone": phone, **extra}).status_code == 200
    response = client.post("/tousu/verify", {"phone": phone, "code": last_code(), **extra})
    assert response.status_code == 200
    return proof_of(response.content.decode())


def form(proven: str, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"proof": proven, "phone": PHONE, "kind": "complaint",
                            "content": CLEAR, "name": "李四", "reply_channel": "sms",
                            "urgency": "normal", "subject": "", "subject_text": ""}
    data.update(fields)
    return data


def png(name: str = "photo.png", size: int = 0) -> SimpleUploadedFile:
    body = PNG + (b"\x00" * size)
    return SimpleUploadedFile(name, body, content_type="image/png")


def writes() -> tuple[int, ...]:
    """Counts of every row a filing writes."""
    return (Submission.objects.count(), SubmissionEvent.objects.count(),
            SubmissionAttachment.objects.count(), Rater.objects.count(),
            AuditEvent.objects.filter(action__startswith="complaint.").count())


def file_item(loc: SimpleNamespace, *, phone: str = PHONE, content: str = CLEAR,
              kind: str = "complaint") -> Submission:
    return submission_file(
        filing=Filing(kind=kind, content=content, name="李四", phone=phone,
                      subject=Subject(org=loc.market)),
        channel=Channel.WEB, proven_phone_index=phone_index_of(phone))


def answered(item: Submission, office_user: Any, loc: SimpleNamespace,
             text: str = ANSWER, published: bool = True) -> Submission:
    """Dispatch ``item`` to the market department and answer it (the reply released
    to the submitter unless ``published`` is False)."""
    now = timezone.now()
    item.refresh_from_db()
    if item.order_id is not None:  # routed and dispatched at intake (services.dispatch)
        order = item.order
    else:
        order = workorder_open_request(actor=actor_for_user(office_user), kind="complaint",
                                       org=loc.market, text=item.content, source=item.ref)
        submission_move(item, Status.DISPATCHED, action="dispatch", now=now,
                        public_note="已交办承办部门办理", updates={"order": order})
    Reply.objects.create(order=order, at=now, text=text,
                         visible_to_rater_at=now if published else None)
    submission_move(item, Status.ANSWERED, action="answer", now=now, public_note="已答复",
                    note="内部：王晓明经办")
    return item
