"""Failed-authentication throttling per client address, shared by every worker through a failure log."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Protocol


class FailureLog(Protocol):
    """Where failed attempts are kept (the database in a server, memory in a unit test)."""

    def record(self, address: str, at: float) -> None:
        """Store one failed attempt."""

    def since(self, address: str, since: float) -> tuple[int, float | None]:
        """How many failures the address had after ``since``, and the earliest of them."""


class MemoryFailureLog:
    """A failure log for one process."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def record(self, address: str, at: float) -> None:
        """Store one failed attempt."""
        with self._lock:
            self._failures.setdefault(address, deque()).append(at)

    def since(self, address: str, since: float) -> tuple[int, float | None]:
        """How many failures the address had after ``since``, and the earliest of them."""
        with self._lock:
            recent = [at for at in self._failures.get(address, ()) if at > since]
        return len(recent), (min(recent) if recent else None)


class FailureLimiter:
    """Allows ``limit`` failures per address in a sliding ``window`` of seconds, then refuses until it clears."""

    def __init__(self, limit: int = 10, window: float = 60.0, log: FailureLog | None = None):
        self.limit = limit
        self.window = window
        self.log: FailureLog = log or MemoryFailureLog()

    def retry_after(self, address: str, now: float | None = None) -> int:
        """Seconds the address must wait (0 when it may try)."""
        now = time.time() if now is None else now
        count, earliest = self.log.since(address, now - self.window)
        if count < self.limit or earliest is None:
            return 0
        return max(1, int(earliest + self.window - now) + 1)

    def fail(self, address: str, now: float | None = None) -> None:
        """Count a failed attempt."""
        self.log.record(address, time.time() if now is None else now)
