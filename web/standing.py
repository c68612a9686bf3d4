"""Where an employee stands: predicates, this year's JP, the 9-box where shown, and the next promotion."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint

from web.auth import actor, allow, jejak
from web.http import parse_id

blp = Blueprint("standing", __name__, url_prefix="/api", description="Where an employee stands (development)")


class KindOut(ma.Schema):
    """One promotion kind at its earliest possible TMT."""

    rank_kind = ma.fields.String()
    effective = ma.fields.String(metadata={"description": "the earliest possible TMT"})
    eligible = ma.fields.Boolean(metadata={"description": "on today's records, at that TMT"})
    attainable = ma.fields.Boolean()
    criteria = ma.fields.List(ma.fields.Dict(), metadata={"description": "as a promotion assessment records them"})
    missing = ma.fields.List(ma.fields.Dict(), metadata={"description": (
        "what is still missing: criterion, code (more_years_in_rank, predicate_needed, predicate_below, "
        "training_jp, exam_needed, objection_pending, qualification_ceiling, above_supervisor, penalty_in_force, "
        "new_qualification, award_needed), attainable (can still come about before the date) and its values")})


class PromotionOut(ma.Schema):
    """The next rank promotion."""

    applies = ma.fields.Boolean(metadata={"description": "false for PPPK and CPNS (no rank promotion)"})
    reason = ma.fields.String(allow_none=True)
    next = ma.fields.Nested(KindOut, allow_none=True)
    kinds = ma.fields.List(ma.fields.Nested(KindOut))


class StandingOut(ma.Schema):
    """An employee's standing today."""

    employee = ma.fields.Dict()
    today = ma.fields.Date()
    rule_set_version = ma.fields.Integer()
    predicates = ma.fields.List(ma.fields.Dict(), metadata={"description": "annual appraisals, latest first"})
    training = ma.fields.Dict(metadata={"description": "this year's verified JP against the entitlement"})
    talent = ma.fields.Dict(metadata={"description": "the 9-box cell; shown: false where the rule set hides it "
                                                     "from the employee"})
    promotion = ma.fields.Nested(PromotionOut)


@blp.route("/employees/<employee_id>/standing")
@allow()
@blp.response(200, StandingOut)
def employee_standing(employee_id: str) -> dict[str, Any]:
    """Where the employee stands: predicate history, this year's JP, the 9-box (where shown) and the next promotion
    with each criterion and what is missing (the employee, their supervisors, HR, auditors)."""
    return jejak().queries.standing.standing(actor(), parse_id(employee_id, "employee"))
