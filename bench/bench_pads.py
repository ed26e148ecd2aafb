"""Idle evaluator pads: what N pads waiting for work cost the server (issue 3 "Speed":
1,000 idle pads under 20 % of one core).

Two runs on PostgreSQL, each N pads with their own signed device cookie at N windows,
simulated by one asyncio client (raw HTTP/1.1 on loopback):

- short-poll: every pad asks Django ``GET /pad/state?v=0`` every 1.5 s (gunicorn sync
  workers, Redis cache so the counters are shared, as in production);
- long-poll: every pad holds ``GET /pad/wait?v=0`` on ``haochaping padwait`` (re-asking
  on each 204), plus the Django heartbeat every 300 s at a random phase.

Server CPU = utime+stime (from /proc/<pid>/stat) of gunicorn's master and workers, the
padwait process, and the PostgreSQL backends of those processes (found by
``application_name``), over the measured window after a warm-up; "% of one core" is
CPU seconds / wall seconds x 100. Redis is shared with other work and not counted.
The long-poll run ends by completing a handling at one window and timing that pad's
wake-up.

    .venv/bin/python bench/bench_pads.py --size quick|large
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.guards import Guard, large_only  # noqa: E402
from bench.httpload import free_port, gunicorn  # noqa: E402

PG = os.environ.get("HCP_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("HCP_BENCH_REDIS", "redis://127.0.0.1:6379/9")
DB_NAME = "hcp_bench_pads"
SIZES = {"quick": (200, 10.0), "large": (1000, 30.0)}
GUARDS = [
    Guard("short-poll {n} pads: non-204 or failed", "==", 0, "requests", "every poll answered"),
    Guard("long-poll {n} pads: failed", "==", 0, "requests", "every poll answered"),
    Guard("long-poll {n} pads: completion -> pad woken", "<=", 2_000, "ms",
          "the switch bound of tests/browser/test_pad_wait_page.py"),
    *large_only("the target is for 1,000 pads; the quick size runs 200",
                Guard("long-poll {n} pads: server CPU incl. PostgreSQL", "<=", 20,
                      "% of one core", "issue 3 target")),
]
WARMUP = 4.0
POLL_SECONDS = 1.5
HEARTBEAT_SECONDS = 300.0
APP_DJANGO, APP_PADWAIT = "hcp-bench-django", "hcp-bench-padwait"
TICKS = os.sysconf("SC_CLK_TCK")


# --- set-up -------------------------------------------------------------------------------


def _env(url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "haochaping.settings", "DATABASE_URL": url,
            "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "HCP_AXES_ENABLED": "false",
            "REDIS_URL": REDIS, **extra}


def prepare(pads: int) -> tuple[str, list[str]]:
    """A migrated scratch database with ``pads`` windows, one device each; their cookies."""
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    url = f"{PG}/{DB_NAME}"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True,
                   env=_env(url))
    out = subprocess.run([sys.executable, "-c", f"from bench.bench_pads import seed; seed({pads})"],
                         cwd=ROOT, check=True, text=True, capture_output=True, env=_env(url))
    return url, json.loads(out.stdout.strip().splitlines()[-1])


def seed(pads: int) -> None:
    """(In a Django subprocess) windows and devices in bulk; prints the signed cookies."""
    import django

    django.setup()
    from django.core import signing
    from django.core.cache import cache

    from haochaping.accounts.keys import generate_key
    from haochaping.catalog.models import Window
    from haochaping.evaluations.models import Device
    from haochaping.evaluations.public import PAD_COOKIE, PAD_SALT, PadClaim
    from tests import factories as f

    cache.clear()  # the bench's own Redis database: counters start at 0
    city = f.make_org("市政务服务局", kind="supervising", code="BENCHCITY")
    org = f.make_org("市市场监督管理局", parent=city, code="BENCHMARKET")
    hall = f.make_hall(city, code="BENCHHALL")
    f.make_matter(org)
    windows = Window.objects.bulk_create(
        Window(code=f"BW{n:05d}", number=str(n), name=org.name, hall=hall, org=org)
        for n in range(pads))
    keys = [generate_key() for _ in windows]
    devices = Device.objects.bulk_create(
        Device(name=f"评价器{n}", kind="evaluator", window=w, key_prefix=k.prefix,
               key_hash=k.hash) for n, (w, k) in enumerate(zip(windows, keys, strict=True)))
    signer = signing.get_cookie_signer(salt=PAD_COOKIE + PAD_SALT)
    print(json.dumps([signer.sign(PadClaim(d.pk, d.window_id, "evaluator",
                                           d.key_hash[:16]).dumps()) for d in devices]))


def complete_one(window_code: str) -> None:
    """(In a Django subprocess) a handling completed now at the window; prints commit time."""
    import django

    django.setup()
    from django.utils import timezone

    from haochaping.accounts.models import ApiClient
    from haochaping.catalog.models import Matter, Org, Window
    from haochaping.evaluations.tests.factories import make_rater
    from haochaping.handlings.models import Handling

    window = Window.objects.get(code=window_code)
    org = Org.objects.get(code="BENCHMARKET")
    client = ApiClient.objects.filter(org=org).first() or ApiClient.objects.create(
        name="bench", org=org, key_prefix="benchpads", key_hash="0" * 64)
    rater = make_rater()
    now = timezone.now()
    Handling.objects.create(client=client, proj_no="BENCH-PAD-1", matter=Matter.objects.first(),
                            org=org, hall=window.hall, window=window, rater=rater,
                            status="completed", service_channel="offline", accepted_at=now,
                            completed_at=now, content_hash="0" * 64)
    print(time.time())


# --- CPU accounting -----------------------------------------------------------------------


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            pids.extend(_tree(int(child)))
    return pids


def _backends(app: str) -> list[int]:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                            (app,)).fetchall()
    return [int(r[0]) for r in rows]


@dataclass
class Meter:
    """CPU seconds of process trees and database backends between start() and stop()."""

    roots: dict[str, int]
    apps: dict[str, str]
    before: dict[str, dict[int, int]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    started: float = 0.0

    def _sample(self) -> dict[str, dict[int, int]]:
        sample = {name: {p: _cpu_ticks(p) for p in _tree(pid)} for name, pid in self.roots.items()}
        for name, app in self.apps.items():
            sample[name] = {p: _cpu_ticks(p) for p in _backends(app)}
        return sample

    def start(self) -> None:
        self.before = self._sample()
        self.started = time.monotonic()

    def stop(self) -> float:
        after = self._sample()
        wall = time.monotonic() - self.started
        for name, ticks in after.items():
            used = sum(t - self.before[name].get(p, 0) for p, t in ticks.items())
            self.seconds[name] = used / TICKS
        return wall


# --- the pads -----------------------------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def count(self, status: int) -> None:
        self.requests += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return status, body


def _request(path: str, cookie: str, keep_alive: bool) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: hcp_pad={cookie}\r\n"
            f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n").encode()


async def _once(port: int, path: str, cookie: str) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(_request(path, cookie, keep_alive=False))
        status, _ = await _read_response(reader)
        return status
    finally:
        writer.close()


async def short_pad(port: int, cookie: str, tally: Tally, until: float) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(random.uniform(0, POLL_SECONDS))  # noqa: S311
    tick = loop.time()
    while loop.time() < until:
        try:
            tally.count(await _once(port, "/pad/state?v=0", cookie))
        except (OSError, asyncio.IncompleteReadError):
            tally.errors += 1
        tick += POLL_SECONDS
        await asyncio.sleep(max(0.0, tick - loop.time()))


async def long_pad(wait_port: int, django_port: int, cookie: str, tally: Tally, until: float,
                   woke: dict[str, float] | None = None) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(random.uniform(0, 2.0))  # noqa: S311
    beat = loop.time() + random.uniform(0, HEARTBEAT_SECONDS)  # noqa: S311
    reader, writer = await asyncio.open_connection("127.0.0.1", wait_port)
    try:
        while loop.time() < until:
            if loop.time() >= beat:
                beat += HEARTBEAT_SECONDS
                tally.count(await _once(django_port, "/pad/state?v=0", cookie))
            writer.write(_request("/pad/wait?v=0", cookie, keep_alive=True))
            status, _ = await _read_response(reader)
            tally.count(status)
            if status == 200 and woke is not None:
                woke["at"] = time.time()
                return
    except (OSError, asyncio.IncompleteReadError):
        tally.errors += 1
    finally:
        writer.close()


def short_poll(url: str, cookies: list[str], seconds: float) -> dict[str, float]:
    env = _env(url, PGAPPNAME=APP_DJANGO)
    with gunicorn("haochaping.wsgi", env) as base:
        port = int(base.rsplit(":", 1)[1])
        master = _gunicorn_pid(port)
        tally = Tally()

        async def main() -> float:
            loop = asyncio.get_running_loop()
            until = loop.time() + WARMUP + seconds
            pads = asyncio.gather(*(short_pad(port, c, tally, until) for c in cookies))
            await asyncio.sleep(WARMUP)
            meter = Meter({"gunicorn": master}, {"postgres": APP_DJANGO})
            counted = tally.requests
            meter.start()
            await asyncio.sleep(seconds)
            wall = meter.stop()
            done = tally.requests - counted
            await pads
            figures["gunicorn"], figures["postgres"] = (meter.seconds["gunicorn"] / wall,
                                                        meter.seconds["postgres"] / wall)
            return done / wall

        figures: dict[str, float] = {}
        figures["rps"] = asyncio.run(main())
        figures["errors"] = tally.errors + sum(n for s, n in tally.statuses.items() if s != 204)
    return figures


def _gunicorn_pid(port: int) -> int:
    out = subprocess.run(["pgrep", "-f", f"gunicorn haochaping.wsgi .*127.0.0.1:{port}"],
                         capture_output=True, text=True, check=True).stdout.split()
    return min(int(p) for p in out)


def long_poll(url: str, cookies: list[str], seconds: float) -> dict[str, float]:
    wait_port = free_port()
    padwait = subprocess.Popen(
        [sys.executable, "manage.py", "padwait", "--port", str(wait_port)], cwd=ROOT,
        env=_env(url, PGAPPNAME=APP_PADWAIT), stdout=subprocess.PIPE, text=True)
    assert padwait.stdout is not None
    padwait.stdout.readline()  # "padwait listening on ..."
    figures: dict[str, float] = {}
    try:
        env = _env(url, PGAPPNAME=APP_DJANGO, HCP_PAD_WAIT_URL="/pad/wait")
        with gunicorn("haochaping.wsgi", env) as base:
            django_port = int(base.rsplit(":", 1)[1])
            master = _gunicorn_pid(django_port)
            tally = Tally()
            woke: dict[str, float] = {}

            async def main() -> None:
                loop = asyncio.get_running_loop()
                until = loop.time() + WARMUP + seconds + 10
                pads = [asyncio.create_task(long_pad(wait_port, django_port, c, tally, until,
                                                     woke if n == 0 else None))
                        for n, c in enumerate(cookies)]
                await asyncio.sleep(WARMUP)
                meter = Meter({"padwait": padwait.pid, "gunicorn": master},
                              {"postgres_padwait": APP_PADWAIT, "postgres_django": APP_DJANGO})
                counted = tally.requests
                meter.start()
                await asyncio.sleep(seconds)
                wall = meter.stop()
                figures["rps"] = (tally.requests - counted) / wall
                for name, used in meter.seconds.items():
                    figures[name] = used / wall
                completed = await asyncio.to_thread(_complete_at_first_window, url)
                await asyncio.wait_for(pads[0], timeout=10)
                figures["switch"] = woke["at"] - completed
                for task in pads[1:]:
                    task.cancel()
                await asyncio.gather(*pads[1:], return_exceptions=True)

            asyncio.run(main())
            figures["errors"] = tally.errors + sum(
                n for s, n in tally.statuses.items() if s not in (200, 204))
    finally:
        padwait.terminate()
        padwait.wait(timeout=20)
    return figures


def _complete_at_first_window(url: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c",
         "from bench.bench_pads import complete_one; complete_one('BW00000')"],
        cwd=ROOT, check=True, text=True, capture_output=True, env=_env(url))
    return float(out.stdout.strip().splitlines()[-1])


def run(size: str) -> list[tuple[str, float, str]]:
    pads, seconds = SIZES[size]
    url, cookies = prepare(pads)
    short = short_poll(url, cookies, seconds)
    long = long_poll(url, cookies, seconds)
    short_total = 100 * (short["gunicorn"] + short["postgres"])
    long_total = 100 * (long["padwait"] + long["gunicorn"] + long["postgres_padwait"]
                        + long["postgres_django"])
    return [
        (f"short-poll {pads} pads: requests to Django", short["rps"], "req/s"),
        (f"short-poll {pads} pads: non-204 or failed", short["errors"], "requests"),
        (f"short-poll {pads} pads: gunicorn CPU", 100 * short["gunicorn"], "% of one core"),
        (f"short-poll {pads} pads: server CPU incl. PostgreSQL", short_total, "% of one core"),
        (f"long-poll {pads} pads: polls+heartbeats answered", long["rps"], "req/s"),
        (f"long-poll {pads} pads: failed", long["errors"], "requests"),
        (f"long-poll {pads} pads: padwait CPU", 100 * long["padwait"], "% of one core"),
        (f"long-poll {pads} pads: gunicorn CPU (heartbeats)", 100 * long["gunicorn"],
         "% of one core"),
        (f"long-poll {pads} pads: PostgreSQL CPU",
         100 * (long["postgres_padwait"] + long["postgres_django"]), "% of one core"),
        (f"long-poll {pads} pads: server CPU incl. PostgreSQL", long_total, "% of one core"),
        (f"long-poll {pads} pads: completion -> pad woken", 1000 * long["switch"], "ms"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="quick")
    from bench.run import main

    raise SystemExit(main(["--only", "pads", "--size", parser.parse_args().size]))
