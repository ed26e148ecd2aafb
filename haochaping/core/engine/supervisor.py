"""``haochaping worker --processes N``: N worker processes on this machine.

Each child is a one-process ``haochaping worker``; the supervisor forwards SIGTERM/SIGINT
(each child finishes its task in hand) and restarts a child that died, after a pause, so
one poison import or OOM kill does not silently stop a queue. Any number of machines run
their own supervisor against the same database.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from typing import Any

logger = logging.getLogger("haochaping.worker")

RESTART_PAUSE_SECONDS = 2.0


class Supervisor:
    def __init__(self, commands: list[list[str]]) -> None:
        self.commands = commands
        self.children: list[subprocess.Popen[bytes] | None] = [None] * len(commands)
        self.stopping = False

    def _start(self, index: int) -> None:
        self.children[index] = subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "-m", "haochaping.cli", *self.commands[index]])

    def stop(self, signum: int, *_: Any) -> None:
        self.stopping = True
        for child in self.children:
            if child is not None and child.poll() is None:
                child.send_signal(signum)

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        for index in range(len(self.commands)):
            self._start(index)
        while not self.stopping:
            time.sleep(0.5)
            for index, child in enumerate(self.children):
                if child is not None and child.poll() is not None and not self.stopping:
                    logger.error("worker process %s exited with %s; restarting", child.pid,
                                 child.returncode)
                    time.sleep(RESTART_PAUSE_SECONDS)
                    self._start(index)
        codes = [child.wait() for child in self.children if child is not None]
        return max([0, *codes])
