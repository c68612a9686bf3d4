"""Refuse, with 503 and Retry-After, what a web process cannot serve while its release's read models are still being
rebuilt by a projection worker (``infrastructure.read_model_gate``): reading the tables another release built would
answer 500 or a wrong total. Health, readiness, metrics and the API document stay open."""

from __future__ import annotations

import logging

from flask import Flask, Response, request

from infrastructure.container import Jejak
from web.pages.render import error_page
from web.problems import problem

OPEN_ENDPOINTS = frozenset({"health.health", "health.ready", "metrics", "pages.static", "api-docs.openapi_json",
                            "api-docs.openapi_swagger_ui", "swagger_static"})
RETRY_AFTER = "5"
log = logging.getLogger("jejak.upgrade")


def init_upgrade_gate(app: Flask) -> None:
    """Answer 503 while a read model this process reads is built to another release's definition."""
    system: Jejak = app.extensions["jejak"]

    @app.before_request
    def refuse_while_rebuilding() -> Response | tuple[str, int, dict[str, str]] | None:
        if request.endpoint is None or request.endpoint in OPEN_ENDPOINTS:
            return None
        closed = system.read_model_gate.closed()
        if not closed:
            return None
        log.warning("refused a request: read models %s are not yet rebuilt to this release's definition",
                    ", ".join(closed), extra={"projections": closed})
        if request.path.startswith("/api/"):
            return problem(503, f"this server's release is waiting for its read models ({', '.join(closed)}) to be "
                                "rebuilt by a projection worker; retry shortly",
                           headers={"Retry-After": RETRY_AFTER}, read_models=closed)
        text, status = error_page(503, "upgrading")  # the template says it in the visitor's language
        return text, status, {"Retry-After": RETRY_AFTER}
