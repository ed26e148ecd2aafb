"""Bulk handling intake through the API: bulks of 1,000 posted with a real API key
through Django's test client (auth, validation, PII encryption, idempotency, deadlines).

Runs in a throw-away test database (``test_<name>`` of the configured DATABASE_URL).
``run(size)`` returns (figure, value, unit) triples; as a script it prints one line per
figure. Target (issue 3): ≥ 10,000 handlings/s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

SIZES = {"quick": 5_000, "large": 100_000}
BULK = 1_000


def _setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haochaping.settings")
    import django

    django.setup()


def _items(count: int, world: Any, status: str) -> list[dict[str, Any]]:
    from haochaping.handlings.tests.support import person_id

    done = status == "3"
    return [{
        "projectNo": f"BJ{n:08d}", "taskCode": world.matter.impl_code,
        "serviceVersion": world.matter.version, "orgcode": world.org.code,
        "windowCode": world.windows[n % len(world.windows)].code,
        "proStatus": status, "acceptDate": "2025-03-03 09:00:00",
        "resultDate": "2025-03-03 09:30:00" if done else None,
        "userProp": "1", "userName": "张晓明", "certKey": person_id(n),
        "telPhone": f"139{n:08d}",
    } for n in range(count)]


def _world() -> Any:
    from types import SimpleNamespace

    from haochaping.accounts import services
    from haochaping.accounts.scoping import system_actor
    from haochaping.core import testing as f

    city = f.make_org("市政务服务局", kind="supervising", code="BENCHCITY")
    org = f.make_org("市市场监督管理局", parent=city, code="BENCHMARKET")
    hall = f.make_hall(city, code="BENCHHALL")
    windows = [f.make_window(hall, org, number=str(i)) for i in range(20)]
    _, key = services.api_client_create(actor=system_actor("bench"), name="bench", org=org,
                                        scopes=["handlings:write"],
                                        rate_limit_per_minute=100_000)
    return SimpleNamespace(org=org, windows=windows, matter=f.make_matter(org), key=key)


def _post_all(items: list[dict[str, Any]], key: str) -> tuple[str, float, str]:
    import json

    from django.test import Client

    client = Client()
    bodies = [json.dumps(items[i:i + BULK]) for i in range(0, len(items), BULK)]
    start = time.perf_counter()
    for body in bodies:
        response = client.post("/api/v1/handlings/bulk", body, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {key}")
        data = response.json()
        if response.status_code != 200 or data["errors"]:
            raise RuntimeError(f"intake failed: {response.status_code} {data}")
    elapsed = time.perf_counter() - start
    return ("", round(len(items) / elapsed), "handlings/s")


def _figures(count: int) -> list[tuple[str, float, str]]:
    from django.conf import settings

    # As in production: DEBUG would log (and quote) every SQL statement.
    settings.DEBUG = False
    world = _world()
    figures = []
    for label, status in (("bulk intake, new (accepted)", "2"),
                          ("bulk intake, status update (completed)", "3"),
                          ("bulk intake, identical re-send", "3")):
        _, value, unit = _post_all(_items(count, world, status), world.key)
        figures.append((label, value, unit))
    return figures


def run(size: str) -> list[tuple[str, float, str]]:
    _setup()
    from django.db import connection

    count = SIZES[size]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        figures = _figures(count)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return [(f"{label} ({count}, {connection.vendor})", value, unit)
            for label, value, unit in figures]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="quick")
    for name, value, unit in run(parser.parse_args().size):
        print(f"{name}: {value} {unit}")
