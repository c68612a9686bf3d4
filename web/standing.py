"""Where an employee stands: predicates, this year's JP, the 9-box where shown, and the next promotion."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from web.appraisals import NoteOut
from web.auth import actor, allow, jejak
from web.award_proposals import AwardProposalOut
from web.blueprint import Blueprint
from web.development import NeedOut
from web.dialogues import DialogueOut
from web.dump import Out
from web.http import parse_id
from web.plans import PlanOut
from web.upward_feedback import UpwardOut

blp = Blueprint("standing", __name__, url_prefix="/api", description="Where an employee stands (development)")


class KindOut(Out):
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


class PromotionOut(Out):
    """The next rank promotion."""

    applies = ma.fields.Boolean(metadata={"description": "false for PPPK and CPNS (no rank promotion)"})
    reason = ma.fields.String(allow_none=True)
    next = ma.fields.Nested(KindOut, allow_none=True)
    kinds = ma.fields.List(ma.fields.Nested(KindOut))


class StandingEmployeeOut(Out):
    """Who the standing is of, as the employee record has it now."""

    id = ma.fields.UUID()
    name = ma.fields.String()
    unit = ma.fields.String()
    position = ma.fields.String()
    rank = ma.fields.String()
    rank_since = ma.fields.Date()
    status = ma.fields.String()


class PredicateOut(Out):
    """One annual appraisal."""

    id = ma.fields.UUID()
    period = ma.fields.String()
    status = ma.fields.String()
    predicate = ma.fields.String(allow_none=True, metadata={"description": "the current one (after an objection)"})
    original_predicate = ma.fields.String(allow_none=True)
    objection = ma.fields.String(allow_none=True)
    finalised_on = ma.fields.Date(allow_none=True)


class YearJpOut(Out):
    """This year's JP against the entitlement."""

    year = ma.fields.Integer()
    verified_jp = ma.fields.Integer()
    unverified_jp = ma.fields.Integer()
    entitlement_jp = ma.fields.Integer()
    entitlement = ma.fields.String(metadata={"description": "at_least (PNS) or at_most (PPPK)"})
    remaining_jp = ma.fields.Integer()
    rule_set_version = ma.fields.Integer()
    mentoring_sessions = ma.fields.Integer(metadata={"description": "this year's mentoring sessions as the mentee"})
    mentoring_jp = ma.fields.Integer(metadata={
        "description": "their JP credit (rule set: development.mentoring_jp_per_session each), beside verified JP"})


class PlacementOut(Out):
    """The 9-box cell, where shown."""

    shown = ma.fields.Boolean()
    predicate = ma.fields.String(allow_none=True)
    performance = ma.fields.String(allow_none=True)
    potential = ma.fields.String(allow_none=True)
    box = ma.fields.Integer(allow_none=True)
    missing = ma.fields.List(ma.fields.String())
    meaning = ma.fields.String(allow_none=True)
    follow_up = ma.fields.String(allow_none=True)
    talent_pool = ma.fields.Boolean()
    potential_assessed_on = ma.fields.Date(allow_none=True)


class StandingPlanOut(PlanOut):
    """A development plan and whether the caller signs it now."""

    signs_as = ma.fields.String(allow_none=True, metadata={"description": "employee, supervisor or null"})
    may_sign = ma.fields.Boolean()


class StandingDialogueOut(DialogueOut):
    """A dialogue and the caller's part in it."""

    party = ma.fields.String(allow_none=True, metadata={"description": "employee, supervisor or null"})


class StandingNoteOut(NoteOut):
    """A coaching note on one of the employee's appraisals (read-only here; recorded on the appraisal)."""

    appraisal_id = ma.fields.UUID()
    period = ma.fields.String()
    noted_by_name = ma.fields.String(allow_none=True)


class StandingUpwardOut(Out):
    """Upward feedback on the standing."""

    received = ma.fields.Nested(UpwardOut, allow_none=True, metadata={
        "description": "the last finished quarter's upward feedback, where the caller reads it"})
    give_to = ma.fields.UUID(allow_none=True, metadata={"description": "your direct supervisor (your own standing)"})
    period = ma.fields.String(metadata={"description": "the running quarter"})


class StandingOut(Out):
    """An employee's standing today."""

    employee = ma.fields.Nested(StandingEmployeeOut)
    today = ma.fields.Date()
    rule_set_version = ma.fields.Integer()
    predicates = ma.fields.List(ma.fields.Nested(PredicateOut), metadata={"description": "latest first"})
    training = ma.fields.Nested(YearJpOut)
    talent = ma.fields.Nested(PlacementOut, metadata={
        "description": "shown false (and nothing else) where the rule set hides the 9-box from the employee"})
    promotion = ma.fields.Nested(PromotionOut)
    needs = ma.fields.List(ma.fields.Nested(NeedOut), metadata={"description": "development needs, latest first"})
    may_decide_needs = ma.fields.Boolean(metadata={"description": "the caller confirms or dismisses proposed needs"})
    plans = ma.fields.List(ma.fields.Nested(StandingPlanOut), metadata={
        "description": "development plans, latest year first, with their goals"})
    dialogues = ma.fields.List(ma.fields.Nested(StandingDialogueOut), metadata={
        "description": "performance dialogues, latest first"})
    coaching_notes = ma.fields.List(ma.fields.Nested(StandingNoteOut), metadata={
        "description": "coaching notes on the employee's appraisals, latest first: part of the dialogue history"})
    upward = ma.fields.Nested(StandingUpwardOut)
    award_proposals = ma.fields.List(ma.fields.Nested(AwardProposalOut), metadata={
        "description": "awards proposed by Sangat Baik predicates"})
    may_decide_awards = ma.fields.Boolean(metadata={"description": "the caller (HR) grants or dismisses them"})
    dialogue_party = ma.fields.String(allow_none=True, metadata={
        "description": "employee or supervisor: the caller records dialogues of this employee as that party"})


@blp.route("/employees/<employee_id>/standing")
@allow()
@blp.response(200, StandingOut)
def employee_standing(employee_id: str) -> dict[str, Any]:
    """Where the employee stands: predicate history, this year's JP, the 9-box (where shown) and the next promotion
    with each criterion and what is missing (the employee, their supervisors, HR, auditors)."""
    return jejak().queries.standing.standing(actor(), parse_id(employee_id, "employee"))
