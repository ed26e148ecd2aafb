"""Start a fake remote as its own process and talk to its control API: for the contract
tests, the benchmarks and the check command's tests.

    with FakeRemoteProcess("jiangxi") as remote:
        remote.control(fail_next=2)
        ...
        remote.received("rating")

The process is the real command (``python -m haochaping.cli exchange fake-remote``) on a
free port it picks itself and writes to a file (no race for a port), with this checkout
first on ``PYTHONPATH`` so it runs the code under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

from haochaping.exchange.kit_http import json_call

ROOT = Path(__file__).resolve().parents[3]  # the checkout holding the haochaping package


class FakeRemoteProcess:
    def __init__(self, profile: str = "national", *, key_env: str = "",
                 env: dict[str, str] | None = None, seed: int = 0, journal: Path | None = None,
                 keys_only: bool = False, quiet: bool = True, profile_file: Path | None = None,
                 extra: tuple[str, ...] = ()) -> None:
        self.profile = profile
        which = ["--profile-file", str(profile_file)] if profile_file else ["--profile", profile]
        self.args = [*which, "--seed", str(seed), *extra]
        if key_env:
            self.args += ["--key-env", key_env]
        if journal is not None:
            self.args += ["--journal", str(journal)]
        if keys_only:
            self.args.append("--keys-only")
        if quiet:
            self.args.append("--quiet")
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        self.env = {**os.environ, **(env or {}), "PYTHONPATH": path,
                    "DJANGO_SETTINGS_MODULE": "haochaping.settings"}
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self._dir = tempfile.TemporaryDirectory(prefix="fake-remote-")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> FakeRemoteProcess:
        port_file = Path(self._dir.name) / "port"
        log = (Path(self._dir.name) / "stderr").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "haochaping.cli", "exchange", "fake-remote", "--port", "0",
             "--port-file", str(port_file), *self.args],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=log)
        log.close()
        deadline = time.monotonic() + timeout
        while not port_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                errors = (Path(self._dir.name) / "stderr").read_text(errors="replace")
                raise RuntimeError(f"the fake remote did not start:\n{errors[-2000:]}")
            time.sleep(0.05)
        self.port = int(port_file.read_text())
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()

    def __enter__(self) -> FakeRemoteProcess:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # --- the control API --------------------------------------------------------------

    def control(self, **changes: Any) -> dict[str, Any]:
        """Change the script (``behaviour.Behaviour`` fields); returns the new one."""
        answer: dict[str, Any] = json_call("POST", f"{self.url}/_control", changes)
        return answer

    def reset(self) -> None:
        json_call("POST", f"{self.url}/_reset", {})

    def forget(self, kind: str, keys: list[str]) -> int:
        """The remote loses these records (a planted difference)."""
        answer: dict[str, Any] = json_call("POST", f"{self.url}/_forget",
                                           {"kind": kind, "keys": keys})
        return int(answer["forgotten"])

    def summary(self) -> dict[str, Any]:
        answer: dict[str, Any] = json_call("GET", f"{self.url}/_received")
        return answer

    def received(self, kind: str, *, offset: int = 0, limit: int = 200_000,
                 fields: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        query = {"kind": kind, "offset": offset, "limit": limit}
        if fields:
            query["fields"] = ",".join(fields)
        answer: list[dict[str, Any]] = json_call("GET", f"{self.url}/_received?{urlencode(query)}")
        return answer

    def send_down(self, url: str, kind: str, **options: Any) -> dict[str, Any]:
        answer: dict[str, Any] = json_call("POST", f"{self.url}/_send",
                                           {"url": url, "kind": kind, **options}, timeout=120)
        return answer
