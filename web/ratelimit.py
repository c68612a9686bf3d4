"""Failed-authentication throttling per client address (in-process, per worker)."""

from __future__ import annotations

import threading
import time
from collections import deque


class FailureLimiter:
    """Allows ``limit`` failures per address in a sliding ``window`` of seconds, then refuses until it clears."""

    def __init__(self, limit: int = 10, window: float = 60.0):
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str, now: float | None = None) -> int:
        """Seconds the address must wait (0 when it may try)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            recent = self._prune(address, now)
            if len(recent) < self.limit:
                return 0
            return max(1, int(recent[0] + self.window - now) + 1)

    def fail(self, address: str, now: float | None = None) -> None:
        """Count a failed attempt."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._prune(address, now).append(now)

    def _prune(self, address: str, now: float) -> deque[float]:
        recent = self._failures.setdefault(address, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(self._failures) > 100_000:  # bound memory under a spray of addresses
            self._failures = {a: d for a, d in self._failures.items() if d}
        return recent
