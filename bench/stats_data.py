"""The statistics benchmark's data: a city of 3,000 orgs and N completed handlings with
one rating each over 13 months, written by PostgreSQL itself (``generate``), foreign-key
triggers skipped. Used by bench_stats.py and rebuild_months.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import psycopg

ORGS = 3_000
HALLS = 30
MATTERS_PER_ORG = 3
STAFF_PER_ORG = 2
CHUNK = 500_000
SPAN_DAYS = 395  # 13 months of ratings ending three days ago

GENERATE = """
WITH src AS (
  SELECT g, floor(%(orgs)s * power(random(), 2))::int AS o,
         %(t0)s::timestamptz + random() * %(span)s * interval '1 second' AS t
  FROM generate_series(%(g0)s, %(g1)s - 1) AS g
), h AS (
  INSERT INTO handlings_handling (client_id, proj_no, matter_id, org_id, hall_id, window_id,
    staff_id, rater_id, service_channel, status, batch_no, accepted_at, completed_at,
    content_hash, created_at, updated_at)
  SELECT %(client)s, 'BH' || g, %(m0)s + o * %(mpo)s + floor(random() * %(mpo)s)::int,
    %(org0)s + o, %(hall0)s + o %% %(halls)s, %(win0)s + o,
    %(staff0)s + o * %(spo)s + floor(random() * %(spo)s)::int, %(rater)s,
    CASE WHEN random() < 0.35 THEN 'online' ELSE 'offline' END, 'completed', '',
    t - interval '3 hours', t, '', t, t
  FROM src
  RETURNING id, org_id, matter_id, hall_id, window_id, staff_id, completed_at, service_channel
)
INSERT INTO evaluations_evaluation (public_id, handling_id, rater_id, org_id, matter_id,
  hall_id, window_id, staff_id, level, item_levels, content_codes, reason_codes, text,
  channel, standard_version_id, is_default, assess_number, batch_no, client_id, user_agent,
  created_at, is_current, invalidated_at, invalid_reason, notice_version)
SELECT gen_random_uuid(), id, %(rater)s, org_id, matter_id, hall_id, window_id, staff_id,
  CASE WHEN d < 0.05 OR u < 0.80 THEN 5 WHEN u < 0.92 THEN 4 WHEN u < 0.96 THEN 3
       WHEN u < 0.985 THEN 2 ELSE 1 END,
  '{}', '[]', '[]', '',
  CASE WHEN d < 0.05 THEN 'default'
       WHEN service_channel = 'offline' THEN
         CASE WHEN c < 0.7 THEN 'evaluator' WHEN c < 0.85 THEN 'qr_code' ELSE 'sms' END
       ELSE CASE WHEN c < 0.5 THEN 'web' WHEN c < 0.8 THEN 'app' ELSE 'mini_program' END END,
  %(sv)s, d < 0.05, 1, '', %(client)s, '', at, true,
  CASE WHEN iv < 0.003 THEN at + interval '5 days' END, '',
  CASE WHEN d < 0.05 THEN 'none' ELSE '1' END
FROM (SELECT h.*, random() AS u, random() AS d, random() AS c, random() AS iv,
             completed_at + random() * interval '2 days' AS at FROM h) AS r
"""

# Satisfaction by org and month straight from the raw rows (what the rollups replace).


def seed_catalog() -> dict[str, Any]:
    """3,000 orgs under one supervising office, their windows, staff and matters."""
    from haochaping.accounts import services
    from haochaping.accounts.scoping import security_actor
    from haochaping.catalog.models import Hall, Matter, Org, Staff, StandardVersion, Window
    from haochaping.catalog.rules.codes import tree_path
    from haochaping.handlings.models import Rater
    from tests import factories as f

    city = f.make_org("市政务服务局", kind="supervising", code="BSCITY")
    Org.objects.bulk_create(
        Org(code=f"BS{i:05d}", name=f"部门{i}", kind="handling", level="city",
            region=city.region, parent=city, path=tree_path(city.path, f"BS{i:05d}"))
        for i in range(ORGS))
    orgs = list(Org.objects.filter(parent=city).order_by("pk").values_list("pk", flat=True))
    Hall.objects.bulk_create(Hall(code=f"BSH{i:03d}", name=f"大厅{i}", org=city,
                                  region=city.region, level="city") for i in range(HALLS))
    halls = list(Hall.objects.order_by("pk").values_list("pk", flat=True))
    Window.objects.bulk_create(Window(code=f"BSW{i:05d}", number=str(i), name=f"窗口{i}",
                                      hall_id=halls[i % HALLS], org_id=org)
                               for i, org in enumerate(orgs))
    windows = list(Window.objects.order_by("pk").values_list("pk", flat=True))
    Staff.objects.bulk_create(Staff(staff_no=f"BSS{i:06d}", name="王晓明",
                                    org_id=orgs[i // STAFF_PER_ORG])
                              for i in range(ORGS * STAFF_PER_ORG))
    Matter.objects.bulk_create(Matter(code=f"BSM{i:06d}", impl_code=f"BSI{i:06d}",
                                      name="食品经营许可", category="licensing",
                                      org_id=orgs[i // MATTERS_PER_ORG])
                               for i in range(ORGS * MATTERS_PER_ORG))
    sv = StandardVersion.objects.filter(is_active=True).first() or StandardVersion.objects.create(
        code="bench", name="基准测试标准", valid_from=date(2020, 1, 1), is_active=True)
    rater = Rater.objects.create(kind="1", identity_index="bench", name_cipher="-",
                                 name_masked="张*", key_id="bench")
    client, key = services.api_client_create(
        actor=security_actor("bench"), name="bench", org=city,
        scopes=["stats:read", "evaluations:write"], rate_limit_per_minute=100_000)
    first = lambda model: model.objects.order_by("pk").values_list("pk", flat=True)[0]  # noqa: E731
    return {"orgs": ORGS, "org0": orgs[0], "hall0": halls[0], "halls": HALLS,
            "win0": windows[0], "staff0": first(Staff), "m0": first(Matter),
            "mpo": MATTERS_PER_ORG, "spo": STAFF_PER_ORG, "sv": sv.pk, "rater": rater.pk,
            "client": client.pk, "key": key, "city": city.pk}


def generate(url: str, ids: dict[str, Any], rows: int, now: datetime, *,
             span_days: int = SPAN_DAYS) -> None:
    t0 = now - timedelta(days=span_days + 3)
    params = {**ids, "t0": t0, "span": span_days * 86_400}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET synchronous_commit = off")
        for g0 in range(0, rows, CHUNK):
            conn.execute(GENERATE, {**params, "g0": g0, "g1": min(g0 + CHUNK, rows)})
        conn.execute("VACUUM ANALYZE evaluations_evaluation")
        conn.execute("VACUUM ANALYZE handlings_handling")
