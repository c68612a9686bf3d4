"""A write that lost a race to another writer of the same aggregate runs again on the winner's state."""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from application.ledger import rerun_lost_races

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class JejakFlask(Flask):
    """Flask, with unsafe requests whose command lost a race (two reviewers submitting to one round in the same
    millisecond) run again instead of answering 409: the client sent nothing stale."""

    def dispatch_request(self) -> Any:
        """The view's answer, the view run again (up to a bound) while its command loses races before writing."""
        if request.method in SAFE_METHODS:
            return super().dispatch_request()
        # The body is parsed once and cached by the request (no route that records reads an upload's stream).
        return rerun_lost_races(super().dispatch_request)
