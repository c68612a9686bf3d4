"""The signed-in employee's own e-mail address and the language of their mail (the outbox's recipients)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for

from domain.employee import LANGUAGES
from domain.errors import DomainError
from web import contacts as contact_api
from web.auth import actor, jejak, principal
from web.http import expected_version
from web.pages.access import page
from web.pages.render import field_errors, render

bp = Blueprint("profile", __name__)


@bp.route("/profile", methods=["GET", "POST"])
@page(contact_api.put_email)
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
