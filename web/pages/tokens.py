"""The signed-in person's own personal access tokens (list, create in one of their roles, revoke), and the role
switcher: a person holding several roles chooses the one their pages act in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, redirect, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from application.access_policy import PAGE_ROLES
from application.errors import ApplicationError
from domain.errors import DomainError
from web.auth import actor, admits_role, jejak, principal
from web.http import parse_id
from web.pages.access import SESSION_ROLE, forbidden, page
from web.pages.i18n import word
from web.pages.render import field_errors, render, safe_next

bp = Blueprint("tokens", __name__)
LIFETIMES = (7, 30, 90, 365)  # days a new token may live


@bp.route("/tokens", methods=["GET", "POST"])
@page("persons.my_tokens")
def tokens() -> Any:
    """Your personal access tokens; a new one is shown once, right after it is made."""
    who = principal()
    errors: dict[str, list[str]] = {}
    issued = None
    if request.method == "POST":
        days = request.form.get("days") or ""
        name = (request.form.get("name") or "").strip()
        if not name:
            errors["name"] = [_("This field is required.")]
        if not days.isdigit() or int(days) not in LIFETIMES:
            errors["days"] = [_("Choose one of the lifetimes.")]
        if not errors:
            try:
                issued = jejak().persons.issue_token(actor(), who.person_id, name, request.form.get("role") or "",
                                                     datetime.now(UTC) + timedelta(days=int(days)))
            except (DomainError, ApplicationError) as e:
                errors = field_errors(e) if isinstance(e, DomainError) else {"_form": [e.message]}
    mine = jejak().persons.tokens_of(actor(), who.person_id) if who.person_id else []
    roles = [(r, word(r)) for r in (who.roles or (who.role,))]
    return render("pages/tokens.html", 422 if errors else 200, tokens=mine, issued=issued, errors=errors,
                  form=request.form, roles=roles, lifetimes=[(str(d), str(d)) for d in LIFETIMES], has_person=who.person_id is not None,
                  notice=request.args.get("notice"))


@bp.route("/tokens/<grant_id>/revocation", methods=["POST"])
@page("persons.revoke_my_token")
def revoke(grant_id: str) -> Any:
    """Revoke one of your tokens; it stops working at once."""
    jejak().persons.revoke_token(actor(), principal().person_id, parse_id(grant_id, "token"),
                                 (request.form.get("reason") or "").strip() or _("revoked by its owner"))
    return redirect(url_for("pages.tokens.tokens", notice="revoked"))


@bp.route("/role", methods=["POST"])
@page(roles=PAGE_ROLES["pages.signin.home"])
def switch_role() -> Response | tuple[str, int]:
    """Act in another of your roles from the next page on (each request acts in exactly one)."""
    chosen = request.form.get("role") or ""
    if not admits_role(principal().roles, chosen):
        return forbidden(_("You do not hold that role."))
    session[SESSION_ROLE] = chosen
    return redirect(safe_next(request.form.get("next"), url_for("pages.signin.home")))
