"""Seed 004 §10: a planted submitter and a complaint about a staff member never reach that
staff member — in any page or API of the complaints and work-order screens (and every
other staff page and API that takes no more than an id), whatever role their login has —
nor the audit log or the application log; the office sees them, reveals the submitter only
through the audited vault."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.complaints.models import SpotCheck, Submission
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.selectors import submitter_reveal, visible_submissions
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.complaints.services.moves import submission_move
from haochaping.complaints.services.spotcheck import spotcheck_draw
from haochaping.core.errors import AppError
from haochaping.vault.services import phone_index_of, rater_upsert
from haochaping.workorders import services as wo
from haochaping.workorders.selectors import visible_orders
from haochaping.workorders.tests.conftest import PARTS
from tests import factories as f

pytestmark = pytest.mark.django_db

NAME, PHONE = "甄秘密", "13912345678"
SECRET = "窗口王晓明办理时态度恶劣ZQXJ机密"
CONTENT = f"{SECRET}，在市场监管局窗口办理食品经营许可，要求重复提交材料，希望处理。"
PLANTED = (NAME, PHONE, SECRET)
# Screens and APIs a staff login reaches (the admin is for is_staff logins only).
PREFIXES = ("work/", "api/v1/")
ROLES = [("window_staff", "market"), ("handler", "market"), ("dept_head", "market"),
         ("supervisor", "city_office"), ("auditor", "city_office"),
         ("monitor", "city_office"), ("system_admin", None)]


def routes() -> Iterator[str]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)
    yield from walk(get_resolver().url_patterns, "")


def urls(ids: list[int]) -> list[str]:
    """Every staff route that takes nothing or one id, with each id planted in it."""
    found = []
    for route in routes():
        if not route.startswith(PREFIXES) or "(?P" in route or "^" in route:
            continue
        params = re.findall(r"<[^>]+>", route)
        if not params:
            found.append("/" + route)
        elif len(params) == 1 and params[0] in ("<int:pk>", "<pk>", "<int:order_id>"):
            found.extend("/" + route.replace(params[0], str(i)) for i in ids)
    return sorted(set(found))


@pytest.fixture
def planted(locality: SimpleNamespace, personas: SimpleNamespace,
            settings: Any) -> SimpleNamespace:
    settings.HCP_POLICY_PRESET = "xinxiang"
    rater = rater_upsert(kind="1", name=NAME, id_type="111", id_no="", phone=PHONE)
    item = submission_receive(kind="complaint", channel="web", content=CONTENT,
                              subject=Subject(window=locality.window, staff=locality.staff),
                              submitter_id=rater.pk, phone_index=phone_index_of(PHONE))
    assert item.status == "dispatched"
    assert item.order is not None
    handler = actor_for_user(personas.handler)
    office = actor_for_user(personas.supervisor)
    wo.workorder_sign(actor=handler, order=item.order)
    wo.workorder_reply(actor=handler, order=item.order, parts=PARTS)
    wo.workorder_head_review(actor=actor_for_user(personas.head), order=item.order,
                             approved=True)
    wo.workorder_review(actor=office, order=item.order, passed=True)
    item.refresh_from_db()
    submission_move(item, Status.CLOSED, action="close", now=timezone.now())
    today = timezone.localdate()
    spotcheck_draw(actor=office, start=today, end=today, rate_percent=100, seed="s1",
                   now=timezone.now())
    return SimpleNamespace(item=item, rater=rater, check=SpotCheck.objects.get())


def body(response: Any) -> str:
    raw = (b"".join(response.streaming_content) if response.streaming
           else response.content)
    return raw.decode("utf-8", "replace")


def crawl(client: Client, ids: list[int], item_pk: int) -> dict[str, str]:
    pages = {url: body(client.get(url)) for url in urls(ids)}
    for step in ("accept", "refuse", "overturn", "dispatch", "redispatch", "close"):
        url = f"/work/complaints/{item_pk}/act/{step}"
        pages["POST " + url] = body(client.post(url, {"note": "看看", "reason": "petition"}))
    url = f"/work/complaints/{item_pk}/reveal"
    pages["POST " + url] = body(client.post(url, {"purpose": "核实情况"}))
    return pages


def leaks(pages: dict[str, str]) -> list[tuple[str, str]]:
    return [(url, word) for url, body in pages.items() for word in PLANTED if word in body]


def test_the_office_and_the_assigned_handler_see_the_item(planted: SimpleNamespace,
                                                          personas: SimpleNamespace) -> None:
    """The crawl reaches the item: without the staff link the content is there."""
    ids = sorted({planted.item.pk, planted.item.order_id, planted.check.pk})
    for user in (personas.supervisor, personas.handler, personas.head):
        client = Client()
        client.force_login(user)
        pages = crawl(client, ids, planted.item.pk)
        assert any(SECRET in body for body in pages.values()), user.username
        revealed = [url for url, body in pages.items() if NAME in body or PHONE in body]
        # The identity only through the office's audited reveal.
        assert revealed == ([f"POST /work/complaints/{planted.item.pk}/reveal"]
                            if user == personas.supervisor else []), user.username
    office = Client()
    office.force_login(personas.supervisor)
    page = office.get(f"/work/complaints/{planted.item.pk}/").content.decode()
    assert planted.rater.name_masked in page
    assert planted.rater.phone_masked in page


@pytest.mark.parametrize(("role", "org"), ROLES)
def test_never_reaches_the_staff_member(planted: SimpleNamespace, locality: SimpleNamespace,
                                        personas: SimpleNamespace, role: str, org: str | None,
                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    user = personas.window_staff  # linked to locality.staff, the staff member complained of
    user.role, user.org = role, getattr(locality, org) if org else None
    user.save()
    assert user.staff == planted.item.staff
    actor = actor_for_user(user)
    assert not visible_submissions(actor).exists()
    assert not visible_orders(actor).filter(pk=planted.item.order_id).exists()
    client = Client()
    client.force_login(user)
    pages = crawl(client, sorted({planted.item.pk, planted.item.order_id, planted.check.pk}),
                  planted.item.pk)
    assert len(pages) > 40  # the crawl covered the screens and the APIs
    assert leaks(pages) == []
    assert not [w for w in PLANTED if w in caplog.text]
    item = Submission.objects.get(pk=planted.item.pk)
    assert item.status == "closed"  # none of the posted actions went through


def test_the_audit_log_and_the_application_log_hold_no_identity(
        locality: SimpleNamespace, personas: SimpleNamespace,
        caplog: pytest.LogCaptureFixture, settings: Any) -> None:
    caplog.set_level(logging.DEBUG)
    settings.HCP_POLICY_PRESET = "xinxiang"
    rater = rater_upsert(kind="1", name=NAME, id_type="111", id_no="", phone=PHONE)
    item = submission_receive(kind="complaint", channel="web", content=CONTENT,
                              subject=Subject(staff=locality.staff), submitter_id=rater.pk,
                              phone_index=phone_index_of(PHONE))
    office = actor_for_user(personas.supervisor)
    revealed = submitter_reveal(office, item.pk, "电话核实情况")
    assert (revealed.name, revealed.phone) == (NAME, PHONE)
    reveal = AuditEvent.objects.get(action="rater.reveal")
    assert reveal.after["purpose"] == f"电话核实情况（{item.ref}）"
    trail = " ".join(str(row) for row in AuditEvent.objects.values())
    assert [w for w in PLANTED if w in trail] == []
    assert [w for w in PLANTED if w in caplog.text] == []


@pytest.mark.parametrize("who", ["handler", "head", "auditor", "district_supervisor"])
def test_only_the_receiving_office_reveals(locality: SimpleNamespace,
                                           personas: SimpleNamespace, who: str) -> None:
    rater = rater_upsert(kind="1", name=NAME, id_type="111", id_no="", phone=PHONE)
    item = submission_receive(kind="complaint", channel="web", content=CONTENT,
                              subject=Subject(matter=locality.matter), submitter_id=rater.pk)
    before = AuditEvent.objects.count()
    with pytest.raises(AppError) as refused:
        submitter_reveal(actor_for_user(getattr(personas, who)), item.pk, "核实情况")
    assert refused.value.code in ("complaint.reveal_forbidden", "complaint.not_found")
    assert AuditEvent.objects.count() == before


def test_another_department_sees_nothing(locality: SimpleNamespace,
                                         personas: SimpleNamespace) -> None:
    submission_receive(kind="complaint", channel="web", content=CONTENT,
                       subject=Subject(matter=locality.matter))
    outsider = f.make_user("hr_head", role="dept_head", org=locality.district_hr)
    for user in (personas.outsider, outsider):
        assert not visible_submissions(actor_for_user(user)).exists()
        client = Client()
        client.force_login(user)
        assert SECRET not in client.get("/work/complaints/").content.decode()
