"""Run a WSGI app under gunicorn (sync workers) and load it with wrk on loopback.

Shared by the HTTP benchmarks. wrk comes from Debian (`apt-get install wrk`); gunicorn from
the project's requirements. Every run is bounded in time and sends traffic to 127.0.0.1 only.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = r"""
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  tid = tonumber(wrk.thread:get("tid")) or 0
end
request = function()
  counter = counter + 1
  local n = OFFSET + tid * STRIDE + (counter % STRIDE)
  local body = string.format(BODY, n, n)
  return wrk.format("POST", PATH, HEADERS, body)
end
"""


# Load runs (warm-ups included) that got an answer other than 2xx/3xx or left a request
# unanswered; bench/run.py fails the run on any.
FAILED_LOADS: list[str] = []


@dataclass
class LoadResult:
    requests_per_s: float
    p99_ms: float
    p50_ms: float
    non_2xx: int
    errors: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(wsgi: str, env: dict[str, str], workers: int = 5,
             log: Path | None = None) -> Iterator[str]:
    """``log``: write the server's and the workers' stderr there (e.g. to count errors)."""
    port = free_port()
    gunicorn_bin = str(Path(os.sys.executable).parent / "gunicorn")  # type: ignore[attr-defined]
    stderr = open(log, "w") if log else None  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [gunicorn_bin, wsgi, "--workers", str(workers), "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "2048"],
        cwd=ROOT, env={**os.environ, **env}, stderr=stderr,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/", timeout=1)  # noqa: S310
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if stderr is not None:
            stderr.close()


def wrk(url: str, path: str, body_format: str, headers: dict[str, str], *, connections: int,
        seconds: int, limit: int, offset: int = 0) -> LoadResult:
    """POST ``body_format`` (``%d`` filled with a row number) for ``seconds``; each wrk
    thread cycles through its own slice of the numbers offset…offset+limit-1."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    threads = min(2, connections)
    stride = max(1, limit // threads)
    header_lua = "{" + ", ".join(f'["{k}"]="{v}"' for k, v in headers.items()) + "}"
    script = (LUA.replace("OFFSET", str(offset)).replace("STRIDE", str(stride))
              .replace("LIMIT", str(limit))
              .replace("BODY", _lua_string(body_format)).replace("PATH", _lua_string(path))
              .replace("HEADERS", header_lua))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", fh.name,
         url], capture_output=True, text=True, timeout=seconds + 60, check=True,
    ).stdout
    os.unlink(fh.name)
    result = parse_wrk(out)
    if result.non_2xx or result.errors:
        FAILED_LOADS.append(
            f"POST {path} at {connections} connections for {seconds} s: {result.non_2xx} "
            f"answers other than 2xx/3xx, {result.errors} socket errors (wrk)")
    return result


def _lua_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(out: str) -> LoadResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errs = re.search(r"Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)", out)
    return LoadResult(rps, p99, p50, int(non2xx.group(1)) if non2xx else 0,
                      sum(int(g) for g in errs.groups()) if errs else 0)
