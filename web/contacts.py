"""An employee's e-mail address and the language their mail is written in."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from domain.employee import LANGUAGES, MAX_EMAIL
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import expected_version, parse_id, with_etag
from web.schemas import Strict

blp = Blueprint("contacts", __name__, url_prefix="/api/employees", description="E-mail addresses for the outbox")


class EmailIn(Strict):
    """The address mail goes to (null or empty: none, the outbox holds the messages) and its language."""

    email = ma.fields.String(required=True, allow_none=True, validate=ma.validate.Length(max=MAX_EMAIL),
                             metadata={"example": "rina.marlina@bkpsdm.example.go.id"})
    language = ma.fields.String(load_default="id", validate=ma.validate.OneOf(LANGUAGES))


class EmailOut(Out):
    """An employee's e-mail address."""

    employee_id = ma.fields.UUID()
    email = ma.fields.String(allow_none=True)
    language = ma.fields.String()
    version = ma.fields.Integer()


def respond(employee_id: Any) -> Any:
    """The address as HR or the employee reads it, with the employee's version as ETag."""
    person = jejak().registry.contact(actor(), employee_id)
    body = {"employee_id": person.id, "email": person.email, "language": person.language, "version": person.version}
    return with_etag(body, person.version)


@blp.route("/<employee_id>/email")
@allow()
@blp.response(200, EmailOut)
def get_email(employee_id: str) -> Any:
    """The employee's e-mail address (HR and the employee themself)."""
    return respond(parse_id(employee_id, "employee"))


@blp.route("/<employee_id>/email", methods=["PUT"])
@allow()
@blp.arguments(EmailIn())
@blp.response(200, EmailOut)
def put_email(data: dict[str, Any], employee_id: str) -> Any:
    """Set or clear the e-mail address (HR and the employee themself); recorded as an event."""
    eid = parse_id(employee_id, "employee")
    jejak().registry.change_email(actor(), eid, data["email"], data["language"], expected_version())
    return respond(eid)
