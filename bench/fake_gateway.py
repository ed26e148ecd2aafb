"""A fake SMS gateway for bench_tasks, run as its own process so that serving hundreds
of concurrent sends never competes with the benchmark's own loop for one interpreter:

    python bench/fake_gateway.py PORT_FILE [DELAY_SECONDS]

Every POST is answered 200 after DELAY_SECONDS (default 0.05) with an id; GET /seen
returns {message_id: times received}; GET /reset forgets them. It writes its port to
PORT_FILE once it listens.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path

from aiohttp import web


def main(port_file: str, delay: float) -> None:
    seen: Counter[str] = Counter()

    async def send(request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(delay)
        message_id = str(body.get("message_id", ""))
        seen[message_id] += 1
        return web.json_response({"id": f"gw-{message_id}"})

    async def report(_: web.Request) -> web.Response:
        return web.json_response(dict(seen))

    async def reset(_: web.Request) -> web.Response:
        seen.clear()
        return web.json_response({})

    async def serve() -> None:
        app = web.Application()
        app.add_routes([web.post("/sms", send), web.get("/seen", report),
                        web.get("/reset", reset)])
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = runner.addresses[0][1]
        Path(port_file).write_text(str(port))
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.05)
