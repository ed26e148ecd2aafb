"""Things a tester can try at once: a known demo applicant with fresh unrated handlings at
a city-hall window (reported through the real intake service), an unused invitation link,
and SMS invitations produced by the real sweep (marked delivered, one dead letter), plus
one to the demo applicant that stays queued, so that the worker ``make run`` starts sends
it and ``demo_sms_reply`` can answer it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from haochaping.accounts.models import ApiClient
from haochaping.catalog.models import Matter, Staff
from haochaping.catalog.rules import calendar
from haochaping.demo.people import resident_id
from haochaping.demo.sites import Sites
from haochaping.evaluations.invitations import invitation_create
from haochaping.evaluations.models import Invitation
from haochaping.evaluations.sms.invitations import (
    invite_dedupe_key,
    sweep_one,
    sweep_sms_invitations,
)
from haochaping.handlings.models import Handling, Rater
from haochaping.handlings.services import handling_intake
from haochaping.notify.models import OutboxMessage
from haochaping.vault import blind_index

# A fictitious applicant whose phone the tester types on the window-QR page (seed 002).
DEMO_NAME = "李明华"
DEMO_PHONE = "13800138000"
DEMO_ID_NO = resident_id("410105", date(1986, 6, 18), 61, male=True)
DEMO_PROJ_PREFIX = "ZZZW-DEMO-"
LINK_TTL = timedelta(days=7)
SMS_SHOWCASE = 12  # invitations the SMS sweep sends during the build
# The demo applicant's handling that waited past the SMS delay (seed 003: 24 h).
SMS_WAITED = timedelta(hours=25)
DEAD_ERROR = "短信网关返回 HTTP 503：服务暂不可用（已重试 5 次，转入死信）"


@dataclass(frozen=True)
class Showcase:
    window_code: str
    handlings: int
    sms: int


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _last_working_moment(moment: datetime) -> datetime:
    """``moment`` if it falls on a working day, else 16:30 of the working day before."""
    day = calendar.local_day(moment)
    if calendar.is_workday(day):
        return moment
    while not calendar.is_workday(day):
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(16, 30)))


def showcase_window(sites: Sites) -> tuple[Staff, Matter]:
    """The window of the demo ``window`` login (market regulation, city hall)."""
    staff = next(s for s in sites.staff if s.window_id is not None
                 and s.window is not None and s.window.hall_id == sites.city_hall.pk
                 and s.org.name.endswith("市场监督管理局"))
    matter = Matter.objects.filter(org_id=staff.org_id, is_active=True).order_by("pk").first()
    if matter is None:
        raise RuntimeError("the showcase window's department has no matter")
    return staff, matter


def intake_item(proj_no: str, staff: Staff, matter: Matter, accepted: datetime,
                completed: datetime) -> dict[str, str]:
    """One handling in the intake API's JSON format (docs/api-intake.md)."""
    window = staff.window
    assert window is not None
    return {"proj_no": proj_no, "matter_code": matter.impl_code,
            "matter_version": matter.version, "org_code": staff.org.code,
            "hall_code": window.hall.code, "window_code": window.code,
            "staff_no": staff.staff_no, "status": "completed", "service_channel": "offline",
            "accepted_at": _time(accepted), "completed_at": _time(completed),
            "applicant_kind": "1", "applicant_name": DEMO_NAME, "applicant_id_type": "111",
            "applicant_id_no": DEMO_ID_NO, "applicant_phone": DEMO_PHONE}


def demo_rater() -> Rater | None:
    return Rater.objects.filter(phone_index=blind_index("phone", DEMO_PHONE)).first()


def build_showcase(*, sites: Sites, client: ApiClient, now: datetime) -> Showcase:
    staff, matter = showcase_window(sites)
    starts = [now - timedelta(minutes=90 - 20 * i) for i in range(1, 4)]
    items = [intake_item(f"{DEMO_PROJ_PREFIX}{i:04d}", staff, matter, start,
                         start + timedelta(minutes=12))
             for i, start in enumerate(starts, start=1)]
    waited = _last_working_moment(now - SMS_WAITED)
    items.append(intake_item(f"{DEMO_PROJ_PREFIX}{len(items) + 1:04d}", staff, matter,
                             waited - timedelta(minutes=15), waited))
    result = handling_intake(client=client, items=items, now=now)
    if result.errors:
        raise RuntimeError(f"showcase intake refused: {result.errors[0].as_dict()}")
    first = Handling.objects.select_related("rater").get(client=client, proj_no=items[0]["proj_no"])
    invitation_create(handling=first, rater=first.rater, channel="link", ttl=LINK_TTL, now=now)
    for_sms = Handling.objects.get(client=client, proj_no=items[-1]["proj_no"])
    own_sms = sweep_one(for_sms.pk, now)
    report = sweep_sms_invitations(now, limit=SMS_SHOWCASE)
    report.invited += own_sms
    queued = list(OutboxMessage.objects.filter(status="pending", template="evaluation_invite")
                  .exclude(dedupe_key=invite_dedupe_key(for_sms))
                  .order_by("pk").values_list("pk", flat=True))
    if queued:
        OutboxMessage.objects.filter(pk__in=queued[:-1]).update(
            status="sent", attempts=1, sent_at=now, provider_id="demo-console")
        OutboxMessage.objects.filter(pk=queued[-1]).update(
            status="dead", attempts=5, last_error=DEAD_ERROR)
    return Showcase(window_code=staff.window.code if staff.window else "",
                    handlings=len(items), sms=report.invited)


def fresh_link_invitation(now: datetime) -> Invitation | None:
    """An unused, unexpired link invitation of the demo applicant's first handling."""
    return (Invitation.objects.filter(channel="link", used_at__isnull=True, expires_at__gt=now,
                                      handling__proj_no__startswith=DEMO_PROJ_PREFIX,
                                      handling__rated_at__isnull=True)
            .select_related("handling").order_by("-pk").first())
