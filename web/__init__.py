"""Flask app factory: JSON API under /api with problem+json errors and an OpenAPI document; pages outside /api."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, send_from_directory
from werkzeug.wrappers import Response

from infrastructure.config import Settings
from infrastructure.container import Jejak
from web import (
    access,
    accounts,
    appraisals,
    audit,
    award_proposals,
    contacts,
    development,
    dialogues,
    employees,
    exports,
    feedback,
    grievances,
    health,
    inbox,
    mentoring,
    persons,
    plans,
    promotions,
    question_sets,
    rule_sets,
    service_records,
    standing,
    talent,
    target_proposals,
    timeline,
    trainings,
    units,
    upward_feedback,
)
from web.auth import init_auth, public
from web.bodies import init_bodies
from web.cookie_sessions import CookieSessions
from web.fast_json import FastJSONProvider
from web.headers import init_headers
from web.observability import init_observability
from web.pages import init_pages
from web.positions import init_positions
from web.problems import ProblemApi, register_error_handlers
from web.races import JejakFlask
from web.upgrade_gate import init_upgrade_gate

BLUEPRINTS = (
    health.blp, access.blp, accounts.blp, units.blp, employees.blp, rule_sets.blp, question_sets.blp, feedback.blp,
    audit.blp, appraisals.blp, trainings.blp, talent.blp, mentoring.blp, timeline.blp, promotions.blp, grievances.blp,
    service_records.blp, contacts.blp, exports.blp, standing.blp, development.blp, plans.blp, dialogues.blp,
    target_proposals.blp, upward_feedback.blp, award_proposals.blp, persons.blp, inbox.blp,
)


def serving_app() -> Flask:
    """The app as a server process runs it (``wsgi.py``): what it holds for its lifetime (modules, schemas, table
    metadata, compiled statements) is never garbage, so it is moved out of the collector's reach and its full
    passes stop walking it every few hundred requests."""
    app = create_app()
    gc.collect()
    gc.freeze()
    return app


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` may carry JEJAK_SETTINGS (Settings) or JEJAK (a ready Jejak)."""
    app = JejakFlask(__name__)
    app.config.update(
        API_TITLE="Jejak",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/api/docs/static/",
    )
    if config:
        app.config.update(config)
    system: Jejak = app.config.get("JEJAK") or Jejak(app.config.get("JEJAK_SETTINGS") or Settings.from_env())
    app.config["SECRET_KEY"] = system.settings.secret_key
    app.config["MAX_CONTENT_LENGTH"] = system.settings.max_body_bytes
    app.extensions["jejak"] = system
    app.json = FastJSONProvider(app)  # keys in the order the schemas give them, encoded by orjson
    app.session_interface = CookieSessions()

    api = ProblemApi(app, spec_kwargs={"info": {"description": "Auditable career management for the civil service"}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    app.extensions["jejak_api"] = api
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    for endpoint in ("api-docs.openapi_json", "api-docs.openapi_swagger_ui"):
        app.view_functions[endpoint] = public(_plain(app.view_functions[endpoint]))
    _serve_swagger_assets(app)
    init_observability(app)  # first: its clock must start before authentication can answer
    init_upgrade_gate(app)  # before authentication, which reads read models too
    init_auth(app)
    init_positions(app)  # after authentication: only a known caller may hold a thread waiting
    init_bodies(app)
    init_headers(app, system.settings.secure_cookies)
    register_error_handlers(app)
    init_pages(app)
    return app


def _serve_swagger_assets(app: Flask) -> None:
    """Serve Swagger UI's files from the installed package (the machines have no internet)."""
    try:
        import swagger_ui_bundle
    except ImportError:  # the docs page degrades; the JSON document still works
        return
    folder = swagger_ui_bundle.swagger_ui_path

    def swagger_static(filename: str) -> Response:
        return send_from_directory(folder, filename)

    app.add_url_rule("/api/docs/static/<path:filename>", "swagger_static", public(swagger_static))


def _plain(view: Callable[..., Any]) -> Callable[..., Any]:
    """A function wrapper around a bound method, so it can carry the authorization mark."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)

    return wrapper
