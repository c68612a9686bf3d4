"""An employee's service record: qualifications (education), disciplinary penalties and civil-service exams."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from domain.service_record import EXAMS, LEVELS, PENALTY_LEVELS, ServiceRecord
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import parse_id, with_etag
from web.schemas import Strict, Text

blp = Blueprint("service_records", __name__, url_prefix="/api",
                description="Service record: education, disciplinary penalties, civil-service exams")


class QualificationIn(Strict):
    """A qualification earned."""

    level = ma.fields.String(required=True, validate=ma.validate.OneOf(LEVELS))
    institution = ma.fields.String(required=True, validate=Text)
    graduated_on = ma.fields.Date(required=True)


class PenaltyIn(Strict):
    """A disciplinary penalty (hukuman disiplin)."""

    level = ma.fields.String(required=True, validate=ma.validate.OneOf(PENALTY_LEVELS), metadata={
        "description": "light (ringan), medium (sedang) or heavy (berat)"})
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True, metadata={"description": "last day in force (inclusive)"})
    decree_number = ma.fields.String(required=True, validate=Text)


class ExamIn(Strict):
    """A civil-service exam passed."""

    exam = ma.fields.String(required=True, validate=ma.validate.OneOf(EXAMS), metadata={
        "description": "tingkat_I (for I/d to II/a) or tingkat_II (for II/d to III/a)"})
    passed_on = ma.fields.Date(required=True)
    certificate_number = ma.fields.String(required=True, validate=Text)


class QualificationOut(Out):
    """A qualification."""

    level = ma.fields.String()
    institution = ma.fields.String()
    graduated_on = ma.fields.Date()


class PenaltyOut(Out):
    """A disciplinary penalty."""

    level = ma.fields.String()
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    decree_number = ma.fields.String()


class ExamOut(Out):
    """An exam passed."""

    exam = ma.fields.String()
    passed_on = ma.fields.Date()
    certificate_number = ma.fields.String()


class ServiceRecordOut(Out):
    """The record (empty lists and version 0 when nothing was recorded)."""

    employee_id = ma.fields.UUID()
    qualifications = ma.fields.List(ma.fields.Nested(QualificationOut))
    penalties = ma.fields.List(ma.fields.Nested(PenaltyOut))
    exams = ma.fields.List(ma.fields.Nested(ExamOut))
    version = ma.fields.Integer()


def record_dict(employee_id: UUID, record: ServiceRecord | None) -> dict[str, Any]:
    """The plain form of a record."""
    if record is None:
        return {"employee_id": employee_id, "qualifications": [], "penalties": [], "exams": [], "version": 0}
    return {"employee_id": employee_id, "qualifications": [vars(q) for q in record.qualifications],
            "penalties": [vars(p) for p in record.penalties], "exams": [vars(e) for e in record.exams],
            "version": record.version}


def respond(employee_id: UUID, record: ServiceRecord | None, status: int = 200) -> Any:
    """The record with its version as ETag."""
    return with_etag(record_dict(employee_id, record), record.version if record else 0, status)


@blp.route("/employees/<employee_id>/service-record")
@allow()
@blp.response(200, ServiceRecordOut)
def get_record(employee_id: str) -> Any:
    """The employee's qualifications, disciplinary penalties and exams (HR, auditors, the employee and their
    supervisors)."""
    eid = parse_id(employee_id, "employee")
    return respond(eid, jejak().service_records.record_of(actor(), eid))


@blp.route("/employees/<employee_id>/qualifications", methods=["POST"])
@allow()
@blp.arguments(QualificationIn())
@blp.response(201, ServiceRecordOut)
def record_qualification(data: dict[str, Any], employee_id: str) -> Any:
    """Record a qualification (level SD to S3, institution, date of graduation)."""
    eid = parse_id(employee_id, "employee")
    record = jejak().service_records.record_qualification(actor(), eid, data["level"], data["institution"],
                                                         data["graduated_on"])
    return respond(eid, record, 201)


@blp.route("/employees/<employee_id>/disciplinary-penalties", methods=["POST"])
@allow()
@blp.arguments(PenaltyIn())
@blp.response(201, ServiceRecordOut)
def impose_penalty(data: dict[str, Any], employee_id: str) -> Any:
    """Record a disciplinary penalty (level, the days in force, decree number)."""
    eid = parse_id(employee_id, "employee")
    record = jejak().service_records.impose_penalty(actor(), eid, data["level"], data["starts_on"],
                                                   data["ends_on"], data["decree_number"])
    return respond(eid, record, 201)


@blp.route("/employees/<employee_id>/civil-service-exams", methods=["POST"])
@allow()
@blp.arguments(ExamIn())
@blp.response(201, ServiceRecordOut)
def pass_exam(data: dict[str, Any], employee_id: str) -> Any:
    """Record a civil-service exam passed (ujian dinas tingkat I or II)."""
    eid = parse_id(employee_id, "employee")
    record = jejak().service_records.record_exam(actor(), eid, data["exam"], data["passed_on"],
                                                data["certificate_number"])
    return respond(eid, record, 201)
