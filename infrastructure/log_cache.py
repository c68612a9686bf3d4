"""Answers read from read models, kept in this process while the log stores nothing those read models read.

A read model changes only when an event of its topics is stored and projected, so an answer read from it at one
head of the log holds at a later head when no event of those topics lies between (one topic-filtered read of the
log tells). Entries also expire after ``ttl`` seconds, which bounds how long a change made outside the log (a
rebuild that parks an event, an edit by hand) could go unseen.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LogCache(Generic[K, V]):
    """Values by key, valid while no event the given read models read has been stored since they were read."""

    def __init__(self, head: Callable[[], int], touched: Callable[[int, int], bool],
                 current: Callable[[], bool] | None = None, ttl: float = 30.0, size: int = 10_000,
                 probe: Callable[[int], tuple[int, bool]] | None = None):
        self.head = head  # the position of the last stored event
        self.touched = touched  # touched(a, b): an event the read models read lies in (a, b]
        # probe(a): the head and whether an event the read models read lies after a, in one read (for ``lookup``)
        self.probe = probe
        # current(): the read models have taken every event of their topics (else a value read from them now is
        # not kept: with a separate projection worker, an event may be stored before it is projected)
        self.current = current
        self.ttl = ttl
        self.size = size
        self._head = -1
        self._entries: dict[K, tuple[float, V]] = {}

    def get(self, key: K, head: int) -> V | None:
        """The value for ``key`` if it was read at ``head``, or at an earlier head with nothing relevant stored
        since, and is not older than ``ttl``."""
        last = self._head
        if not self._advance(last, head, lambda: self.touched(last, head)):
            return None
        return self._fresh(key)

    def lookup(self, key: K) -> tuple[int, V | None]:
        """The head of the log now and, as ``get`` gives it, the value for ``key`` there; with ``probe`` both
        come from one read."""
        if self.probe is None:
            head = self.head()
            return head, self.get(key, head)
        last = self._head
        head, touched = self.probe(last)
        if not self._advance(last, head, lambda: touched):
            return head, None
        return head, self._fresh(key)

    def _advance(self, last: int, head: int, touched: Callable[[], bool]) -> bool:
        """Move the entries read at ``last`` to ``head`` when nothing relevant was stored between; False when they
        cannot serve ``head``. Threads may race here; each outcome errs towards reading again, never towards an
        answer older than the head checked."""
        if head != last:
            if not self._entries or head < last or touched():
                return False
            self._head = head
        return True

    def _fresh(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is None or time.monotonic() - found[0] > self.ttl:
            return None
        return found[1]

    def put(self, key: K, head: int, value: V) -> None:
        """Keep a value read at ``head`` (a head read before the value was), forgetting those of other heads."""
        if head != self._head or len(self._entries) >= self.size:
            self._entries = {}
            self._head = head
        self._entries[key] = (time.monotonic(), value)

    def cached(self, key: K, read: Callable[[], V]) -> V:
        """The kept value for ``key``, or ``read()`` (kept when the read models are current)."""
        head = self.head()
        found = self.get(key, head)
        if found is None:
            keep = self.current is None or self.current()  # asked before reading, so the value is at least as new
            found = read()
            if keep:
                self.put(key, head, found)
        return found
