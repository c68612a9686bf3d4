"""Potential assessments and a unit's talent grid (9-box)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from domain.potential import LEVELS
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import PAGE_HEADERS, paged_list, parse_id, with_etag
from web.schemas import LongText, Strict

blp = Blueprint("talent", __name__, url_prefix="/api", description="Potential assessments and the talent grid (9-box)")


class PotentialIn(Strict):
    """A potential assessment; the assessor is the caller."""

    employee_id = ma.fields.UUID(required=True)
    level = ma.fields.String(required=True, validate=ma.validate.OneOf(LEVELS))
    basis = ma.fields.String(required=True, validate=LongText, metadata={
        "description": "what the judgement rests on, e.g. an assessment-centre report"})
    assessed_on = ma.fields.Date(load_default=None, metadata={"description": "default today; not in the future"})


class PotentialQuery(Strict):
    """Potential assessment filters."""

    employee_id = ma.fields.UUID(load_default=None)
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=500), metadata={
        "description": "the next page: the cursor of the Link header's rel=\"next\""})


class PotentialOut(Out):
    """A potential assessment."""

    id = ma.fields.UUID()
    employee_id = ma.fields.UUID()
    employee_name = ma.fields.String(allow_none=True)
    level = ma.fields.String()
    basis = ma.fields.String()
    assessed_on = ma.fields.Date()
    assessor_id = ma.fields.UUID(allow_none=True)
    assessor_name = ma.fields.String()
    recorded_at = ma.fields.AwareDateTime()
    version = ma.fields.Integer()


class MemberOut(Out):
    """An employee in the grid (or unplaced, with what is missing)."""

    employee_id = ma.fields.UUID()
    name = ma.fields.String()
    position = ma.fields.String()
    rank = ma.fields.String()
    predicate = ma.fields.String(allow_none=True, metadata={"description": "latest final annual predicate"})
    performance = ma.fields.String(allow_none=True)
    potential = ma.fields.String(allow_none=True)
    potential_assessment_id = ma.fields.UUID(allow_none=True)
    potential_assessed_on = ma.fields.Date(allow_none=True)
    missing = ma.fields.List(ma.fields.String())


class BoxOut(Out):
    """One of the nine boxes."""

    box = ma.fields.Integer()
    performance = ma.fields.String()
    potential = ma.fields.String()
    meaning = ma.fields.String(allow_none=True, metadata={"description": "what the box means (rule-set data)"})
    follow_up = ma.fields.String(allow_none=True, metadata={"description": "the recommended follow-up"})
    talent_pool = ma.fields.Boolean(metadata={"description": "the box belongs to the talent pool (7, 8, 9)"})
    count = ma.fields.Integer()
    members = ma.fields.List(ma.fields.Nested(MemberOut))


class GridOut(Out):
    """A unit's talent grid: boxes 9 (above x high) down to 1 (below x low), and who could not be placed."""

    unit = ma.fields.String()
    rule_set_version = ma.fields.Integer(allow_none=True, metadata={
        "description": "the rule set whose 9-box numbering, meanings and follow-ups the grid shows"})
    employees = ma.fields.Integer()
    placed = ma.fields.Integer()
    performance_by_predicate = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    boxes = ma.fields.List(ma.fields.Nested(BoxOut))
    unplaced = ma.fields.List(ma.fields.Nested(MemberOut))


@blp.route("/potential-assessments")
@allow()
@blp.arguments(PotentialQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, PotentialOut(many=True), headers=PAGE_HEADERS)
def list_potential(query: dict[str, Any]) -> Any:
    """Potential assessments, latest first (employees: their own; supervisors: also their reports')."""
    return paged_list(jejak().queries.talent.potential_assessments(actor(), query["employee_id"], query["limit"],
                                                                   query["cursor"] or ""))


@blp.route("/potential-assessments", methods=["POST"])
@allow()
@blp.arguments(PotentialIn())
@blp.response(201, PotentialOut)
def assess_potential(data: dict[str, Any]) -> Any:
    """Record a potential assessment (low / middle / high) with its basis: the employee's supervisor or HR."""
    assessment = jejak().talent.assess_potential(actor(), data["employee_id"], data["level"], data["basis"],
                                                 data["assessed_on"])
    return respond_potential(assessment.id, 201)


@blp.route("/potential-assessments/<assessment_id>")
@allow()
@blp.response(200, PotentialOut)
def get_potential(assessment_id: str) -> Any:
    """One potential assessment."""
    return respond_potential(parse_id(assessment_id, "potential assessment"))


def respond_potential(assessment_id: UUID, status: int = 200) -> Any:
    """An assessment the caller may read, with its version as ETag."""
    row = jejak().queries.talent.potential_assessment(actor(), assessment_id)
    return with_etag(row, row["version"], status)


@blp.route("/units/<code>/talent-grid")
@allow()
@blp.response(200, GridOut)
def talent_grid(code: str) -> dict[str, Any]:
    """The unit's 9-box from each employee's latest final annual predicate (performance) and latest potential
    assessment; employees missing either are listed as unplaced with what is missing. Supervisors see their
    own reports only."""
    return jejak().queries.careers.talent_grid(actor(), code)
