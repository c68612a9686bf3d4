"""HR's pages for persons: every person with their roles, employee and status; one person with their tokens, accounts
and sign-on subjects, and the forms for what HR does to a person (grant or withdraw a role, revoke a token, link a
sign-on subject, deactivate), each one application call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _

from application.access_policy import PAGE_ROLES
from application.errors import Conflict
from domain.access import ROLES
from domain.errors import DomainError, StateConflict
from web.auth import actor, jejak
from web.http import parse_id
from web.pages.access import page
from web.pages.i18n import word
from web.pages.render import Errors, field_errors, render, required

bp = Blueprint("persons", __name__)


@bp.route("/hr/persons")
@page(roles=PAGE_ROLES["pages.persons.persons"])
def persons() -> Any:
    """Every person: name, roles, the employee they are, status."""
    return render("pages/persons.html", persons=jejak().persons.listing(actor()))


@bp.route("/hr/persons/<person_id>")
@page(roles=PAGE_ROLES["pages.persons.person"])
def person(person_id: str) -> Any:
    """One person with their tokens, accounts and sign-on subjects, and HR's forms."""
    return person_view(parse_id(person_id, "person"), {}, None, 200)


def person_view(pid: UUID, errors: Errors, failed: str | None, status: int) -> Any:
    """Render a person (``failed`` names the form whose errors are shown next to it)."""
    card = jejak().persons.card(actor(), pid)
    return render("pages/person.html", status, p=card, errors=errors, failed=failed, form=request.form,
                  notice=request.args.get("notice"), grantable=[(r, word(r)) for r in ROLES if r not in card["roles"]],
                  held=[(r, word(r)) for r in card["roles"]])


def submit(pid: UUID, failed: str, names: tuple[str, ...], command: Callable[[], Any],
           fields: dict[str, str] | None = None, notice: str | None = None) -> Any:
    """Run one command from a form whose ``names`` are required: back to the person with a notice, or the refusal
    next to the form (``fields`` renames the application's field names to the form's)."""
    errors = required(request.form, *names)
    if errors:
        return person_view(pid, errors, failed, 422)
    try:
        command()
    except DomainError as e:
        return person_view(pid, field_errors(e, fields), failed, 409 if isinstance(e, StateConflict) else 422)
    except Conflict:  # the one collision these commands meet: a subject that signs in a person already
        return person_view(pid, {"subject": [_("This sign-on subject already signs in a person.")]}, failed, 409)
    return redirect(url_for("pages.persons.person", person_id=pid, notice=notice or failed))


def text(name: str) -> str:
    """A form field, trimmed."""
    return (request.form.get(name) or "").strip()


@bp.route("/hr/persons/<person_id>/roles", methods=["POST"])
@page("persons.grant_role")
def grant_role(person_id: str) -> Any:
    """Let the person act in one more role."""
    pid = parse_id(person_id, "person")
    return submit(pid, "grant", ("role",), lambda: jejak().persons.grant_role(actor(), pid, text("role")))


@bp.route("/hr/persons/<person_id>/roles/withdrawal", methods=["POST"])
@page("persons.withdraw_role")
def withdraw_role(person_id: str) -> Any:
    """Withdraw one of the person's roles, with a reason; their tokens scoped to it stop working."""
    pid = parse_id(person_id, "person")
    return submit(pid, "withdraw", ("withdrawn_role", "withdraw_reason"),
                  lambda: jejak().persons.withdraw_role(actor(), pid, text("withdrawn_role"), text("withdraw_reason")),
                  {"role": "withdrawn_role", "reason": "withdraw_reason"})


@bp.route("/hr/persons/<person_id>/tokens/<grant_id>/revocation", methods=["POST"])
@page("persons.revoke_person_token")
def revoke_token(person_id: str, grant_id: str) -> Any:
    """Revoke one of the person's tokens, with a reason; it stops working at once."""
    pid, gid = parse_id(person_id, "person"), parse_id(grant_id, "token")
    reason = f"reason-{gid}"
    return submit(pid, f"revoke-{gid}", (reason,),
                  lambda: jejak().persons.revoke_token(actor(), pid, gid, text(reason)), {"reason": reason},
                  notice="revoked")


@bp.route("/hr/persons/<person_id>/subjects", methods=["POST"])
@page("persons.link_subject")
def link_subject(person_id: str) -> Any:
    """Link the configured identity provider's subject to the person, once."""
    pid = parse_id(person_id, "person")
    if jejak().oidc is None:
        return person_view(pid, {"subject": [_("Single sign-on is not configured.")]}, "subject", 422)
    return submit(pid, "subject", ("subject",),
                  lambda: jejak().persons.link_subject(actor(), pid, jejak().sso_issuer(), text("subject")))


@bp.route("/hr/persons/<person_id>/deactivation", methods=["POST"])
@page("persons.deactivate_person")
def deactivate(person_id: str) -> Any:
    """Deactivate the person, with a reason: none of their sign-in methods works any more."""
    pid = parse_id(person_id, "person")
    return submit(pid, "deactivate", ("deactivate_reason",),
                  lambda: jejak().persons.deactivate(actor(), pid, text("deactivate_reason")),
                  {"reason": "deactivate_reason", "status": "deactivate_reason"})
