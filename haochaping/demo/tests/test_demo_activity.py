"""The demo's handlings and ratings (issue 3 "Demo") on a reduced small build."""

from __future__ import annotations

import random
import re
from collections import Counter
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from haochaping.accounts import rules as keys
from haochaping.catalog.rules import calendar
from haochaping.catalog.rules.standards import Channel, is_bad
from haochaping.catalog.selectors.standards import active_standard
from haochaping.demo.codes import is_valid_uscc
from haochaping.demo.devices import FOUR_KEY_PROJ
from haochaping.demo.integrity import PLANTED_PREFIX
from haochaping.demo.names import NameMaker
from haochaping.demo.people import ApplicantMaker
from haochaping.demo.showcase import (
    DEMO_ID_NO,
    DEMO_NAME,
    DEMO_PHONE,
    DEMO_PROJ_PREFIX,
    demo_rater,
)
from haochaping.demo.tests.conftest import HANDLINGS
from haochaping.evaluations import rules
from haochaping.evaluations.models import Device, Evaluation
from haochaping.evaluations.selectors import standard_tables
from haochaping.handlings.models import Handling, Rater
from haochaping.handlings.rules import check_applicant
from haochaping.notify.models import OutboxMessage
from haochaping.vault import blind_index, decrypt_field, mask_id_no, mask_name, mask_phone
from haochaping.vault.applicant import resident_id_valid

SEALED = ("name_cipher", "id_no_cipher", "phone_cipher", "name_masked", "id_no_masked",
          "phone_masked", "id_no_index", "phone_index", "identity_index")


def test_applicants_have_valid_format_identities() -> None:
    make = ApplicantMaker(random.Random(7), NameMaker(random.Random(7)), {"410105": "金水"})
    names = {n: n for n in ("applicant_kind", "applicant_name", "applicant_id_no",
                            "applicant_phone")}
    for _ in range(300):
        app = make()
        checked, errors = check_applicant(app.kind, app.name, app.id_type, app.id_no,
                                          app.phone, names)
        assert errors == []
        assert checked == app
        if app.kind == "1":
            assert resident_id_valid(app.id_no)
        else:
            assert is_valid_uscc(app.id_no)
        assert app.phone == "" or re.fullmatch(r"1[3-9]\d{9}", app.phone)


def test_handlings_and_ratings_have_the_intended_mix(built: str) -> None:
    assert "办件、评价人与评价" in built
    generated = Handling.objects.exclude(proj_no__startswith=PLANTED_PREFIX)  # 防刷评's own
    total = generated.count()
    assert HANDLINGS <= total <= HANDLINGS * 1.05 + 3
    statuses = Counter(Handling.objects.values_list("status", flat=True))
    assert set(statuses) == {"accepted", "in_progress", "completed", "withdrawn"}
    assert statuses["completed"] > 0.85 * total
    assert set(Handling.objects.values_list("service_channel", flat=True)) == {"online",
                                                                             "offline"}
    batches = Handling.objects.exclude(batch_no="").values_list("batch_no", "rater_id")
    assert batches
    assert len({b for b, _ in batches}) == len(set(batches))  # one rater per batch

    current = Evaluation.objects.filter(is_current=True).exclude(
        handling__proj_no__startswith=PLANTED_PREFIX)
    levels = Counter(current.filter(is_default=False).values_list("level", flat=True))
    real = sum(levels.values())
    assert set(levels) == {1, 2, 3, 4, 5}
    assert 0.80 <= levels[5] / real <= 0.92
    assert 0.01 <= (levels[1] + levels[2]) / real <= 0.05
    defaults = Evaluation.objects.filter(is_default=True)
    assert defaults.exists()
    assert set(defaults.values_list("channel", "level").distinct()) == {("default", 3)}
    assert {c.value for c in Channel} == set(
        Evaluation.objects.values_list("channel", flat=True).distinct())
    assert Handling.objects.filter(status="completed", rated_at__isnull=True).exists()
    superseded = Evaluation.objects.filter(is_current=False)
    assert superseded.exists()
    assert not superseded.filter(superseded_at__isnull=True).exists()

    phone = Evaluation.objects.filter(channel="phone")
    assert set(phone.values_list("entered_by__username", flat=True)) == {"supervisor"}
    # Ours come through the app's API client; the province's app ratings come down
    # through the exchange (demo.exchange_down) without one.
    assert not Evaluation.objects.filter(channel__in=["app", "mini_program"],
                                         client__isnull=True, inbound__isnull=True).exists()
    assert Evaluation.objects.filter(channel="evaluator", device__kind="evaluator").exists()
    assert Evaluation.objects.filter(channel="kiosk", device__kind="kiosk").exists()
    # One invitation, to the demo applicant, is left for the worker of `make run`.
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent", "dead",
                                                                           "pending"}
    assert OutboxMessage.objects.filter(status="dead").count() == 1
    assert OutboxMessage.objects.filter(status="pending").count() == 1


def test_times_fall_on_working_days_and_in_order(built: str) -> None:
    """The generated months fall on working days; the showcase's fresh handlings and the
    four-key pad's are stamped in the hour before the build, whatever day that is (a demo
    built on a Sunday still has handlings to rate at once)."""
    now = timezone.now()
    for proj_no, accepted, completed, rated in Handling.objects.values_list(
            "proj_no", "accepted_at", "completed_at", "rated_at"):
        assert accepted <= now
        if not proj_no.startswith((DEMO_PROJ_PREFIX, PLANTED_PREFIX, FOUR_KEY_PROJ)):
            assert calendar.is_workday(calendar.local_day(accepted)), proj_no
        assert completed is None or accepted <= completed <= now
        assert rated is None or (completed is not None and completed <= rated <= now)


def test_every_rating_obeys_the_rating_rules(built: str) -> None:
    tables = standard_tables(active_standard())
    rows = Evaluation.objects.filter(is_default=False).select_related("handling")
    assert rows.exists()
    for e in rows:
        rating = rules.RatingInput(level=e.level, item_levels=e.item_levels,
                                   content_codes=e.content_codes, reason_codes=e.reason_codes,
                                   text=e.text)
        group = rules.channel_group_of(has_window=e.handling.window_id is not None,
                                       service_channel=e.handling.service_channel)
        rules.check_content(rating, tables, group)
        # a four-key pad's 差评 has no reason (its call-back asks it): degraded
        if (is_bad(e.level) and not e.degraded
                and not rules.reason_exempt(Channel(e.channel), e.assess_number)):
            assert rules.has_reason(rating, tables)
        assert e.created_at >= e.handling.completed_at


def test_exactly_one_current_evaluation_per_rated_handling(built: str) -> None:
    # the handling's own rating (ratings of its stages aside: test_demo_stages)
    per_handling = Counter(Evaluation.objects.filter(is_current=True, stage__isnull=True)
                           .values_list("handling_id", flat=True))
    assert set(per_handling.values()) == {1}
    rated = set(Handling.objects.filter(rated_at__isnull=False).values_list("pk", flat=True))
    assert set(per_handling) == rated
    # The history is loaded with its deadlines cleared; a rating taken live (the province's,
    # demo.exchange_down) leaves its future ones to the sweeps (handlings.marks).
    live = set(Evaluation.objects.filter(inbound__isnull=False).values_list("handling_id",
                                                                            flat=True))
    live |= set(Handling.objects.filter(proj_no__startswith=PLANTED_PREFIX)
                .values_list("pk", flat=True))  # 防刷评's planted ratings, taken live
    assert live
    loaded = rated - live
    assert not Handling.objects.filter(pk__in=loaded, default_due_at__isnull=False).exists()
    assert not Handling.objects.filter(pk__in=loaded, invite_due_at__isnull=False).exists()
    # Unrated completed handlings still wait for the default-rating sweep (deadline ahead).
    waiting = Handling.objects.filter(status="completed", rated_at__isnull=True)
    assert not waiting.filter(default_due_at__isnull=True).exists()
    assert not waiting.filter(default_due_at__lte=timezone.now()).exists()
    assert not Handling.objects.exclude(status="completed").filter(evaluations__isnull=False)\
        .exists()


def test_rater_identity_is_sealed_in_the_vault(built: str) -> None:
    rater = demo_rater()
    assert rater is not None
    assert decrypt_field("phone", rater.phone_cipher) == DEMO_PHONE
    assert decrypt_field("name", rater.name_cipher) == DEMO_NAME
    assert decrypt_field("id_no", rater.id_no_cipher) == DEMO_ID_NO
    assert (rater.phone_masked, rater.name_masked) == ("138****8000", "李*")
    # the retention demo's purged raters keep no identity (test_demo_privacy checks them)
    samples = list(Rater.objects.filter(purged_at__isnull=True).order_by("?")[:40])
    phones = [DEMO_PHONE]
    for r in samples:
        name = decrypt_field("name", r.name_cipher)
        id_no = decrypt_field("id_no", r.id_no_cipher)
        phone = decrypt_field("phone", r.phone_cipher)
        assert r.name_masked == mask_name(name, r.kind)
        assert r.id_no_masked == mask_id_no(id_no)
        assert r.phone_masked == mask_phone(phone)
        assert r.id_no_index == (blind_index("id_no", id_no) if id_no else "")
        assert r.phone_index == (blind_index("phone", phone) if phone else "")
        if phone:
            phones.append(phone)
    table = Rater._meta.db_table
    columns = " OR ".join(f"{c} LIKE %s" for c in SEALED)
    with connection.cursor() as cursor:
        for phone in phones:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {columns}",  # noqa: S608
                           [f"%{phone[3:]}%"] * len(SEALED))
            assert cursor.fetchone()[0] == 0


def _route_exists(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def test_demo_info_prints_working_channels(built: str, client: Client) -> None:
    out = StringIO()
    call_command("demo_info", port=8123, stdout=out)
    text = out.getvalue()
    base = "http://127.0.0.1:8123"
    link = re.search(rf"{base}(/r/\S+)", text)
    qr = re.search(rf"{base}(/q/w/\S+)", text)
    pads = re.findall(rf"{base}(/pad/\?key=(\S+))", text)
    intake_key = re.search(r"办件推送密钥（[^）]+）：(\S+)", text)
    assert link is not None
    assert qr is not None
    assert intake_key is not None
    assert len(pads) == 2  # the window's pad and the kiosk
    for _, raw in pads:
        parsed = keys.parse_key(raw)
        assert parsed is not None
        device = Device.objects.get(key_prefix=parsed[0])
        assert keys.key_matches(raw, device.key_hash)
    assert "curl -X POST" in text

    # The printed intake key works: report one more completed handling at the pad's window.
    window = Device.objects.get(kind="evaluator", key_prefix=keys.parse_key(pads[0][1])[0]).window
    staff = window.staff.first()
    matter = staff.org.matters.first()
    now = timezone.localtime().isoformat(timespec="seconds")
    response = client.post("/api/v1/handlings", content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {intake_key.group(1)}", data={
                               "proj_no": "DEMO-TEST-1", "matter_code": matter.impl_code,
                               "org_code": staff.org.code, "window_code": window.code,
                               "staff_no": staff.staff_no, "status": "completed",
                               "accepted_at": now, "completed_at": now,
                               "applicant_name": DEMO_NAME, "applicant_id_no": DEMO_ID_NO,
                               "applicant_phone": DEMO_PHONE})
    assert response.status_code == 201, response.content

    missing = [p for p in (link.group(1), qr.group(1), "/pad/") if not _route_exists(p)]
    assert missing == [], "public rating pages not routed (haochaping/urls.py)"
    assert client.get(link.group(1)).status_code == 200
    assert client.get(qr.group(1)).status_code == 200
    for path, _ in pads:
        # The pad moves its key into a cookie and redirects to the bare page.
        response = client.get(path, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == "/pad/"


def test_statistics_rollups_match_the_demo_ratings(built: str) -> None:
    from django.db.models import Sum

    from haochaping.stats.models import EvaluationRollup

    real = Evaluation.objects.filter(is_current=True, invalidated_at__isnull=True,
                                     is_default=False)
    fields = [f.name for f in EvaluationRollup._meta.fields]
    level_fields = [name for name in fields if name.startswith("level_")]
    assert level_fields, fields
    rolled = EvaluationRollup.objects.aggregate(**{n: Sum(n) for n in level_fields})
    assert sum(v or 0 for v in rolled.values()) == real.count()


def test_demo_info_points_at_the_statistics_and_disclosure(built: str, client: Client) -> None:
    out = StringIO()
    call_command("demo_info", port=8000, stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/work/stats/" in text
    assert "http://127.0.0.1:8000/gongshi/" in text
    assert "月度报告" in text
    assert client.get("/gongshi/").status_code == 200
    # the printed report opens for the supervisor the line names, with its hash
    report_url = re.search(r"http://127\.0\.0\.1:8000(/api/v1/stats/exports/reports/\d+)",
                           text)[1]
    client.force_login(get_user_model().objects.get(username="supervisor"))
    answer = client.get(report_url)
    assert answer.status_code == 200, answer.content
    assert answer.json()["verified"] is True
    # the printed district opens the dashboard on its own departments and its towns
    district_url = re.search(r"http://127\.0\.0\.1:8000(/work/stats/\?region=\d+)", text)[1]
    page = client.get(district_url).content.decode()
    assert page.count('data-testid="region-row"') >= 2
    assert "本级</td>" in page
    # the printed figures API answers the supervisor with figures by department and month
    figures_url = re.search(r"http://127\.0\.0\.1:8000(/api/v1/stats/figures\?\S+)", text)[1]
    answer = client.get(figures_url)
    assert answer.status_code == 200, answer.content
    assert answer.json()["rows"]
