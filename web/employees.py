"""Employee registry: register, read the directory, record career changes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from application.queries.filters import EmployeeFilter
from domain.employment import GRADES, PPPK, STATUSES
from domain.ranks import RANK_CODES, RANK_NAMES
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import expected_version, parse_id, with_etag
from web.schemas import ChangeIn, PageQuery, Strict, Text

blp = Blueprint("employees", __name__, url_prefix="/api/employees", description="Employee registry (directory)")
PERSONAL = ("nip", "sex", "birth_date", "service_start")


class EmployeeIn(Strict):
    """A new employee: a PNS or CPNS with a NIP and a pangkat, or a PPPK with an NI PPPK and a grade."""

    nip = ma.fields.String(required=True, metadata={
        "description": "18-digit NIP, or for a PPPK the NI PPPK (digits 13-14 are 21)", "example": "198503152010011001"})
    name = ma.fields.String(required=True, validate=Text)
    unit = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20))
    position = ma.fields.String(required=True, validate=Text)
    status = ma.fields.String(load_default="PNS", validate=ma.validate.OneOf(STATUSES), metadata={
        "description": "employment status: PNS, CPNS or PPPK"})
    status_since = ma.fields.Date(load_default=None, metadata={
        "description": "TMT of the status (default: the start of service from the NIP)"})
    rank = ma.fields.String(load_default=None, validate=ma.validate.OneOf(RANK_CODES), metadata={
        "example": "III/a", "description": "the pangkat of a PNS or CPNS"})
    grade = ma.fields.String(load_default=None, validate=ma.validate.OneOf(GRADES), metadata={
        "example": "IX", "description": "the grade (golongan I-XVII) of a PPPK"})
    rank_since = ma.fields.Date(required=True, metadata={"description": "TMT of the current rank or grade"})
    supervisor_id = ma.fields.UUID(load_default=None, allow_none=True)

    @ma.validates_schema(skip_on_field_errors=False, pass_original=True)
    def rank_or_grade(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        """A PPPK names a grade and no rank; a PNS or CPNS a rank and no grade (a field sent but refused on its
        own is reported there, not again here)."""
        sent = original if isinstance(original, dict) else {}
        if data.get("status") == PPPK:
            if "rank" in sent:
                raise ma.ValidationError("a PPPK holds a grade, not a pangkat; send grade", "rank")
            if "grade" not in sent:
                raise ma.ValidationError("a PPPK needs a grade (golongan I-XVII)", "grade")
        else:
            if "grade" in sent and sent["grade"] is not None:
                raise ma.ValidationError("only a PPPK holds a grade; a PNS or CPNS sends rank", "grade")
            if "rank" not in sent or sent["rank"] is None:
                raise ma.ValidationError("a PNS or CPNS needs a rank (pangkat)", "rank")

    @ma.post_load
    def one_golongan(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """The registry keeps the pangkat or the grade in one field."""
        grade = data.pop("grade", None)
        if grade is not None:
            data["rank"] = grade
        return data


class EmployeeOut(Out):
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
    status = ma.fields.String(metadata={"description": "PNS, CPNS or PPPK"})
    status_since = ma.fields.Date()
    rank = ma.fields.Function(lambda row: None if row.get("status") == PPPK else row["rank"],
                              metadata={"description": "pangkat (PNS, CPNS); null for a PPPK"})
    rank_name = ma.fields.Function(lambda row: RANK_NAMES.get(row["rank"]))
    grade = ma.fields.Function(lambda row: row["rank"] if row.get("status") == PPPK else None,
                               metadata={"description": "grade (golongan I-XVII) of a PPPK; null otherwise"})
    rank_since = ma.fields.Date(metadata={"description": "TMT of the current rank or grade"})
    supervisor_id = ma.fields.UUID(allow_none=True)
    supervisor_since = ma.fields.Date()
    version = ma.fields.Integer()
    registered_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class EmployeePage(Out):
    """A page of the directory."""

    items = ma.fields.List(ma.fields.Nested(EmployeeOut))
    next_cursor = ma.fields.String(allow_none=True)
    total = ma.fields.Integer(metadata={"description": "how many the whole list has (with these filters)"})


class EmployeeQuery(PageQuery):
    """Directory filters."""

    unit = ma.fields.String(load_default=None)
    rank = ma.fields.String(load_default=None, validate=ma.validate.OneOf(RANK_CODES))
    name = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=100),
                            metadata={"description": "case-insensitive substring of the name"})
    supervisor_id = ma.fields.UUID(load_default=None)
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(STATUSES))


class StatusChangeIn(ChangeIn):
    """Change the employment status (a CPNS appointed PNS)."""

    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))


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
    """Change rank (kenaikan pangkat or correction); for a PPPK, the grade."""

    rank = ma.fields.String(required=True, validate=ma.validate.OneOf(RANK_CODES + GRADES))


def entry(employee_id: UUID) -> dict[str, Any]:
    """The directory entry of an employee, or 404."""
    return jejak().queries.people.entry(employee_id)


def respond(employee_id: UUID, status: int = 200) -> Any:
    """An employee entry with its version as ETag."""
    row = jejak().queries.people.employee(actor(), employee_id)
    return with_etag(row, row["version"], status)


@blp.route("")
@allow()
@blp.arguments(EmployeeQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, EmployeePage)
def list_employees(query: dict[str, Any]) -> dict[str, Any]:
    """Search the directory (filters: unit, rank, name, supervisor_id, status; cursor pagination)."""
    flt = EmployeeFilter(query["unit"], query["rank"], query["name"], query["supervisor_id"], query["status"])
    return jejak().queries.people.employees(actor(), flt, query["limit"], query["cursor"])


@blp.route("", methods=["POST"])
@allow()
@blp.arguments(EmployeeIn())
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
@blp.arguments(UnitChangeIn())
@blp.response(200, EmployeeOut)
def move(data: dict[str, Any], employee_id: str) -> Any:
    """Move the employee to another unit (mutasi) from the TMT."""
    eid = parse_id(employee_id, "employee")
    jejak().registry.move_employee(actor(), eid, data["unit"], data["effective"], data["reason"], expected_version())
    return respond(eid)


@blp.route("/<employee_id>/position-changes", methods=["POST"])
@allow()
@blp.arguments(PositionChangeIn())
@blp.response(200, EmployeeOut)
def change_position(data: dict[str, Any], employee_id: str) -> Any:
    """Appoint the employee to another position from the TMT."""
    eid = parse_id(employee_id, "employee")
    jejak().registry.change_position(actor(), eid, data["position"], data["effective"], data["reason"], expected_version())
    return respond(eid)


@blp.route("/<employee_id>/supervisor-changes", methods=["POST"])
@allow()
@blp.arguments(SupervisorChangeIn())
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
@blp.arguments(RankChangeIn())
@blp.response(200, EmployeeOut)
def change_rank(data: dict[str, Any], employee_id: str) -> Any:
    """Change the employee's rank from the TMT."""
    eid = parse_id(employee_id, "employee")
    jejak().registry.change_rank(actor(), eid, data["rank"], data["effective"], data["reason"], None, expected_version())
    return respond(eid)


@blp.route("/<employee_id>/status-changes", methods=["POST"])
@allow()
@blp.arguments(StatusChangeIn())
@blp.response(200, EmployeeOut)
def change_status(data: dict[str, Any], employee_id: str) -> Any:
    """Change the employee's employment status from the TMT (a CPNS appointed PNS); other changes are a 409."""
    eid = parse_id(employee_id, "employee")
    jejak().registry.change_status(actor(), eid, data["status"], data["effective"], data["reason"],
                                   expected_version())
    return respond(eid)
