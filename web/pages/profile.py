"""The signed-in employee's own e-mail address and the language of their mail (the outbox's recipients), and HR's
view of the outbox."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from application.access_policy import PAGE_ROLES
from application.errors import NotFound
from domain.employee import LANGUAGES
from domain.errors import DomainError
from web.auth import actor, jejak, principal
from web.http import expected_version
from web.pages.access import page
from web.pages.render import field_errors, render

bp = Blueprint("profile", __name__)


@bp.route("/profile", methods=["GET", "POST"])
@page("contacts.put_email")
def profile() -> Any:
    """Show and change where Jejak's e-mail reaches you, and in which language."""
    who = principal()
    if who.employee_id is None:
        return render("pages/profile.html", person=None)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        email = (request.form.get("email") or "").strip() or None
        language = request.form.get("language") or "id"
        version = request.form.get("version") or ""
        try:
            jejak().registry.change_email(actor(), who.employee_id, email, language,
                                          int(version) if version.isdigit() else expected_version())
            return redirect(url_for("pages.profile.profile", notice="saved"))
        except DomainError as e:
            errors = field_errors(e)
    person = jejak().registry.contact(actor(), who.employee_id)
    return render("pages/profile.html", 422 if errors else 200, person=person, errors=errors,
                  form=request.form, languages=LANGUAGES, notice=request.args.get("notice"))


OUTBOX_PAGE = 200
KINDS = {
    "review_requested": lazy_gettext("360 review requested"), "review_reminder": lazy_gettext("360 review reminder"),
    "nomination_awaiting_approval": lazy_gettext("reviewers awaiting approval"),
    "objection_filed": lazy_gettext("objection filed"), "objection_decided": lazy_gettext("objection decided"),
    "grievance_filed": lazy_gettext("grievance filed"), "grievance_received": lazy_gettext("grievance received"),
    "grievance_assigned": lazy_gettext("grievance assigned"), "grievance_concluded": lazy_gettext("grievance concluded"),
}

STATES = {"pending": lazy_gettext("waiting"), "sending": lazy_gettext("being sent"), "sent": lazy_gettext("sent"),
          "failed": lazy_gettext("failed")}


@bp.route("/hr/mail")
@page(roles=PAGE_ROLES["pages.profile.outbox"])
def outbox() -> Any:
    """The newest outbox messages: to whom, about what, and whether and when each was delivered."""
    rows = jejak().outbox.latest(OUTBOX_PAGE)
    names: dict[str, str] = {}
    for row in rows:
        kind, _colon, value = row["recipient"].partition(":")
        if kind == "employee" and value not in names:
            try:
                names[value] = jejak().registry.employee(UUID(value)).name
            except (NotFound, ValueError):
                names[value] = value
        row["recipient_name"] = names.get(value) if kind == "employee" else _("HR office mailbox")
    return render("pages/outbox.html", rows=rows, counts=jejak().outbox.counts(), kinds=KINDS, states=STATES)
