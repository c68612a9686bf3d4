"""Units (unit kerja): register, rename, list."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import expected_version, with_etag
from web.schemas import LongText, Strict, Text

blp = Blueprint("units", __name__, url_prefix="/api/units", description="Units (unit kerja)")


class UnitIn(Strict):
    """A new unit."""

    code = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=20),
                            metadata={"description": "e.g. BKPSDM; upper-case letters, digits, '-'"})
    name = ma.fields.String(required=True, validate=Text)


class UnitRenameIn(Strict):
    """A new name for a unit."""

    name = ma.fields.String(required=True, validate=Text)
    reason = ma.fields.String(required=True, validate=LongText)


class UnitOut(Out):
    """A unit as the directory shows it."""

    code = ma.fields.String()
    id = ma.fields.UUID()
    name = ma.fields.String()
    version = ma.fields.Integer()
    employee_count = ma.fields.Integer()
    registered_at = ma.fields.AwareDateTime()


def _unit(code: str) -> dict[str, Any]:
    return jejak().queries.people.unit(code)


@blp.route("")
@allow()
@blp.response(200, UnitOut(many=True))
def list_units() -> list[dict[str, Any]]:
    """List every unit with its head count."""
    return jejak().queries.people.units()


@blp.route("", methods=["POST"])
@allow()
@blp.arguments(UnitIn())
@blp.response(201, UnitOut)
def register_unit(data: dict[str, Any]) -> Any:
    """Register a unit under a new code."""
    saved = jejak().registry.register_unit(actor(), data["code"], data["name"])
    return with_etag(_unit(data["code"]), saved.version, 201)


@blp.route("/<code>")
@allow()
@blp.response(200, UnitOut)
def get_unit(code: str) -> Any:
    """One unit."""
    unit = _unit(code)
    return with_etag(unit, unit["version"])


@blp.route("/<code>", methods=["PATCH"])
@allow()
@blp.arguments(UnitRenameIn())
@blp.response(200, UnitOut)
def rename_unit(data: dict[str, Any], code: str) -> Any:
    """Rename a unit (If-Match honoured)."""
    saved = jejak().registry.rename_unit(actor(), code, data["name"], data["reason"], expected_version())
    return with_etag(_unit(code), saved.version)
