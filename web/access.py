"""Access grants (bearer tokens) and the caller's own identity."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma

from domain.access import ROLES
from web.auth import actor, allow, jejak, principal
from web.blueprint import Blueprint
from web.dump import Out
from web.http import parse_id
from web.schemas import LongText, Strict, Text

blp = Blueprint("access", __name__, url_prefix="/api", description="Access grants and identity")


class GrantIn(Strict):
    """A role to grant to a new token."""

    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    name = ma.fields.String(required=True, validate=Text)
    employee_id = ma.fields.UUID(load_default=None, allow_none=True)
    expires_at = ma.fields.AwareDateTime(load_default=None, allow_none=True, metadata={
        "description": "when the token stops working (in the future); default: the server's token lifetime"})

    @ma.validates("expires_at")
    def in_the_future(self, value: datetime | None, **_: Any) -> None:
        """A token that would be born expired is a mistake."""
        if value is not None and value <= datetime.now(UTC):
            raise ma.ValidationError("must be in the future")


class IssuedOut(Out):
    """The new token, shown this once."""

    grant_id = ma.fields.UUID()
    token = ma.fields.String()
    role = ma.fields.String()


class GrantOut(Out):
    """A grant (never its token)."""

    id = ma.fields.UUID()
    role = ma.fields.String()
    name = ma.fields.String()
    employee_id = ma.fields.UUID(allow_none=True)
    expires_at = ma.fields.AwareDateTime(allow_none=True)
    revoked = ma.fields.Boolean()
    granted_at = ma.fields.AwareDateTime()
    granted_by = ma.fields.String()
    revoked_at = ma.fields.AwareDateTime(allow_none=True)
    revoked_by = ma.fields.String(allow_none=True)
    version = ma.fields.Integer()


class RevokeIn(Strict):
    """Why the grant is revoked."""

    reason = ma.fields.String(required=True, validate=LongText)


class MeOut(Out):
    """The caller."""

    grant_id = ma.fields.UUID()
    role = ma.fields.String()
    name = ma.fields.String()
    employee_id = ma.fields.UUID(allow_none=True)
    person_id = ma.fields.UUID(allow_none=True, metadata={"description": "the person behind the token"})
    roles = ma.fields.List(ma.fields.String(), metadata={"description": "every role the person holds"})


@blp.route("/me")
@allow()
@blp.response(200, MeOut)
def me() -> dict[str, Any]:
    """Who the token belongs to and the role it acts in."""
    who = principal()
    return {"grant_id": who.grant_id, "role": who.role, "name": who.name, "employee_id": who.employee_id,
            "person_id": who.person_id, "roles": list(who.roles) or [who.role]}


@blp.route("/access-grants")
@allow()
@blp.response(200, GrantOut(many=True))
def list_grants() -> list[dict[str, Any]]:
    """Every grant, newest first, with who granted and revoked it."""
    return jejak().queries.access.grants(actor())


@blp.route("/access-grants", methods=["POST"])
@allow()
@blp.arguments(GrantIn())
@blp.response(201, IssuedOut)
def issue(data: dict[str, Any]) -> dict[str, Any]:
    """Grant a role to a new bearer token (the token is returned once and stored only as a hash)."""
    issued = jejak().access.issue(actor(), data["role"], data["name"], data["employee_id"], data["expires_at"])
    return {"grant_id": issued.grant_id, "token": issued.token, "role": issued.role}


@blp.route("/access-grants/<grant_id>/revocation", methods=["POST"])
@allow()
@blp.arguments(RevokeIn())
@blp.response(200, GrantOut)
def revoke(data: dict[str, Any], grant_id: str) -> dict[str, Any]:
    """Revoke a grant; its token stops working at once."""
    gid = parse_id(grant_id, "access grant")
    jejak().access.revoke(actor(), gid, data["reason"])
    return jejak().queries.access.grant(actor(), gid)
