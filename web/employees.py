"""Employee registry: register, read the directory, record career changes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from flask_smorest import Blueprint

from domain.ranks import RANK_CODES, RANK_NAMES
from infrastructure.views import EmployeeFilter
from web.auth import actor, allow, jejak
from web.http import expected_version, parse_id, with_etag
from web.schemas import ChangeIn, PageQuery, Strict, Text

blp = Blueprint("employees", __name__, url_prefix="/api/employees", description="Employee registry (directory)")
PERSONAL = ("nip", "sex", "birth_date", "service_start")


class EmployeeIn(Strict):
    """A new employee."""

    nip = ma.fields.String(required=True, metadata={"description": "18-digit NIP", "example": "198503152010011001"})
    name = ma.fields.String(required=True, validate=Text)
    unit = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20))
    position = ma.fields.String(required=True, validate=Text)
    rank = ma.fields.String(required=True, validate=ma.validate.OneOf(RANK_CODES), metadata={"example": "III/a"})
    rank_since = ma.fields.Date(required=True, metadata={"description": "TMT of the current rank"})
    supervisor_id = ma.fields.UUID(load_default=None, allow_none=True)


class EmployeeOut(ma.Schema):
    """A directory entry; personal fields only for HR, auditors, the committee, the employee and their supervisors."""

    id = ma.fields.UUID()
    nip = ma.fields.String()
    name = ma.fields.String()
    sex = ma.fields.String()
    birth_date = ma.fields.Date()
    service_start = ma.fields.Date()
    unit = ma.fields.String()
    unit_since = ma.fields.Date()
    position = ma.fields.String()
    position_since = ma.fields.Date()
    rank = ma.fields.String()
    rank_name = ma.fields.Function(lambda row: RANK_NAMES.get(row["rank"]))
    rank_since = ma.fields.Date()
    supervisor_id = ma.fields.UUID(allow_none=True)
    supervisor_since = ma.fields.Date()
    version = ma.fields.Integer()
    registered_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class EmployeePage(ma.Schema):
    """A page of the directory."""

    items = ma.fields.List(ma.fields.Nested(EmployeeOut))
    next_cursor = ma.fields.String(allow_none=True)


class EmployeeQuery(PageQuery):
    """Directory filters."""

    unit = ma.fields.String(load_default=None)
    rank = ma.fields.String(load_default=None, validate=ma.validate.OneOf(RANK_CODES))
    name = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=100),
                            metadata={"description": "case-insensitive substring of the name"})
    supervisor_id = ma.fields.UUID(load_default=None)


class UnitChangeIn(ChangeIn):
    """Move to another unit."""

    unit = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20))


class PositionChangeIn(ChangeIn):
    """Appoint to another position."""

    position = ma.fields.String(required=True, validate=Text)


class SupervisorChangeIn(ChangeIn):
    """Report to another supervisor (null for none)."""

    supervisor_id = ma.fields.UUID(required=True, allow_none=True)


class RankChangeIn(ChangeIn):
    """Change rank (kenaikan pangkat or correction)."""

    rank = ma.fields.String(required=True, validate=ma.validate.OneOf(RANK_CODES))


def entry(employee_id: UUID) -> dict[str, Any]:
    """The directory entry of an employee, or 404."""
    return jejak().queries.people.entry(employee_id)


def respond(employee_id: UUID, status: int = 200) -> Any:
    """An employee entry with its version as ETag."""
    row = jejak().queries.people.employee(actor(), employee_id)
    return with_etag(row, row["version"], status)


@blp.route("")
@allow()
@blp.arguments(EmployeeQuery, location="query", unknown=ma.RAISE)
@blp.response(200, EmployeePage)
def list_employees(query: dict[str, Any]) -> dict[str, Any]:
    """Search the directory (filters: unit, rank, name, supervisor_id; cursor pagination)."""
    flt = EmployeeFilter(query["unit"], query["rank"], query["name"], query["supervisor_id"])
    return jejak().queries.people.employees(actor(), flt, query["limit"], query["cursor"])


@blp.route("", methods=["POST"])
@allow()
@blp.arguments(EmployeeIn)
@blp.response(201, EmployeeOut)
def register_employee(data: dict[str, Any]) -> Any:
    """Register an employee (sex and birth date are derived from the NIP)."""
    saved = jejak().registry.register_employee(actor(), **data)
    return respond(saved.id, 201)


@blp.route("/<employee_id>")
@allow()
@blp.response(200, EmployeeOut)
def get_employee(employee_id: str) -> Any:
    """One employee's current entry and version."""
    return respond(parse_id(employee_id, "employee"))


@blp.route("/<employee_id>/reports")
@allow()
@blp.response(200, EmployeeOut(many=True))
def direct_reports(employee_id: str) -> list[dict[str, Any]]:
    """The employees reporting directly to this one."""
    return jejak().queries.people.direct_reports(actor(), parse_id(employee_id, "employee"))


@blp.route("/<employee_id>/unit-changes", methods=["POST"])
@allow()
@blp.arguments(UnitChangeIn)
@blp.response(200, EmployeeOut)
def move(data: dict[str, Any], employee_id: str) -> Any:
    """Move the employee to another unit (mutasi) from the TMT."""
    eid = parse_id(employee_id, "employee")
    jejak().registry.move_employee(actor(), eid, data["unit"], data["effective"], data["reason"], expected_version())
    return respond(eid)


@blp.route("/<employee_id>/position-changes", methods=["POST"])
@allow()
@blp.arguments(PositionChangeIn)
@blp.response(200, EmployeeOut)
def change_position(data: dict[str, Any], employee_id: str) -> Any:
    """Appoint the employee to another position from the TMT."""
    eid = parse_id(employee_id, "employee")
    jejak().registry.change_position(actor(), eid, data["position"], data["effective"], data["reason"], expected_version())
    return respond(eid)


@blp.route("/<employee_id>/supervisor-changes", methods=["POST"])
@allow()
@blp.arguments(SupervisorChangeIn)
@blp.response(200, EmployeeOut)
def change_supervisor(data: dict[str, Any], employee_id: str) -> Any:
    """Make the employee report to another supervisor (cycles are refused)."""
    eid = parse_id(employee_id, "employee")
    jejak().registry.change_supervisor(
        actor(), eid, data["supervisor_id"], data["effective"], data["reason"], expected_version()
    )
    return respond(eid)


@blp.route("/<employee_id>/rank-changes", methods=["POST"])
@allow()
@blp.arguments(RankChangeIn)
@blp.response(200, EmployeeOut)
def change_rank(data: dict[str, Any], employee_id: str) -> Any:
    """Change the employee's rank from the TMT."""
    eid = parse_id(employee_id, "employee")
    jejak().registry.change_rank(actor(), eid, data["rank"], data["effective"], data["reason"], None, expected_version())
    return respond(eid)
