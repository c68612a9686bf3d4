"""Jejak's Flask: a write that lost a race to another writer of the same aggregate runs again on the winner's
state; Flask's sync wrapping of hooks and views is worked out once per function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, request

from application.ledger import rerun_lost_races

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SYNC_KEPT = 2000


class JejakFlask(Flask):
    """Flask, with unsafe requests whose command lost a race (two reviewers submitting to one round in the same
    millisecond) run again instead of answering 409 (the client sent nothing stale), and ``ensure_sync`` kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask's answer for a hook or view, kept: Flask asks it of every hook and the view on every request, and
        each answer inspected the function's code flags again (a dozen per request)."""
        found = self._sync.get(func)
        if found is None:
            found = super().ensure_sync(func)
            if len(self._sync) < _SYNC_KEPT:  # hooks and views are few; anything else is not kept
                self._sync[func] = found
        return found

    def dispatch_request(self) -> Any:
        """The view's answer, the view run again (up to a bound) while its command loses races before writing."""
        if request.method in SAFE_METHODS:
            return super().dispatch_request()
        # The body is parsed once and cached by the request (no route that records reads an upload's stream).
        return rerun_lost_races(super().dispatch_request)
