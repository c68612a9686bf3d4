"""Training completions: record, verify or reject, list; an employee's yearly JP and a unit's shortfall."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from application.queries.filters import TrainingFilter
from domain.training import MAX_JP_PER_DAY, OUTCOMES, STATUSES
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import PAGE_HEADERS, expected_version, paged_list, parse_id, with_etag
from web.schemas import LongText, Strict, Text

blp = Blueprint("trainings", __name__, url_prefix="/api", description="Training completions (pengembangan kompetensi)")
YEARS = ma.validate.Range(min=1950, max=2100)


class TrainingIn(Strict):
    """A completed training (pengembangan kompetensi)."""

    employee_id = ma.fields.UUID(required=True, metadata={"description": "employees record their own"})
    course = ma.fields.String(required=True, validate=Text, metadata={"example": "Pelatihan Analis Kebijakan"})
    provider = ma.fields.String(required=True, validate=Text, metadata={"example": "BPSDM Provinsi"})
    jp = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=10_000), metadata={
        "description": f"jam pelajaran of 45 minutes; at most {MAX_JP_PER_DAY} per calendar day from start_date to "
                       f"end_date inclusive"})
    start_date = ma.fields.Date(required=True)
    end_date = ma.fields.Date(required=True, metadata={"description": "not in the future; the year it counts in"})
    certificate_number = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100), metadata={
        "description": "unique: compared without case or whitespace"})
    idp_goal_id = ma.fields.UUID(load_default=None, metadata={
        "description": "the goal of the employee's agreed development plan of the end date's year this served"})


class VerificationIn(Strict):
    """HR's decision on a completion."""

    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOMES))
    reason = ma.fields.String(required=True, validate=LongText)


class TrainingQuery(Strict):
    """Training list filters."""

    employee_id = ma.fields.UUID(load_default=None)
    unit = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=20),
                            metadata={"description": "the employee's unit now"})
    year = ma.fields.Integer(load_default=None, validate=YEARS, metadata={"description": "year of the end date"})
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(STATUSES))
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=500), metadata={
        "description": "the next page: the cursor of the Link header's rel=\"next\""})


class YearQuery(Strict):
    """Which year (default: this year)."""

    year = ma.fields.Integer(load_default=None, validate=YEARS)


class TrainingOut(Out):
    """A completion and its verification status."""

    id = ma.fields.UUID()
    employee_id = ma.fields.UUID()
    employee_name = ma.fields.String(allow_none=True)
    unit = ma.fields.String(allow_none=True)
    course = ma.fields.String()
    provider = ma.fields.String()
    jp = ma.fields.Integer()
    start_date = ma.fields.Date()
    end_date = ma.fields.Date()
    year = ma.fields.Integer()
    certificate_number = ma.fields.String()
    status = ma.fields.String(metadata={"description": "unverified, verified or rejected"})
    decision_reason = ma.fields.String(allow_none=True)
    decided_at = ma.fields.AwareDateTime(allow_none=True)
    recorded_at = ma.fields.AwareDateTime()
    version = ma.fields.Integer()


class HoursOut(Out):
    """An employee's JP for a year: only verified completions count towards the minimum."""

    employee_id = ma.fields.UUID()
    name = ma.fields.String()
    year = ma.fields.Integer()
    verified_jp = ma.fields.Integer()
    unverified_jp = ma.fields.Integer()
    rejected_jp = ma.fields.Integer()
    minimum_jp = ma.fields.Integer()
    shortfall_jp = ma.fields.Integer()
    meets_minimum = ma.fields.Boolean()
    status = ma.fields.String(metadata={"description": "employment status: PNS and CPNS have a right to at least "
                                                      "the minimum; a PPPK's entitlement is at most the maximum"})
    entitlement = ma.fields.String(metadata={"description": "at_least (PNS, CPNS) or at_most (PPPK)"})
    entitlement_jp = ma.fields.Integer(allow_none=True)
    over_entitlement_jp = ma.fields.Integer(metadata={"description": "a PPPK's verified JP above the maximum"})
    rule_set_version = ma.fields.Integer()
    rules_at = ma.fields.Date(metadata={"description": "the date whose rule set gave the minimum"})
    trainings = ma.fields.List(ma.fields.Nested(TrainingOut))


class BelowOut(Out):
    """Someone below the yearly minimum."""

    employee_id = ma.fields.UUID()
    name = ma.fields.String()
    position = ma.fields.String()
    rank = ma.fields.String()
    verified_jp = ma.fields.Integer()
    unverified_jp = ma.fields.Integer()
    shortfall_jp = ma.fields.Integer()


class ShortfallOut(Out):
    """Who in the unit is below the yearly JP minimum."""

    unit = ma.fields.String()
    year = ma.fields.Integer()
    minimum_jp = ma.fields.Integer()
    rule_set_version = ma.fields.Integer()
    rules_at = ma.fields.Date()
    employees = ma.fields.Integer(metadata={"description": "how many were counted"})
    below_count = ma.fields.Integer()
    below = ma.fields.List(ma.fields.Nested(BelowOut))


def training_detail(training_id: UUID) -> dict[str, Any]:
    """A completion the caller may read (404 unknown, 403 someone else's)."""
    return jejak().queries.careers.training(actor(), training_id)


def respond_training(training_id: UUID, status: int = 200) -> Any:
    """A completion with its version as ETag."""
    row = training_detail(training_id)
    return with_etag(row, row["version"], status)


@blp.route("/trainings")
@allow()
@blp.arguments(TrainingQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, TrainingOut(many=True), headers=PAGE_HEADERS)
def list_trainings(query: dict[str, Any]) -> Any:
    """Completions, latest end date first (employees: their own; supervisors: also their reports')."""
    flt = TrainingFilter(query["employee_id"], query["unit"], query["year"], query["status"])
    return paged_list(jejak().queries.careers.trainings(actor(), flt, query["limit"], query["cursor"] or ""))


@blp.route("/trainings", methods=["POST"])
@allow()
@blp.arguments(TrainingIn())
@blp.response(201, TrainingOut)
def record_training(data: dict[str, Any]) -> Any:
    """Record a completion (employees their own, HR anyone's); it counts once HR verifies it. A certificate number
    already on a completion that was not rejected is a 409."""
    training = jejak().trainings.record(actor(), **data)
    return respond_training(training.id, 201)


@blp.route("/trainings/<training_id>")
@allow()
@blp.response(200, TrainingOut)
def get_training(training_id: str) -> Any:
    """One completion and its status."""
    return respond_training(parse_id(training_id, "training"))


@blp.route("/trainings/<training_id>/verification", methods=["POST"])
@allow()
@blp.arguments(VerificationIn())
@blp.response(200, TrainingOut)
def verify(data: dict[str, Any], training_id: str) -> Any:
    """Verify or reject a completion, with a reason (once; a rejection frees the certificate number)."""
    tid = parse_id(training_id, "training")
    jejak().trainings.decide(actor(), tid, data["outcome"], data["reason"], expected_version())
    return respond_training(tid)


@blp.route("/employees/<employee_id>/training-hours")
@allow()
@blp.arguments(YearQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, HoursOut)
def training_hours(query: dict[str, Any], employee_id: str) -> dict[str, Any]:
    """Verified JP of a year against the yearly minimum of the rule set in effect at the end of that year (or
    today, while it runs); unverified and rejected completions do not count."""
    return jejak().queries.careers.training_hours(actor(), parse_id(employee_id, "employee"), query["year"])


@blp.route("/units/<code>/training-shortfall")
@allow()
@blp.arguments(YearQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, ShortfallOut)
def training_shortfall(query: dict[str, Any], code: str) -> dict[str, Any]:
    """Who in the unit (now, and in service by the end of the year) has fewer verified JP than the yearly
    minimum; supervisors see their own reports only."""
    return jejak().queries.careers.shortfall(actor(), code, query["year"])
