"""Start and stop `jejak projections worker` processes beside a system (the worker tests and bench/worker_lag.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from infrastructure.container import Jejak

ROOT = Path(__file__).resolve().parents[1]


def eventually(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Whether the condition holds within the time (checked every 0.1 s; generous: a worker process starting on a
    loaded 2-core machine took more than 15 s to take its projections)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


class Workers:
    """`jejak projections worker` processes on the system's database."""

    def __init__(self, jejak: Jejak):
        self.env = {**os.environ, "JEJAK_VAR_DIR": str(jejak.settings.var_dir),
                    "JEJAK_DATABASE_URL": jejak.settings.database_url, "JEJAK_CATCH_UP_IN_REQUEST": "0",
                    "JEJAK_LOG_FORMAT": "text", "PYTHONPATH": str(ROOT)}
        self.logs = Path(jejak.settings.var_dir)
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        """Start one worker (its log goes to worker-<n>.log in the var directory)."""
        with open(self.logs / f"worker-{len(self.procs)}.log", "wb") as log:
            proc = subprocess.Popen([sys.executable, "-c", "from web.cli import main; main()", "projections",
                                     "worker", *args], env=self.env, cwd=ROOT, stdout=log, stderr=log)
        self.procs.append(proc)
        return proc

    def log_of(self, proc: subprocess.Popen[bytes]) -> str:
        """What a worker has logged so far."""
        return (self.logs / f"worker-{self.procs.index(proc)}.log").read_text(errors="replace")

    def started(self, proc: subprocess.Popen[bytes], seconds: float = 60.0) -> bool:
        """Whether the worker reached its loop within the time (its imports take a while on a busy machine)."""
        return eventually(lambda: "projection worker started" in self.log_of(proc), seconds)

    def stop(self) -> None:
        """Stop every worker started (SIGTERM, then SIGKILL after 20 s)."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
