"""Failed-authentication throttling, shared by every worker through a failure log: per account, an exponential
back-off whatever the address; per address, a sliding window with a much higher bound (an office behind one NAT
address must not be locked out by one person's typing)."""

from __future__ import annotations

import hashlib
import math
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

    def stats(self, key: str, since: float) -> tuple[int, float | None, float | None]:
        """How many failures the key had after ``since``, the earliest and the latest."""

    def clear(self, key: str) -> None:
        """Forget the key's failures."""


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
        count, earliest, _ = self.stats(address, since)
        return count, earliest

    def stats(self, key: str, since: float) -> tuple[int, float | None, float | None]:
        """How many failures the key had after ``since``, the earliest and the latest."""
        with self._lock:
            recent = [at for at in self._failures.get(key, ()) if at > since]
        return len(recent), (min(recent) if recent else None), (max(recent) if recent else None)

    def clear(self, key: str) -> None:
        """Forget the key's failures."""
        with self._lock:
            self._failures.pop(key, None)


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

    def fail(self, address: str, now: float | None = None) -> int:
        """Count a failed attempt; return how many seconds the address is now refused for (0: not refused)."""
        now = time.time() if now is None else now
        self.log.record(address, now)
        return self.retry_after(address, now)


def account_key(username: str) -> str:
    """The failure-log key of a username as typed (case-folded, hashed: the log never holds what was typed)."""
    return "account:" + hashlib.sha256(username.strip().casefold().encode("utf-8")).hexdigest()[:48]


class AccountBackoff:
    """Per account: ``free`` failures within ``window`` seconds pass; from then on each failure locks the account for
    ``base`` seconds doubled per further failure (at most ``cap``), from whatever address they come."""

    def __init__(self, free: int = 5, base: float = 30.0, cap: float = 3600.0, window: float = 86_400.0,
                 log: FailureLog | None = None):
        self.free = free
        self.base = base
        self.cap = cap
        self.window = window
        self.log: FailureLog = log or MemoryFailureLog()

    def wait(self, failures: int) -> float:
        """How long ``failures`` failures lock the account (0 below the free allowance)."""
        if failures < self.free:
            return 0.0
        return min(self.cap, self.base * 2 ** min(failures - self.free, 32))

    def retry_after(self, username: str, now: float | None = None) -> int:
        """Seconds the account must wait (0 when it may try)."""
        now = time.time() if now is None else now
        count, _, latest = self.log.stats(account_key(username), now - self.window)
        if latest is None:
            return 0
        return max(0, math.ceil(latest + self.wait(count) - now))

    def fail(self, username: str, now: float | None = None) -> tuple[int, int]:
        """Count a failed attempt; return the failures counted and the seconds they lock the account (0: none)."""
        now = time.time() if now is None else now
        self.log.record(account_key(username), now)
        count, _, _ = self.log.stats(account_key(username), now - self.window)
        return count, math.ceil(self.wait(count))

    def succeeded(self, username: str) -> None:
        """A right password: the account starts again from its free allowance."""
        self.log.clear(account_key(username))
