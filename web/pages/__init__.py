"""Server-rendered pages (outside /api) on the same application services, views and role rules as the API."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, request, session
from flask_babel import Babel
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from application.errors import ApplicationError, Conflict, Forbidden, NotFound, PreconditionFailed
from domain.errors import DomainError, StateConflict
from domain.text import UNSAFE_TEXT_REASON, describe, unsafe_paths
from infrastructure.config import Settings
from infrastructure.cursor import BadCursor
from infrastructure.sessions import SESSION_LIFETIME
from web.pages import (
    audit,
    development,
    documents,
    employee_import,
    feedback,
    grievances,
    hr,
    i18n,
    people,
    persons,
    pickers,
    profile,
    promotions,
    signin,
    tokens,
)
from web.pages import exports as export_pages
from web.pages.access import load_session
from web.pages.event_words import event_word, read_word
from web.pages.messages import field_label, rule_title, say, say_field, say_note
from web.pages.render import error_page

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
LOCALES = ("id", "en")
csrf = CSRFProtect()

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")
for child in (signin.bp, feedback.bp, people.bp, hr.bp, audit.bp, promotions.bp, grievances.bp, export_pages.bp,
              employee_import.bp, documents.bp, profile.bp, development.bp, tokens.bp,
              persons.bp, pickers.bp):
    bp.register_blueprint(child)


def init_pages(app: Flask) -> None:
    """Register the pages, sessions, CSRF protection and translations on the app."""
    settings = jejak_settings(app)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=settings.secure_cookies)
    # the cookie lapses with the server's session (Flask's own default of 31 days would otherwise win)
    app.config["PERMANENT_SESSION_LIFETIME"] = app.extensions["jejak"].page_sessions.lifetime
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # /api uses bearer tokens, never cookies
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", int(SESSION_LIFETIME.total_seconds()))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "id")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Jakarta")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(HERE / "translations")
    csrf.init_app(app)
    Babel(app, locale_selector=select_locale)
    i18n.register_filters(app)
    app.jinja_env.filters.update(field_message=say_field, field_label=field_label, rule_title=rule_title,
                                 event_word=event_word, read_word=read_word)
    app.jinja_env.globals.update(say_note=say_note)
    app.register_blueprint(bp)
    for code in (404, 405):
        app.register_error_handler(code, unmatched)


def unmatched(e: HTTPException) -> Any:
    """A path no route matches: problem+json under /api, a page elsewhere."""
    if request.path.startswith("/api/") or request.path == "/api":
        return current_app.extensions["jejak_api"].handle_http_exception(e)
    return error_page(e.code or 404, None)


def jejak_settings(app: Flask) -> Settings:
    """The settings of the app's system."""
    settings: Settings = app.extensions["jejak"].settings
    return settings


def select_locale() -> str:
    """Bahasa Indonesia unless the visitor chose English."""
    lang = session.get("lang")
    return lang if lang in LOCALES else "id"


@bp.before_request
def before_page() -> tuple[str, int] | None:
    """Who is signed in; every form post must carry the session's CSRF token; no field may hold text that no
    stored record may hold (the API's rule, domain.text, checked before any page reads the input)."""
    load_session()
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()
    given = {key: request.values.getlist(key) for key in request.values}
    for field, character in unsafe_paths(given):
        name = field.split(".")[0]
        log.info("refused unsafe text in %s: %s (%s)", name, UNSAFE_TEXT_REASON, describe(character))
        return error_page(422, _("The field %(name)s holds characters that cannot be stored (control characters).",
                                 name=name))
    return None


@bp.after_request
def no_store(response: Response) -> Response:
    """Pages show personal records: never cache them."""
    if request.endpoint != "pages.static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(CSRFError)
def csrf_refused(e: CSRFError) -> tuple[str, int]:
    """A form without a valid CSRF token (expired page or a forged request) changes nothing."""
    log.warning("CSRF refused on %s %s: %s", request.method, request.path, e.description)
    return error_page(400, "csrf")


@bp.errorhandler(BadCursor)
def bad_cursor(e: BadCursor) -> tuple[str, int]:
    """A page link whose cursor this site did not make (edited, or from another list)."""
    return error_page(400, "cursor")


@bp.errorhandler(503)
def unavailable(e: HTTPException) -> tuple[str, int]:
    """Sign-in state cannot be read from up-to-date read models (see web.auth.security_read_models_ready)."""
    return error_page(503, _("Signing in is unavailable for a moment; try again shortly."))


@bp.errorhandler(NotFound)
def not_found(e: NotFound) -> tuple[str, int]:
    """The application found nothing by that id (or nothing the caller may see)."""
    return error_page(404, say(e))


@bp.errorhandler(Forbidden)
def forbidden(e: Forbidden) -> tuple[str, int]:
    """The application refused the caller."""
    return error_page(403, say(e))


@bp.errorhandler(PreconditionFailed)
@bp.errorhandler(Conflict)
def conflict(e: ApplicationError) -> tuple[str, int]:
    """Someone changed the record meanwhile, or it collides with existing state."""
    return error_page(409, say(e))


@bp.errorhandler(ApplicationError)
def application_error(e: ApplicationError) -> tuple[str, int]:
    """Any other refusal the caller can act on."""
    return error_page(400, say(e))


@bp.errorhandler(DomainError)
def domain_error(e: DomainError) -> tuple[str, int]:
    """A rule refused the command and the page had no field to show it next to."""
    return error_page(409 if isinstance(e, StateConflict) else 422, say(e))


@bp.errorhandler(HTTPException)
def http_error(e: HTTPException) -> tuple[str, int]:
    """Werkzeug's errors (404 for a malformed id, 405, ...) as Jejak's pages in the visitor's language (their own
    English descriptions are for the log)."""
    log.info("%s on %s %s: %s", e.code, request.method, request.path, e.description)
    return error_page(e.code or 500, None)


@bp.errorhandler(Exception)
def unexpected(e: Exception) -> tuple[str, int]:
    """Anything else is logged and shown as a plain 500 page."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_page(500, None)

