#!/usr/bin/env python3
"""Screenshots of the main screens into docs/screens/ (issue 16), for the README.

    .venv/bin/python scripts/screens.py [--var /tmp/hcp-screens] [--port 8765]

Builds a small demo database in its own var directory (``HCP_VAR_DIR``; reused when it
exists), starts ``manage.py runserver`` on it, and drives Debian's /usr/bin/chromium
headless with Playwright: the public home, the 公示专栏, the ranking and a rating page on
a phone, the evaluator pad, a handler's home, the dashboard and a work order. Each PNG is
kept under 300 KB (a screen, not the whole page, where a page is long).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screens"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Hcp-Demo-2026!"  # haochaping.demo.logins.DEMO_PASSWORD (demo only)
LIMIT = 300_000
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=capture, text=True)
    return done.stdout if capture else ""


def wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (our own server)
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"服务未能启动：{url}")


def after(info: str, heading: str) -> str:
    """The first path on the line after the one containing ``heading`` in demo_info."""
    lines = info.splitlines()
    for i, line in enumerate(lines):
        if heading in line:
            found = re.search(r"https?://[^/\s]+(/\S*)", lines[i + 1] + " " + line)
            if found:
                return found.group(1)
    raise SystemExit(f"demo_info 中没有“{heading}”")


def shoot(page: Any, name: str, full: bool = False) -> None:
    path = OUT / f"{name}.png"
    page.wait_for_timeout(600)  # charts and htmx swaps settle
    height = page.evaluate("document.documentElement.scrollHeight")
    clip = None
    if full:
        clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": min(height, 2200)}
    page.screenshot(path=str(path), full_page=full, clip=clip)
    size = path.stat().st_size
    if size > LIMIT:  # fall back to the first screen
        page.screenshot(path=str(path))
        size = path.stat().st_size
    sys.stdout.write(f"  {path.relative_to(ROOT)}  {size // 1024} KB\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var", default="/tmp/hcp-screens")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    base = f"http://127.0.0.1:{options.port}"
    env = {**os.environ, "HCP_VAR_DIR": options.var, "HCP_PUBLIC_BASE_URL": base,
           "DJANGO_SETTINGS_MODULE": "haochaping.settings"}
    env.setdefault("PYTHONPATH", str(ROOT))
    if not (Path(options.var) / "haochaping.sqlite3").exists():
        sys.stdout.write("构建演示数据库 …\n")
        manage(env, "migrate", "-v0")
        manage(env, "demo", "--size", "small")
    info = manage(env, "demo_info", "--port", str(options.port), capture=True)
    invite, pad = after(info, "1. 评价链接"), after(info, "3. 评价器")
    order = re.search(r"#\d+\s+https?://[^/\s]+(/work/orders/\d+/)", info)
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload",
                               f"127.0.0.1:{options.port}"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"{base}/healthz")
        OUT.mkdir(parents=True, exist_ok=True)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            shots(browser, base, invite, pad, order.group(1) if order else None)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def shots(browser: Any, base: str, invite: str, pad: str, order: str | None) -> None:
    def tab(viewport: dict[str, int], **kw: Any) -> Any:
        context = browser.new_context(locale="zh-CN", base_url=base, viewport=viewport, **kw)
        return context.new_page()

    public = tab(DESKTOP)
    public.goto("/")
    shoot(public, "public-home", full=True)
    public.goto("/gongshi/")
    shoot(public, "gongshi", full=True)
    phone = tab(PHONE, is_mobile=True, has_touch=True, device_scale_factor=1)
    phone.goto("/gongshi/paiming/")
    shoot(phone, "ranking-phone", full=True)
    phone.goto(invite)
    shoot(phone, "rating-phone", full=True)
    device = tab({"width": 1280, "height": 800})
    device.goto(pad)
    device.wait_for_selector("[data-screen]")
    shoot(device, "pad")
    for user, path, name in (("handler", "/", "staff-home"),
                             ("supervisor", "/work/stats/", "dashboard"),
                             ("supervisor", order, "work-order")):
        if path is None:
            continue
        staff = tab(DESKTOP)
        staff.goto(f"/accounts/login/?next={path}")
        staff.fill("input[name=username]", user)
        staff.fill("input[name=password]", PASSWORD)
        staff.click("button[type=submit]")
        staff.wait_for_load_state("networkidle")
        shoot(staff, name)
        staff.context.close()


if __name__ == "__main__":
    main()
