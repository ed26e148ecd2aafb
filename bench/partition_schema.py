"""The scratch tables of bench/partition_switch.py: the ratings table's shape, its
indexes (partitioned or flat), the SQL that fills a month, and how figures are printed."""

from __future__ import annotations

import statistics
from collections.abc import Callable

SCHEMA = "partbench"
MONTHS = [("2026-09-01", "2026-10-01"), ("2026-10-01", "2026-11-01"),
          ("2026-11-01", "2026-12-01")]
NEXT = ("2026-12-01", "2027-01-01")
CURRENT = MONTHS[-1]

COLUMNS = """
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    handling_id bigint NOT NULL,
    rater_id bigint NOT NULL,
    org_id bigint NOT NULL,
    matter_id bigint NOT NULL,
    hall_id bigint,
    window_id bigint,
    staff_id bigint,
    level smallint NOT NULL CHECK (level >= 1 AND level <= 5),
    item_levels jsonb NOT NULL,
    content_codes jsonb NOT NULL,
    reason_codes jsonb NOT NULL,
    text text NOT NULL,
    channel varchar(16) NOT NULL,
    standard_version_id bigint NOT NULL,
    is_default boolean NOT NULL,
    assess_number smallint NOT NULL,
    batch_no varchar(64) NOT NULL,
    invitation_id bigint,
    client_id bigint,
    device_id bigint,
    entered_by_id bigint,
    ip inet,
    user_agent varchar(300) NOT NULL,
    created_at timestamptz NOT NULL,
    is_current boolean NOT NULL,
    superseded_at timestamptz,
    invalidated_at timestamptz,
    invalid_reason varchar(200) NOT NULL
"""

# The 11 non-unique indexes of evaluations_evaluation (7 foreign keys, created_at and the
# three partial ones); the 3 unique ones differ between the two tables.
PLAIN_INDEXES = [
    ("handling", "(handling_id)"), ("rater", "(rater_id)"), ("org", "(org_id)"),
    ("matter", "(matter_id)"), ("hall", "(hall_id)"), ("window", "(window_id)"),
    ("staff", "(staff_id)"), ("created", "(created_at)"),
    ("bad_org", "(org_id, created_at) WHERE level <= 2 AND is_current "
                "AND invalidated_at IS NULL"),
    ("superseded", "(superseded_at) WHERE superseded_at IS NOT NULL"),
    ("invalidated", "(invalidated_at) WHERE invalidated_at IS NOT NULL"),
]

CHANNELS = ("'{evaluator,web,app,sms,default,qr_code,mini_program,kiosk,phone,hotline}'"
            "::text[]")


def index_ddl(table: str, partitioned: bool) -> list[str]:
    key = ", created_at" if partitioned else ""
    out = [
        f"ALTER TABLE {table} ADD PRIMARY KEY (id{key})",
        f"CREATE UNIQUE INDEX {table}_public ON {table} (public_id{key})",
        f"CREATE UNIQUE INDEX {table}_one_current ON {table} (handling_id{key}) "
        "WHERE is_current",
    ]
    out += [f"CREATE INDEX {table}_{name} ON {table} {cols}" for name, cols in PLAIN_INDEXES]
    return out


def fill_sql(table: str, first_id: int, n: int, start: str, end: str, orgs: int) -> str:
    """n ratings with ids first_id.., created_at spread evenly over [start, end)."""
    return f"""
    INSERT INTO {table}
    SELECT g, md5('r' || g)::uuid, g, 1 + (g * 7919) % {max(n, 1000)}, o.org,
           1 + (o.org * 3 + g % 3), o.org, o.org, 1 + o.org * 2 + g % 2,
           lv.level, '{{}}'::jsonb, '["C01","C02"]'::jsonb,
           CASE WHEN lv.level <= 2 THEN '["R01"]'::jsonb ELSE '[]'::jsonb END,
           CASE WHEN r.t < 0.05 THEN repeat('服务态度很好', 4) ELSE '' END,
           ch.channel, 1, ch.channel = 'default', 1, '', NULL, 1, NULL, NULL,
           ('10.0.0.0'::inet + (g % 65536)),
           CASE WHEN ch.channel IN ('web', 'app', 'mini_program', 'qr_code')
                THEN repeat('Mozilla/5.0 ', 8) ELSE '' END,
           timestamptz '{start}' + (g - {first_id}) * ((timestamptz '{end}'
               - timestamptz '{start}') / {n}),
           r.s >= 0.01,
           CASE WHEN r.s < 0.01 THEN timestamptz '{start}' + interval '40 days' END,
           CASE WHEN r.s >= 0.01 AND r.s < 0.013
                THEN timestamptz '{start}' + interval '40 days' END,
           ''
    FROM generate_series({first_id}::bigint, {first_id + n - 1}) g
    CROSS JOIN LATERAL (SELECT random() AS a, random() AS b, random() AS s,
                               random() AS t, g AS k) r
    CROSS JOIN LATERAL (SELECT 1 + floor({orgs} * power(r.a, 3))::int AS org) o
    CROSS JOIN LATERAL (SELECT CASE WHEN r.b < 0.80 THEN 5 WHEN r.b < 0.92 THEN 4
                                    WHEN r.b < 0.96 THEN 3 WHEN r.b < 0.985 THEN 2
                                    ELSE 1 END AS level) lv
    CROSS JOIN LATERAL (SELECT ({CHANNELS})[1 + (g * 31) % 10] AS channel) ch
    """


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:,.2f} ms" if value < 10 else f"{value:,.1f} ms"


def summary(values: list[float], unit: Callable[[float], str] = ms) -> str:
    med = statistics.median(values)
    return f"{unit(med)} (min {unit(min(values))}, max {unit(max(values))}, n={len(values)})"
