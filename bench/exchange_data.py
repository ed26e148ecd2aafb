"""Data of bench/exchange_upward.py, run in its own process with DATABASE_URL set:

    python bench/exchange_data.py seed REMOTE_URL      # prints the ids (JSON)

``seed`` writes the statistics benchmark's city (3,000 orgs, their windows, staff and
matters: ``stats_data.seed_catalog``), one real rater (through the vault, so delivery can
decrypt the identity it uploads), and the remote: the national profile at REMOTE_URL with
the demo-only keys (key env ``DEMO``), routed for ratings only. Ratings are then written by
PostgreSQL itself (``ratings_sql``: one completed handling and one rating each) with the
triggers on, so each rating's commit writes its outbox row, as production does.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haochaping.settings")

from bench.stats_data import GENERATE  # noqa: E402

REMOTE = "bench-national"
KEY_ENV = "DEMO"  # exchange.fakeremote.demokeys: our side of the demo-only keys
BATCH = 100


def ratings_sql(at: str) -> str:
    """The statistics generator writing handlings and ratings stamped ``at`` (an SQL
    expression of the rating's time: ``now()`` for a live load, or spread over a day)."""
    return (GENERATE.replace("%(t0)s::timestamptz + random() * %(span)s * interval '1 second'",
                             at)
            .replace("completed_at + random() * interval '2 days' AS at", "completed_at AS at")
            .replace("CASE WHEN iv < 0.003 THEN at + interval '5 days' END", "NULL"))


# A day of ratings before now (a remote down for a day), and the live load.
DAY_SQL = ratings_sql("now() - interval '1 day' + random() * interval '1 day'")
LIVE_SQL = ratings_sql("now()")


def seed(remote_url: str) -> dict[str, object]:
    import django

    django.setup()
    from bench.stats_data import seed_catalog
    from haochaping.exchange import routes
    from haochaping.exchange.models import Remote
    from haochaping.vault.services import rater_upsert

    ids = seed_catalog()
    rater = rater_upsert(kind="1", name="王芳", id_type="111", id_no="330106200001010013",
                         phone="13900000001")
    remote = Remote.objects.create(
        name=REMOTE, label="国家平台（基准测试：假远端平台）", profile="national",
        base_url=remote_url, key_env=KEY_ENV, kinds=["rating"], batch_size=BATCH,
        rate_per_second=10_000, timeout_seconds=30)
    routes.routes_sync(remote_id=remote.pk)
    return {**ids, "rater": rater.pk, "remote": remote.pk}


if __name__ == "__main__":
    if sys.argv[1:2] != ["seed"] or len(sys.argv) != 3:
        raise SystemExit("usage: exchange_data.py seed REMOTE_URL")
    print(json.dumps(seed(sys.argv[2])))
