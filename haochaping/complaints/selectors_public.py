"""Reads of the public complaint pages and the app API: what a submitter may see.

Bounded by what the caller proved (a verified phone's blind index, an API client), never
by a login. Nothing here returns content of other people's items, internal notes, the
names of the people who handled an item, or the submitter's identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from haochaping.catalog.models import Hall, Matter, Org, Window
from haochaping.catalog.rules.policies import Duration
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.complaints.models import Submission, SubmissionEvent
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.rules.reasons import REASONS, Reason
from haochaping.complaints.services.intake import Subject
from haochaping.core.errors import NotFound, ValidationError
from haochaping.workorders.models import Reply

SEARCH_LIMIT = 8
MIN_QUERY = 2

# What the submitter reads for each step of the timeline (no names, no internal notes).
STEP_LABELS: dict[str, str] = {
    Status.TRIAGE.value: "已收到", Status.ACCEPTED.value: "已受理",
    Status.REFUSED.value: "不予受理", Status.DISPATCHED.value: "已交办承办部门",
    Status.ANSWERED.value: "已答复", Status.REOPENED.value: "您反馈未解决，待复核",
    Status.CLOSED.value: "已办结", Status.MERGED.value: "已合并办理",
}


@dataclass(frozen=True)
class Choice:
    """One catalog row the submitter may pick as the subject (value ``kind:key``)."""

    value: str
    kind_label: str
    name: str
    detail: str


@dataclass(frozen=True)
class Step:
    at: datetime
    label: str
    note: str


@dataclass(frozen=True)
class Limits:
    contact: Duration
    investigate: Duration
    close: Duration


def subject_search(query: str) -> list[Choice]:
    """Active orgs, windows and matters whose name contains ``query`` (at least two
    characters), a few of each."""
    query = (query or "").strip()[:40]
    if len(query) < MIN_QUERY:
        return []
    found = [Choice(f"org:{o.code}", "部门", o.name, o.region.name)
             for o in Org.objects.filter(is_active=True).filter(
                 Q(name__icontains=query) | Q(short_name__icontains=query))
             .select_related("region").order_by("level", "path")[:SEARCH_LIMIT]]
    found += [Choice(f"window:{w.code}", "窗口", f"{w.number}号窗口 {w.name}", w.hall.name)
              for w in Window.objects.filter(is_active=True).filter(
                  Q(name__icontains=query) | Q(hall__name__icontains=query)
                  | Q(org__name__icontains=query))
              .select_related("hall").order_by("hall__name", "number")[:SEARCH_LIMIT]]
    found += [Choice(f"matter:{m.pk}", "事项", m.name, m.org.name)
              for m in Matter.objects.filter(is_active=True, name__icontains=query)
              .select_related("org").order_by("name", "pk")[:SEARCH_LIMIT]]
    return found


def choice_of(value: str) -> Choice | None:
    """The picked subject again (a form shown back after a refusal), or None."""
    kind, _, key = (value or "").partition(":")
    if kind == "org":
        org = Org.objects.select_related("region").filter(code=key, is_active=True).first()
        return Choice(value, "部门", org.name, org.region.name) if org else None
    if kind == "window":
        w = Window.objects.select_related("hall").filter(code=key, is_active=True).first()
        return Choice(value, "窗口", f"{w.number}号窗口 {w.name}", w.hall.name) if w else None
    if kind == "matter" and key.isdigit() and len(key) < 12:
        m = Matter.objects.select_related("org").filter(pk=int(key), is_active=True).first()
        return Choice(value, "事项", m.name, m.org.name) if m else None
    return None


def active_hall(code: str) -> Hall:
    hall = (Hall.objects.select_related("region", "org")
            .filter(code=code, is_active=True).first()) if code else None
    if hall is None:
        raise NotFound("complaint.hall_not_found", "服务站点不存在或已停用，请核对二维码")
    return hall


def subject_of(picked: str, text: str, hall: Hall | None = None) -> Subject:
    """The subject for a picked ``kind:key`` (see :func:`subject_search`), the free text,
    and the village station the QR named (its region too)."""
    kind, _, key = (picked or "").partition(":")
    org = window = matter = None
    if kind == "org":
        org = Org.objects.filter(code=key, is_active=True).first()
    elif kind == "window":
        window = Window.objects.select_related("org").filter(code=key, is_active=True).first()
    elif kind == "matter" and key.isdigit() and len(key) < 12:
        matter = Matter.objects.select_related("org").filter(pk=int(key), is_active=True).first()
    if picked and org is None and window is None and matter is None:
        raise ValidationError("complaint.subject_unknown", "所选反映对象不存在，请重新选择",
                              "subject")
    return Subject(matter=matter, org=org or (window.org if window else None)
                   or (matter.org if matter else None), window=window, hall=hall,
                   region=hall.region if hall else None, text=text)


def subject_by_codes(*, org_code: str = "", window_code: str = "", matter_code: str = "",
                     text: str = "") -> Subject:
    """The app API's subject: catalog codes, each optional (unknown code: refused)."""
    org = window = matter = None
    if org_code:
        org = Org.objects.filter(code=org_code, is_active=True).first()
        if org is None:
            raise ValidationError("complaint.subject_unknown", "部门编码不存在", "subject.org_code")
    if window_code:
        window = Window.objects.select_related("org").filter(code=window_code,
                                                             is_active=True).first()
        if window is None:
            raise ValidationError("complaint.subject_unknown", "窗口编码不存在",
                                  "subject.window_code")
    if matter_code:
        matter = (Matter.objects.select_related("org").filter(code=matter_code, is_active=True)
                  .order_by("-pk").first())
        if matter is None:
            raise ValidationError("complaint.subject_unknown", "事项编码不存在",
                                  "subject.matter_code")
    return Subject(matter=matter, window=window, text=text,
                   org=org or (window.org if window else None) or (matter.org if matter else None))


def limits_for(item: Submission) -> Limits:
    """The "1, 5, 15" limits in force for the item's receiving office."""
    policy = effective_policy(item.office)
    return Limits(policy.complaint_contact_limit, policy.complaint_investigate_limit,
                  policy.complaint_close_limit)


def tracked_item(ref: str, phone_index: str) -> Submission:
    """The item ``ref`` if the verified phone may follow it; the same ``NotFound`` for an
    unknown number and for someone else's (nothing is revealed)."""
    ref = (ref or "").strip().upper()
    item = (Submission.objects.select_related("order", "order__org", "merged_into")
            .filter(ref=ref, phone_index=phone_index).first()
            if ref and phone_index and len(ref) <= 20 else None)
    if item is None:
        raise NotFound("complaint.not_found", "未找到与该手机号对应的受理编号，请核对后重试")
    return item


def client_item(ref: str, client_id: int) -> Submission:
    item = (Submission.objects.select_related("order", "order__org")
            .filter(ref=(ref or "").strip().upper()[:20], client_id=client_id).first())
    if item is None:
        raise NotFound("complaint.not_found", "未找到该受理编号")
    return item


def refusal(item: Submission) -> Reason | None:
    return REASONS.get(item.reason) if item.status == Status.REFUSED.value else None


def public_timeline(item: Submission) -> list[Step]:
    """Status moves only, each with its public note (never the actor or internal note)."""
    steps = []
    rows = (SubmissionEvent.objects.filter(submission=item).exclude(to_status="")
            .order_by("at", "pk").values_list("at", "action", "from_status", "to_status",
                                              "public_note"))
    for at, action, source, target, note in rows:
        if action != "receive" and source == target:
            continue  # a step without a move (call-backs, readings): not the submitter's
        steps.append(Step(at, STEP_LABELS.get(target, "处理中"), note))
    return steps


def published_answer(item: Submission) -> Reply | None:
    """The work order's reply released to the submitter (after QA where required)."""
    if item.order_id is None:
        return None
    return (Reply.objects.filter(order_id=item.order_id, visible_to_rater_at__isnull=False)
            .order_by("-visible_to_rater_at", "-pk").first())


def handling_org_name(item: Submission) -> str:
    return item.order.org.name if item.order_id and item.order else ""
