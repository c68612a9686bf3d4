"""Development needs: proposed from a pinned source, or recorded by the supervisor; confirmed or dismissed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from domain.development import AREAS, BERAKHLAK, MAX_DETAIL, SOURCES, STATUSES
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import expected_version, parse_id, with_etag
from web.schemas import LongText, Strict
from web.trainings import YEARS

blp = Blueprint("development", __name__, url_prefix="/api",
                description="Development needs (kebutuhan pengembangan kompetensi)")
PROPOSING = tuple(s for s in SOURCES if s != "supervisor")


class NeedQuery(Strict):
    """Need list filters."""

    employee_id = ma.fields.UUID(load_default=None)
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(STATUSES))
    source = ma.fields.String(load_default=None, validate=ma.validate.OneOf(SOURCES))
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))


class ProposalIn(Strict):
    """The source to propose needs from."""

    source = ma.fields.String(required=True, validate=ma.validate.OneOf(PROPOSING), metadata={
        "description": "appraisal (a final one: each rating below expectations), feedback_round (a closed one: "
                       "values others rate below the rule set's threshold, or a self-vs-others gap above it), "
                       "talent (a potential assessment: the 9-box box's follow-up where the rule set lists the box)"})
    source_id = ma.fields.UUID(required=True)


class JudgementIn(Strict):
    """A need of the supervisor's own judgement (confirmed as recorded)."""

    employee_id = ma.fields.UUID(required=True)
    area = ma.fields.String(required=True, validate=ma.validate.OneOf(AREAS))
    value = ma.fields.String(load_default=None, validate=ma.validate.OneOf(BERAKHLAK),
                             metadata={"description": "the BerAKHLAK value (required for area value)"})
    detail = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_DETAIL))


class NeedDecisionIn(Strict):
    """Why the need is confirmed or dismissed."""

    reason = ma.fields.String(required=True, validate=LongText)


class NeedOut(Out):
    """A development need with its pinned source."""

    id = ma.fields.UUID()
    employee_id = ma.fields.UUID()
    employee_name = ma.fields.String(allow_none=True)
    unit = ma.fields.String(allow_none=True)
    source_type = ma.fields.String()
    source_id = ma.fields.UUID(allow_none=True)
    source_version = ma.fields.Integer(allow_none=True)
    area = ma.fields.String()
    value = ma.fields.String(allow_none=True)
    detail = ma.fields.String()
    figures = ma.fields.Dict()
    rule_set_version = ma.fields.Integer(allow_none=True)
    status = ma.fields.String()
    reason = ma.fields.String(allow_none=True)
    decided_by = ma.fields.UUID(allow_none=True)
    proposed_at = ma.fields.AwareDateTime()
    decided_at = ma.fields.AwareDateTime(allow_none=True)
    version = ma.fields.Integer()


def need_row(need_id: UUID) -> dict[str, Any]:
    """A need the caller may read (whoever reads the employee's career record), or 404."""
    return jejak().queries.development_records.need(actor(), need_id)


def respond_need(need_id: UUID, status: int = 200) -> Any:
    """A need with its version as ETag."""
    row = need_row(need_id)
    return with_etag(row, row["version"], status)


@blp.route("/development-needs")
@allow()
@blp.arguments(NeedQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, NeedOut(many=True))
def list_needs(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Needs, latest first (employees: their own; supervisors: also their reports')."""
    return jejak().queries.development_records.needs(actor(), query["employee_id"], query["status"], query["source"],
                                                     query["limit"])


@blp.route("/development-needs", methods=["POST"])
@allow()
@blp.arguments(JudgementIn())
@blp.response(201, NeedOut)
def record_need(data: dict[str, Any]) -> Any:
    """Record a need of the supervisor's own judgement (the employee's supervisor or HR)."""
    need = jejak().development.judge(actor(), data["employee_id"], data["area"], data["value"], data["detail"])
    return respond_need(need.id, 201)


@blp.route("/development-needs/proposals", methods=["POST"])
@allow()
@blp.arguments(ProposalIn())
@blp.response(201, NeedOut(many=True))
def propose_needs(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Propose the needs a pinned source gives under the rule set in effect; those already proposed from it are
    not proposed again (the employee's supervisor or HR)."""
    new = jejak().development.propose(actor(), data["source"], data["source_id"])
    return [need_row(need.id) for need in new]


@blp.route("/development-needs/<need_id>")
@allow()
@blp.response(200, NeedOut)
def get_need(need_id: str) -> Any:
    """One need."""
    return respond_need(parse_id(need_id, "development need"))


@blp.route("/development-needs/<need_id>/confirmation", methods=["POST"])
@allow()
@blp.arguments(NeedDecisionIn())
@blp.response(200, NeedOut)
def confirm_need(data: dict[str, Any], need_id: str) -> Any:
    """Confirm a proposed need with a reason (the employee's supervisor or HR)."""
    nid = parse_id(need_id, "development need")
    jejak().development.confirm(actor(), nid, data["reason"], expected_version())
    return respond_need(nid)


@blp.route("/development-needs/<need_id>/dismissal", methods=["POST"])
@allow()
@blp.arguments(NeedDecisionIn())
@blp.response(200, NeedOut)
def dismiss_need(data: dict[str, Any], need_id: str) -> Any:
    """Dismiss a proposed need with a reason (the employee's supervisor or HR)."""
    nid = parse_id(need_id, "development need")
    jejak().development.dismiss(actor(), nid, data["reason"], expected_version())
    return respond_need(nid)


class UnitDevelopmentQuery(Strict):
    """Which year (default: this year)."""

    year = ma.fields.Integer(load_default=None, validate=YEARS)


class UnitDevelopmentOut(Out):
    """A unit's development needs, IDP coverage and JP."""

    unit = ma.fields.String()
    year = ma.fields.Integer()
    employees = ma.fields.Integer()
    needs_by_value = ma.fields.List(ma.fields.Dict(), metadata={"description": "value, count (open needs)"})
    needs_by_source = ma.fields.List(ma.fields.Dict(), metadata={"description": "source, count (open needs)"})
    needs_by_area = ma.fields.Dict()
    with_plan = ma.fields.Integer()
    without_plan = ma.fields.List(ma.fields.Dict(), metadata={"description": "who has no plan for the year"})
    jp_planned = ma.fields.Integer()
    jp_verified = ma.fields.Integer()
    people = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "employee_id, name, position, rank, open_needs, plan_status, jp_planned, jp_verified"})


@blp.route("/units/<code>/development")
@allow()
@blp.arguments(UnitDevelopmentQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, UnitDevelopmentOut)
def unit_development(query: dict[str, Any], code: str) -> dict[str, Any]:
    """The unit's development report: open needs by BerAKHLAK value and by source, who has no development plan
    for the year, and planned against verified JP per person (HR, auditors)."""
    return jejak().queries.development.unit_report(actor(), code, query["year"] or jejak().plans.today().year)
