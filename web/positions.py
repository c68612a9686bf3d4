"""Reading one's own writes by log position: a command's response says the position it wrote (`Jejak-Position`);
a read that sends one back (`Jejak-Min-Position`) waits, up to JEJAK_READ_WAIT_SECONDS, until the read models have
passed it, else answers 503 with Retry-After. Pages do this for the visitor: the session remembers the last position
the visitor's own form posts wrote, and the next page waits for it."""

from __future__ import annotations

import logging

from flask import Flask, Response, has_request_context, request, session

from application.ledger import forget_written, written_position
from infrastructure.container import Jejak
from infrastructure.freshness import wait_until_passed
from web.auth import jejak
from web.pages.render import error_page
from web.problems import problem

POSITION = "Jejak-Position"
MIN_POSITION = "Jejak-Min-Position"
PAGE_POSITION = "jejak_position"  # the session key: the last position this visitor's page posts wrote
RETRY_AFTER = "1"
log = logging.getLogger("jejak.positions")


def init_positions(app: Flask) -> None:
    """Report written positions on every response and hold reads back until their read models pass the asked one;
    where a worker catches the read models up, a command waits (bounded) for its own write before it answers, since
    many commands answer from a read model."""
    system: Jejak = app.extensions["jejak"]
    if not system.settings.catch_up_in_request and not any(
            isinstance(listener, OwnWrite) for listener in system.ledger.after_record):
        system.ledger.after_record.append(OwnWrite(system))

    @app.before_request
    def await_position() -> Response | tuple[str, int, dict[str, str]] | None:
        forget_written()
        if request.method not in ("GET", "HEAD") or request.endpoint in (None, "pages.static"):
            return None
        api = request.path.startswith("/api/")
        raw = request.headers.get(MIN_POSITION) if api else session.get(PAGE_POSITION)
        if raw is None:
            return None
        position = _position(str(raw))
        system = jejak()
        if position is None or position > system.projections.head():
            if not api:  # a session from another database (or a restore): nothing of it to wait for
                session.pop(PAGE_POSITION, None)
                return None
            reason = ("must be a whole number of at least 1" if position is None
                      else f"is past the ledger's last position {system.projections.head()}")
            return problem(400, f"{MIN_POSITION} {reason}", errors={MIN_POSITION: [reason]})
        if wait_until_passed(system.projections, position, system.settings.read_wait_seconds,
                             catch_up=system.settings.catch_up_in_request):
            if not api:
                session.pop(PAGE_POSITION, None)  # passed once, passed for good
            return None
        if api:
            return problem(503, f"the read models have not yet reached position {position}; retry shortly",
                           headers={"Retry-After": RETRY_AFTER})
        text, status = error_page(503, "catching-up")  # the template says it in the visitor's language
        return text, status, {"Retry-After": RETRY_AFTER}

    @app.after_request
    def report_position(response: Response) -> Response:
        written = written_position()
        if written:
            response.headers[POSITION] = str(written)
            if not request.path.startswith("/api/"):
                session[PAGE_POSITION] = max(written, int(session.get(PAGE_POSITION) or 0))
        return response


class OwnWrite:
    """After each write in a request: wait until the worker has projected it (never catching up here)."""

    def __init__(self, system: Jejak):
        self.system = system

    def __call__(self) -> None:
        """Wait up to the read bound; past it the command still answers (its write is durable) and says so in the log."""
        position = written_position()
        if not position or not has_request_context():
            return
        if not wait_until_passed(self.system.projections, position, self.system.settings.read_wait_seconds):
            log.warning("the read models did not reach position %d within %.1f s; is a projection worker running?",
                        position, self.system.settings.read_wait_seconds)


def _position(raw: str) -> int | None:
    """A log position from a header or the session (None when it is not one)."""
    value = raw.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18 or int(value) < 1:
        return None
    return int(value)
