"""Sign in, sign out, choose the language, and the home page: the account's inbox and the pages it may open."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response

from application.access_policy import PAGE_ROLES
from application.actor import system_actor
from infrastructure.oidc import Pending, SignOnFailed
from web.auth import actor, jejak, permits, record_lockout
from web.pages.access import SESSION_PERSON, end_session, page, signed_in, start_session
from web.pages.inbox import LABELS, page_link
from web.pages.render import error_page, render, safe_next
from web.ratelimit import AccountBackoff, FailureLimiter, account_key

log = logging.getLogger(__name__)
bp = Blueprint("signin", __name__)
SSO_PENDING = "sso"  # state, nonce and PKCE verifier between the redirect to the provider and its answer

# The pages on the home page and in the menu, in order; each shows only where the account's role may open it.
MENU: tuple[tuple[str, Any], ...] = (
    ("pages.feedback.inbox", lazy_gettext("Review requests")),
    ("pages.feedback.my_rounds", lazy_gettext("360 reports")),
    ("pages.people.my_appraisals", lazy_gettext("Appraisals")),
    ("pages.people.my_timeline", lazy_gettext("Career timeline")),
    ("pages.development.my_standing", lazy_gettext("Where I stand")),
    ("pages.people.team", lazy_gettext("My team")),
    ("pages.hr.rounds", lazy_gettext("Feedback rounds")),
    ("pages.hr.units", lazy_gettext("Unit dashboards")),
    ("pages.persons.persons", lazy_gettext("Persons")),
    ("pages.promotions.cases", lazy_gettext("Promotion cases")),
    ("pages.promotions.history", lazy_gettext("Decision history")),
    ("pages.grievances.grievances", lazy_gettext("Grievances")),
    ("pages.audit.events", lazy_gettext("Event log")),
    ("pages.audit.verify", lazy_gettext("Ledger verification")),
    ("pages.audit.investigations", lazy_gettext("Investigations")),
    ("pages.tokens.tokens", lazy_gettext("Access tokens")),
)


def menu() -> list[tuple[str, Any]]:
    """The pages the signed-in account's role may open."""
    who = signed_in()
    if who is None:
        return []
    views = current_app.view_functions
    return [(endpoint, label) for endpoint, label in MENU
            if endpoint in views and permits(who.role, getattr(views[endpoint], "_jejak_roles", frozenset()))]


@bp.app_context_processor
def navigation() -> dict[str, Any]:
    """Every page template knows who is signed in and what they may open."""
    return {"who": signed_in(), "menu": menu(), "lang": session.get("lang", "id")}


@bp.route("/")
@page(roles=PAGE_ROLES["pages.signin.home"])
def home() -> str:
    """The start page: what waits for you (a count per duty, each linking to the list that shows it), then the
    pages you may open."""
    who = actor()
    waiting = [{"kind": item.kind, "label": LABELS[item.kind], "count": item.count, "until": item.until,
                "href": page_link(who, item)} for item in jejak().queries.inbox.items(who)]
    return render_template("pages/home.html", inbox=waiting)


@bp.route("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico before reading a page's icon link: send them to the site's icon."""
    return redirect(url_for("pages.static", filename="favicon.svg"), 301)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    """The sign-in form; a wrong username or password gets one message that does not say which."""
    target = safe_next(request.values.get("next"), url_for("pages.signin.home"))
    if request.method == "GET":
        return render("pages/sign_in.html", next=target, username="", sso=jejak().oidc is not None)
    limiter: FailureLimiter = current_app.extensions["jejak_auth_limiter"]
    backoff: AccountBackoff = current_app.extensions["jejak_account_backoff"]
    address = request.remote_addr or "unknown"
    username = (request.form.get("username") or "").strip()
    # checked before the password is hashed: a locked account (whatever the address) or a flooding address waits
    wait = max(limiter.retry_after(address), backoff.retry_after(username))
    if wait:
        message = _("Too many failed attempts. Try again in %(seconds)s seconds.", seconds=wait)
        body, status = render("pages/sign_in.html", 429, next=target, username=username, failure=message)
        return body, status, {"Retry-After": str(wait)}
    account = jejak().accounts.authenticate(username, request.form.get("password") or "")
    if account is None:
        _failed(limiter, backoff, address, username)
        return render("pages/sign_in.html", 401, next=target, username=username,
                      failure=_("The username or password is not correct."))
    backoff.succeeded(username)
    start_session(account.id)
    return redirect(target)


def _failed(limiter: FailureLimiter, backoff: AccountBackoff, address: str, username: str) -> None:
    """Count a failed sign-in against the address and the account; record each lockout it starts."""
    log.warning("page sign-in failed from %s", address)
    locked = limiter.fail(address)
    if locked:
        record_lockout("address", address, limiter.limit, locked)
    failures, seconds = backoff.fail(username)
    if seconds:
        known = jejak().accounts.find(username)
        subject = f"account:{known.id}" if known else account_key(username)  # never the name as typed
        record_lockout("account", subject, failures, seconds)


@bp.route("/sign-in/sso")
def sso() -> Any:
    """Single sign-on: send the browser to the instansi's OpenID Connect provider (authorization code + PKCE)."""
    client = jejak().oidc
    if client is None:
        return error_page(404, _("Single sign-on is not configured."))
    try:
        url, pending = client.begin(url_for("pages.signin.sso_callback", _external=True))
    except SignOnFailed as e:
        log.warning("single sign-on could not start: %s", e)
        return _sso_refused(503)
    session[SSO_PENDING] = {**pending.as_dict(), "next": safe_next(request.args.get("next"),
                                                                   url_for("pages.signin.home"))}
    return redirect(url)


@bp.route("/sign-in/sso/callback")
def sso_callback() -> Any:
    """The provider's answer: a verified ID token of a linked (or, by NIP claim, linkable) subject signs its person
    in; anything else is refused and nobody is signed in."""
    client, raw = jejak().oidc, session.pop(SSO_PENDING, None)
    if client is None or not isinstance(raw, dict):
        return _sso_refused(400)
    target = str(raw.pop("next", "")) or url_for("pages.signin.home")
    try:
        claims = client.complete(Pending(**raw), {k: str(v) for k, v in request.args.items()})
    except SignOnFailed as e:
        log.warning("single sign-on refused from %s: %s", request.remote_addr, e)
        return _sso_refused(401)
    s = jejak().settings
    person = jejak().persons.sign_on(system_actor("sso"), client.issuer, claims, s.oidc_nip_claim,
                                     s.oidc_role_claim, s.oidc_role_map)
    if person is None:
        log.warning("single sign-on of an unlinked or deactivated subject from %s", client.issuer)
        return _sso_refused(403, _("Your sign-on is not linked to anyone in Jejak. Ask your HR unit to link it."))
    jejak().projections.catch_up()  # the person (and a first link) must be readable by the next request
    start_session(person.id, SESSION_PERSON)
    return redirect(target)


def _sso_refused(status: int, message: str | None = None) -> tuple[str, int]:
    """The sign-in page with one message; nobody is signed in."""
    return render("pages/sign_in.html", status, next=url_for("pages.signin.home"), username="",
                  sso=jejak().oidc is not None,
                  failure=message or _("Single sign-on did not succeed. Try again, or sign in with your password."))


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> Response:
    """End the session (keeping the language choice)."""
    end_session()
    return redirect(url_for("pages.signin.sign_in"))


@bp.route("/language", methods=["POST"])
def language() -> Response:
    """Switch between Bahasa Indonesia and English, then go back."""
    chosen = request.form.get("lang")
    if chosen in ("id", "en"):
        session["lang"] = chosen
    return redirect(safe_next(request.form.get("next"), url_for("pages.signin.home")))
