"""Persons and their personal access tokens: HR registers persons and grants roles; each person lists, creates
and revokes their own tokens, HR theirs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma

from domain.access import ROLES
from web.access import IssuedOut, RevokeIn
from web.auth import actor, allow, jejak, principal
from web.blueprint import Blueprint
from web.dump import Out
from web.http import parse_id
from web.schemas import Strict, Text

blp = Blueprint("persons", __name__, url_prefix="/api", description="Persons and personal access tokens")


class PersonIn(Strict):
    """A new person: a name, one or more roles, the employee they are (needed for employee roles)."""

    name = ma.fields.String(required=True, validate=Text)
    roles = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(ROLES)), required=True,
                           validate=ma.validate.Length(min=1, max=len(ROLES)))
    employee_id = ma.fields.UUID(load_default=None, allow_none=True)


class PersonOut(Out):
    """A person."""

    id = ma.fields.UUID()
    name = ma.fields.String()
    roles = ma.fields.List(ma.fields.String())
    employee_id = ma.fields.UUID(allow_none=True)
    status = ma.fields.String(metadata={"description": "active or deactivated"})
    version = ma.fields.Integer()


class RoleIn(Strict):
    """A role to grant."""

    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))


class TokenIn(Strict):
    """A personal access token: what it is for, the one role it acts in, when it stops working."""

    name = ma.fields.String(required=True, validate=Text)
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES), metadata={
        "description": "the token's scope: one of the person's roles"})
    expires_at = ma.fields.AwareDateTime(load_default=None, allow_none=True, metadata={
        "description": "in the future, within a year; default: 90 days"})

    @ma.validates("expires_at")
    def in_the_future(self, value: datetime | None, **_: Any) -> None:
        """A token that would be born expired is a mistake."""
        if value is not None and value <= datetime.now(UTC):
            raise ma.ValidationError("must be in the future")


class TokenOut(Out):
    """A personal token (never the token itself)."""

    id = ma.fields.UUID()
    name = ma.fields.String()
    role = ma.fields.String()
    expires_at = ma.fields.AwareDateTime(allow_none=True)
    revoked = ma.fields.Boolean()
    granted_at = ma.fields.AwareDateTime()
    revoked_at = ma.fields.AwareDateTime(allow_none=True)


def person_row(person_id: Any) -> dict[str, Any]:
    """The projected person (the command's catch-up has run)."""
    return jejak().queries.access.person(actor(), person_id)


@blp.route("/persons")
@allow()
@blp.response(200, PersonOut(many=True))
def list_persons() -> list[dict[str, Any]]:
    """Every person with their roles and status."""
    return jejak().persons.listing(actor())


@blp.route("/persons", methods=["POST"])
@allow()
@blp.arguments(PersonIn())
@blp.response(201, PersonOut)
def register_person(data: dict[str, Any]) -> dict[str, Any]:
    """Register a person (an employee is one person: a second registration is a 409)."""
    person = jejak().persons.register(actor(), data["name"], data["roles"], data["employee_id"])
    return person_row(person.id)


@blp.route("/persons/<person_id>/roles", methods=["POST"])
@allow()
@blp.arguments(RoleIn())
@blp.response(200, PersonOut)
def grant_role(data: dict[str, Any], person_id: str) -> dict[str, Any]:
    """Let a person act in one more role (each request still acts in one)."""
    pid = parse_id(person_id, "person")
    jejak().persons.grant_role(actor(), pid, data["role"])
    return person_row(pid)


@blp.route("/persons/<person_id>/roles/<role>/withdrawal", methods=["POST"])
@allow()
@blp.arguments(RevokeIn())
@blp.response(200, PersonOut)
def withdraw_role(data: dict[str, Any], person_id: str, role: str) -> dict[str, Any]:
    """Withdraw one of a person's roles (not the last); their tokens scoped to it stop working."""
    pid = parse_id(person_id, "person")
    jejak().persons.withdraw_role(actor(), pid, role, data["reason"])
    return person_row(pid)


@blp.route("/persons/<person_id>/deactivation", methods=["POST"])
@allow()
@blp.arguments(RevokeIn())
@blp.response(200, PersonOut)
def deactivate_person(data: dict[str, Any], person_id: str) -> dict[str, Any]:
    """Deactivate a person: none of their tokens, accounts or sign-on subjects signs in any more."""
    pid = parse_id(person_id, "person")
    jejak().persons.deactivate(actor(), pid, data["reason"])
    return person_row(pid)


class SubjectIn(Strict):
    """The identity provider's subject (its ``sub`` claim) that signs this person in from now on."""

    subject = ma.fields.String(required=True, validate=[Text, ma.validate.Length(min=1, max=255)])
    issuer = ma.fields.URL(load_default=None, allow_none=True, require_tld=False, schemes={"https", "http"},
                           metadata={"description": "the provider's issuer URL; default: the configured one"})


@blp.route("/persons/<person_id>/subjects", methods=["POST"])
@allow()
@blp.arguments(SubjectIn())
@blp.response(200, PersonOut)
def link_subject(data: dict[str, Any], person_id: str) -> dict[str, Any]:
    """Link the configured provider's subject to a person, once (a subject already linked is a 409)."""
    pid = parse_id(person_id, "person")
    jejak().persons.link_subject(actor(), pid, data["issuer"] or jejak().sso_issuer(), data["subject"])
    return person_row(pid)


@blp.route("/persons/<person_id>/tokens")
@allow()
@blp.response(200, TokenOut(many=True))
def person_tokens(person_id: str) -> list[dict[str, Any]]:
    """A person's personal access tokens, newest first."""
    return jejak().persons.tokens_of(actor(), parse_id(person_id, "person"))


@blp.route("/persons/<person_id>/tokens/<grant_id>/revocation", methods=["POST"])
@allow()
@blp.arguments(RevokeIn())
@blp.response(200, TokenOut)
def revoke_person_token(data: dict[str, Any], person_id: str, grant_id: str) -> dict[str, Any]:
    """HR revokes one of a person's tokens; it stops working at once."""
    pid, gid = parse_id(person_id, "person"), parse_id(grant_id, "token")
    jejak().persons.revoke_token(actor(), pid, gid, data["reason"])
    return _token(pid, gid)


@blp.route("/me/tokens")
@allow()
@blp.response(200, TokenOut(many=True))
def my_tokens() -> list[dict[str, Any]]:
    """The caller's own personal access tokens, newest first."""
    return jejak().persons.tokens_of(actor(), principal().person_id)


@blp.route("/me/tokens", methods=["POST"])
@allow()
@blp.arguments(TokenIn())
@blp.response(201, IssuedOut)
def create_my_token(data: dict[str, Any]) -> dict[str, Any]:
    """A new personal access token in one of the caller's roles (returned once, stored only as a hash)."""
    issued = jejak().persons.issue_token(actor(), principal().person_id, data["name"], data["role"],
                                         data["expires_at"])
    return {"grant_id": issued.grant_id, "token": issued.token, "role": issued.role}


@blp.route("/me/tokens/<grant_id>/revocation", methods=["POST"])
@allow()
@blp.arguments(RevokeIn())
@blp.response(200, TokenOut)
def revoke_my_token(data: dict[str, Any], grant_id: str) -> dict[str, Any]:
    """Revoke one of the caller's own tokens (the one in use too)."""
    gid = parse_id(grant_id, "token")
    jejak().persons.revoke_token(actor(), principal().person_id, gid, data["reason"])
    return _token(principal().person_id, gid)


def _token(person_id: Any, grant_id: Any) -> dict[str, Any]:
    """The revoked token as its owner's list shows it."""
    return next(t for t in jejak().persons.tokens_of(actor(), person_id) if t["id"] == grant_id)
