"""The pad wait service (``haochaping padwait``): idle evaluator pads long-poll here.

Short-polling ``/pad/state`` through Django costs a request every 1.5 s per pad; 1,000
idle pads keep about 670 requests/s on the sync gunicorn workers. Here one asyncio process
(aiohttp) holds every idle pad's ``GET /pad/wait?v=<version>`` for up to ``hold`` seconds
and learns the versions with ONE query per ``refresh`` second for all windows that have
waiting pads (``public.pad_wait_versions``, run in a single worker thread so the event loop
never blocks on the database). A moved version answers only that window's pads, at once:

- ``200 {"v": "<version>"}`` — the window's work changed; the pad asks Django's
  ``/pad/state`` for the screen, exactly as before;
- ``204`` — held the whole time, or the service is stopping: ask again;
- ``401 {"code": "device.unbound", ...}`` — no valid device cookie. The cookie is
  checked with Django's signing and the pad views' salt; device activity and
  ``Device.last_seen_at`` stay with the Django views (the pad's periodic heartbeat).

A third-party device of the device interface (docs/devices.md) waits here the same way,
with the wait token of its signed ``/api/v1/devices/pending`` in ``X-HCP-Wait-Token``
instead of the cookie (``devices.waiting``).

SIGTERM/SIGINT stop accepting, answer every held poll with 204 and close the database
connection. The reverse proxy routes ``/pad/wait`` here (``docs/channels.md``).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web
from django.db import close_old_connections, connection

from haochaping.evaluations.devices.waiting import WAIT_HEADER, wait_claim
from haochaping.evaluations.public import PAD_COOKIE, pad_claim_of_cookie, pad_wait_versions

log = logging.getLogger(__name__)

HOLD_SECONDS = 25.0
REFRESH_SECONDS = 1.0
MAX_VERSION_LENGTH = 64
NO_STORE = {"Cache-Control": "no-store"}

Fetch = Callable[[list[int]], dict[int, str]]


def fetch_versions(window_ids: list[int]) -> dict[int, str]:
    """Runs in the service's database thread: drop a broken or expired connection first
    (Django's request-boundary rule), then one query for every window."""
    close_old_connections()
    return pad_wait_versions(window_ids)


def _close_connection() -> None:
    connection.close()


class Hub:
    """Held polls by window, and the versions of the last refresh."""

    def __init__(self, fetch: Fetch, refresh: float) -> None:
        self._fetch = fetch
        self._refresh = refresh
        self._waiters: dict[int, dict[asyncio.Future[str | None], str]] = {}
        self._versions: dict[int, str] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="padwait-db")

    @property
    def waiting(self) -> int:
        return sum(len(held) for held in self._waiters.values())

    async def wait(self, window_id: int, version: str, hold: float) -> str | None:
        """The window's new version once it differs from ``version``; None after ``hold``."""
        known = self._versions.get(window_id)
        if known is not None and known != version:
            return known
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        held = self._waiters.setdefault(window_id, {})
        held[future] = version
        try:
            return await asyncio.wait_for(future, hold)
        except TimeoutError:
            return None
        finally:
            held.pop(future, None)
            if not held and self._waiters.get(window_id) is held:
                del self._waiters[window_id]

    async def run(self) -> None:
        """Refresh the versions of the waited-on windows every ``refresh`` seconds."""
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            window_ids = sorted(self._waiters)
            if window_ids:
                try:
                    versions = await loop.run_in_executor(self._executor, self._fetch,
                                                          window_ids)
                except Exception:  # the database is away: keep the pads held, retry
                    log.exception("padwait: reading window versions failed")
                else:
                    self._versions = versions
                    self._wake()
            else:
                self._versions = {}
            await asyncio.sleep(max(0.05, self._refresh - (loop.time() - started)))

    def _wake(self) -> None:
        for window_id, held in self._waiters.items():
            current = self._versions.get(window_id)
            if current is None:
                continue
            for future, version in held.items():
                if version != current and not future.done():
                    future.set_result(current)

    def release_all(self) -> None:
        for held in self._waiters.values():
            for future in held:
                if not future.done():
                    future.set_result(None)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, _close_connection)
        self._executor.shutdown(wait=True)


def _refused() -> web.Response:
    body = {"code": "device.unbound", "field": None,
            "message": "本设备尚未绑定窗口，请使用管理员提供的设备链接"}
    return web.json_response(body, status=401, headers=NO_STORE)


class PadWaitServer:
    """The aiohttp application, its site and the refresh task."""

    def __init__(self, *, hold: float = HOLD_SECONDS, refresh: float = REFRESH_SECONDS,
                 fetch: Fetch = fetch_versions) -> None:
        self.hold = hold
        self.hub = Hub(fetch, refresh)
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._refresher: asyncio.Task[None] | None = None

    async def handle_wait(self, request: web.Request) -> web.Response:
        claim = (pad_claim_of_cookie(request.cookies.get(PAD_COOKIE))
                 or wait_claim(request.headers.get(WAIT_HEADER)))
        if claim is None:
            return _refused()
        version = request.query.get("v", "")[:MAX_VERSION_LENGTH]
        moved = await self.hub.wait(claim.window_id, version, self.hold)
        if moved is None:
            return web.Response(status=204, headers=NO_STORE)
        return web.json_response({"v": moved}, headers=NO_STORE)

    async def start(self, host: str, port: int) -> int:
        app = web.Application()
        app.router.add_get("/pad/wait", self.handle_wait)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None,
                                     shutdown_timeout=5.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, backlog=2048)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._refresher = asyncio.create_task(self.hub.run())
        return self.port

    async def stop(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
        self.hub.release_all()
        if self._runner is not None:
            await self._runner.cleanup()
        await self.hub.close()


async def serve(host: str, port: int, *, hold: float = HOLD_SECONDS,
                refresh: float = REFRESH_SECONDS,
                on_started: Callable[[int], None] | None = None) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly."""
    server = PadWaitServer(hold=hold, refresh=refresh)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    bound = await server.start(host, port)
    if on_started is not None:
        on_started(bound)
    try:
        await stopping.wait()
    finally:
        await server.stop()
