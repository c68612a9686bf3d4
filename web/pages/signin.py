"""Sign in, sign out, choose the language, and the home page: the account's inbox and the pages it may open."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response

from application.access_policy import PAGE_ROLES
from web.auth import actor, jejak, permits, record_lockout
from web.pages.access import end_session, page, signed_in, start_session
from web.pages.inbox import LABELS, page_link
from web.pages.render import render, safe_next
from web.ratelimit import AccountBackoff, FailureLimiter, account_key

log = logging.getLogger(__name__)
bp = Blueprint("signin", __name__)

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
    ("pages.promotions.cases", lazy_gettext("Promotion cases")),
    ("pages.promotions.history", lazy_gettext("Decision history")),
    ("pages.grievances.grievances", lazy_gettext("Grievances")),
    ("pages.audit.events", lazy_gettext("Event log")),
    ("pages.audit.verify", lazy_gettext("Ledger verification")),
    ("pages.audit.investigations", lazy_gettext("Investigations")),
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
        return render("pages/sign_in.html", next=target, username="")
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
