"""Filing an Open311 request: the one intake (``services.intake.submission_receive``),
channel ``open311``, the submitter (when a phone is given) in the rater vault; what the
spec carries beyond our item (location, media URL, the tool's ids) is kept on a timeline
step for the client that filed it."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from haochaping.accounts.models import ApiClient
from haochaping.catalog.models import Org
from haochaping.complaints.models import Submission
from haochaping.complaints.rules.kinds import Channel, ReplyChannel
from haochaping.complaints.rules.open311 import Filing, Open311Error
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.complaints.services.moves import submission_note
from haochaping.core.errors import ValidationError
from haochaping.vault.applicant import check_applicant
from haochaping.vault.services import identity_index_of, phone_index_of, raters_upsert

NO_NAME = "未留姓名"
_NAMES = {"applicant_kind": "kind", "applicant_name": "last_name",
          "applicant_id_no": "phone", "applicant_phone": "phone"}


def client_label(client: ApiClient) -> str:
    return f"open311:{client.name}"[:150]


def open311_file(*, client: ApiClient, filing: Filing,
                 now: datetime | None = None) -> Submission:
    """Take one request of ``client`` (holding ``complaint_filing:write``). Bad input
    raises ``Open311Error`` before anything is written."""
    org = None
    if filing.org_code:
        org = Org.objects.filter(code=filing.org_code, is_active=True).first()
        if org is None:
            raise Open311Error(400, "open311.unknown_org",
                               f"attribute[org_code] 不是本平台的机构：{filing.org_code[:40]}")
    applicant = None
    if filing.phone:
        applicant, problems = check_applicant("1", filing.name or NO_NAME, "", "",
                                              filing.phone, _NAMES)
        if applicant is None:
            raise Open311Error(400, "open311.invalid_submitter", problems[0].message)
    now = now or timezone.now()
    label = client_label(client)
    try:
        with transaction.atomic():
            submitter_id = None
            if applicant is not None:
                index = identity_index_of(applicant)
                submitter_id = raters_upsert({index: applicant})[index]
            item = submission_receive(
                kind=filing.service_code, channel=Channel.OPEN311, content=filing.description,
                subject=Subject(org=org, text=filing.subject), submitter_id=submitter_id,
                phone_index=phone_index_of(applicant.phone) if applicant else "",
                reply_channel=ReplyChannel.SMS if applicant else ReplyChannel.APP,
                actor_label=label, now=now)
            submission_note(item, action="open311", now=now, actor_label=label,
                            payload={"client": client.pk, **filing.location()})
    except ValidationError as exc:
        raise Open311Error(400, exc.code, exc.message) from None
    return item
