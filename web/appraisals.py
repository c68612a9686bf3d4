"""Performance appraisal (SKP) routes: appraisals and their stages, organisation ratings, predicate distribution."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from application.queries.filters import AppraisalFilter
from domain.appraisal import OUTCOMES
from domain.appraisal import STATUSES as APPRAISAL_STATUSES
from domain.feedback_round import PERIOD
from domain.rules import ORG_RATINGS, PREDICATES, RATINGS
from domain.unit_rating import UnitRating
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import PAGE_HEADERS, expected_version, paged_list, parse_id, with_etag
from web.schemas import LongText, Strict

blp = Blueprint("appraisals", __name__, url_prefix="/api", description="Performance appraisals (SKP)")
Period = ma.validate.Regexp(PERIOD, error="must be a year like 2026 or a quarter like 2026-Q3")


class AppraisalIn(Strict):
    """An appraisal to open."""

    employee_id = ma.fields.UUID(required=True)
    period = ma.fields.String(required=True, validate=Period, metadata={"example": "2026"})
    assessor_id = ma.fields.UUID(load_default=None, allow_none=True, metadata={
        "description": "default: the employee's supervisor (by TMT) on the period's first day; only HR names another"})


class AppraisalQuery(Strict):
    """Appraisal list filters."""

    employee_id = ma.fields.UUID(load_default=None)
    unit = ma.fields.String(load_default=None)
    period = ma.fields.String(load_default=None, validate=Period)
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(APPRAISAL_STATUSES))
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=500), metadata={
        "description": "the next page: the cursor of the Link header's rel=\"next\""})


class TargetIn(Strict):
    """An expectation agreed in planning."""

    target = ma.fields.String(required=True, validate=LongText)
    indicator = ma.fields.String(required=True, validate=LongText)


class NoteIn(Strict):
    """A coaching note."""

    text = ma.fields.String(required=True, validate=LongText)


class AssessmentIn(Strict):
    """The assessor's two ratings, optionally citing a closed 360 round of the same person and period."""

    work_results = ma.fields.String(required=True, validate=ma.validate.OneOf(RATINGS))
    behaviour = ma.fields.String(required=True, validate=ma.validate.OneOf(RATINGS))
    feedback_round_id = ma.fields.UUID(load_default=None, allow_none=True)


class ObjectionIn(Strict):
    """The employee's objection (keberatan)."""

    reasons = ma.fields.String(required=True, validate=LongText)


class DecisionIn(Strict):
    """The superior's final decision: upheld with the new predicate, or rejected."""

    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOMES))
    predicate = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.OneOf(PREDICATES))
    reason = ma.fields.String(required=True, validate=LongText)


class OrganisationRatingIn(Strict):
    """A unit's own rating for the period."""

    rating = ma.fields.String(required=True, validate=ma.validate.OneOf(ORG_RATINGS))
    reason = ma.fields.String(required=True, validate=LongText)


class DistributionQuery(Strict):
    """Which period."""

    period = ma.fields.String(required=True, validate=Period)


class TargetOut(Out):
    """An agreed target."""

    id = ma.fields.UUID()
    target = ma.fields.String()
    indicator = ma.fields.String()
    agreed_at = ma.fields.AwareDateTime()


class NoteOut(Out):
    """A coaching note."""

    id = ma.fields.UUID()
    text = ma.fields.String()
    noted_by = ma.fields.UUID()
    noted_at = ma.fields.AwareDateTime()


class AssessmentOut(Out):
    """An assessment with its pinned rule set and evidence."""

    work_results = ma.fields.String()
    behaviour = ma.fields.String()
    predicate = ma.fields.String()
    rule_set_version = ma.fields.Integer()
    objection_window_days = ma.fields.Integer()
    feedback_round_id = ma.fields.UUID(allow_none=True)
    feedback_round_version = ma.fields.Integer(allow_none=True)
    assessor_id = ma.fields.UUID()
    assessed_at = ma.fields.AwareDateTime()


class ObjectionOut(Out):
    """The objection and its decision."""

    status = ma.fields.String()
    reasons = ma.fields.String()
    filed_on = ma.fields.Date()
    filed_at = ma.fields.AwareDateTime()
    decider_id = ma.fields.UUID()
    objected_predicate = ma.fields.String()
    outcome = ma.fields.String(allow_none=True)
    predicate = ma.fields.String(allow_none=True)
    decision_reason = ma.fields.String(allow_none=True)
    decided_on = ma.fields.Date(allow_none=True)
    decided_at = ma.fields.AwareDateTime(allow_none=True)


class AppraisalOut(Out):
    """An appraisal (the list leaves out targets, notes and the assessment history)."""

    id = ma.fields.UUID()
    employee_id = ma.fields.UUID()
    employee_name = ma.fields.String(allow_none=True)
    period = ma.fields.String()
    unit = ma.fields.String()
    assessor_id = ma.fields.UUID()
    assessor_name = ma.fields.String(allow_none=True)
    assessor_basis = ma.fields.String()
    status = ma.fields.String()
    work_results = ma.fields.String(allow_none=True)
    behaviour = ma.fields.String(allow_none=True)
    original_predicate = ma.fields.String(allow_none=True)
    predicate = ma.fields.String(allow_none=True)
    rule_set_version = ma.fields.Integer(allow_none=True)
    finalised_on = ma.fields.Date(allow_none=True)
    objection_deadline = ma.fields.Date(allow_none=True)
    objection = ma.fields.Raw(allow_none=True, metadata={"description": "list: pending/upheld/rejected; "
                                                                         "detail: the objection object"})
    targets = ma.fields.Raw(metadata={"description": "list: how many; detail: the targets"})
    notes = ma.fields.Raw(metadata={"description": "list: how many; detail: the notes"})
    assessments = ma.fields.List(ma.fields.Nested(AssessmentOut))
    version = ma.fields.Integer()


class UnitRatingOut(Out):
    """A unit's organisation rating for a period."""

    unit = ma.fields.String()
    period = ma.fields.String()
    rating = ma.fields.String()
    rule_set_version = ma.fields.Integer()
    version = ma.fields.Integer()


class ShareOut(Out):
    """How many final appraisals carry a predicate."""

    predicate = ma.fields.String()
    count = ma.fields.Integer()
    percent = ma.fields.Float(allow_none=True)


class CapCheckOut(Out):
    """One bound of the distribution caps."""

    predicates = ma.fields.List(ma.fields.String())
    bound = ma.fields.String()
    limit = ma.fields.Integer()
    count = ma.fields.Integer()
    percent = ma.fields.Float(allow_none=True)
    ok = ma.fields.Boolean()
    flag = ma.fields.String(allow_none=True, metadata={"description": "over_cap or under_minimum when broken"})


class DistributionOut(Out):
    """The predicates of a unit's final appraisals for a period against its organisation rating's caps."""

    unit = ma.fields.String()
    period = ma.fields.String()
    organisation_rating = ma.fields.Nested(UnitRatingOut, allow_none=True)
    total = ma.fields.Integer()
    pending_objections = ma.fields.Integer()
    predicates = ma.fields.List(ma.fields.Nested(ShareOut))
    checks = ma.fields.List(ma.fields.Nested(CapCheckOut))
    flagged = ma.fields.Boolean()


def respond(appraisal_id: UUID, status: int = 200) -> Any:
    """The appraisal the caller may see, with its version as ETag (403 for an appraisal of someone else)."""
    shown = visible_appraisal(appraisal_id)
    return with_etag(shown, shown["version"], status)


def visible_appraisal(appraisal_id: UUID) -> dict[str, Any]:
    """An appraisal's detail, if the caller may see it (403 otherwise)."""
    return jejak().queries.appraisals.appraisal(actor(), appraisal_id)


def rating_out(rating: UnitRating) -> dict[str, Any]:
    """A unit rating's fields."""
    return {"unit": rating.unit, "period": rating.period, "rating": rating.rating,
            "rule_set_version": rating.rule_set_version, "version": rating.version}


@blp.route("/appraisals")
@allow()
@blp.arguments(AppraisalQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, AppraisalOut(many=True), headers=PAGE_HEADERS)
def list_appraisals(query: dict[str, Any]) -> Any:
    """Appraisals, newest period first (employees: their own and those they assess or decide; supervisors: also
    their direct and indirect reports')."""
    flt = AppraisalFilter(query["employee_id"], query["unit"], query["period"], query["status"])
    return paged_list(jejak().queries.appraisals.page(actor(), flt, query["limit"], query["cursor"]))


@blp.route("/appraisals", methods=["POST"])
@allow()
@blp.arguments(AppraisalIn())
@blp.response(201, AppraisalOut)
def open_appraisal(data: dict[str, Any]) -> Any:
    """Open the one appraisal of an employee and period (HR or the employee's supervisor)."""
    opened = jejak().appraisals.open(actor(), data["employee_id"], data["period"], data["assessor_id"])
    return respond(opened.id, 201)


@blp.route("/appraisals/<appraisal_id>")
@allow()
@blp.response(200, AppraisalOut)
def get_appraisal(appraisal_id: str) -> Any:
    """An appraisal with its targets, notes, assessments and objection."""
    return respond(parse_id(appraisal_id, "appraisal"))


@blp.route("/appraisals/<appraisal_id>/targets", methods=["POST"])
@allow()
@blp.arguments(TargetIn())
@blp.response(201, AppraisalOut)
def agree_target(data: dict[str, Any], appraisal_id: str) -> Any:
    """Planning: the assessor records an agreed target with its indicator."""
    aid = parse_id(appraisal_id, "appraisal")
    jejak().appraisals.agree_target(actor(), aid, data["target"], data["indicator"], expected_version())
    return respond(aid, 201)


@blp.route("/appraisals/<appraisal_id>/notes", methods=["POST"])
@allow()
@blp.arguments(NoteIn())
@blp.response(201, AppraisalOut)
def record_note(data: dict[str, Any], appraisal_id: str) -> Any:
    """Coaching: the assessor records a feedback note."""
    aid = parse_id(appraisal_id, "appraisal")
    jejak().appraisals.record_note(actor(), aid, data["text"], expected_version())
    return respond(aid, 201)


@blp.route("/appraisals/<appraisal_id>/assessment", methods=["POST"])
@allow()
@blp.arguments(AssessmentIn())
@blp.response(200, AppraisalOut)
def assess(data: dict[str, Any], appraisal_id: str) -> Any:
    """The assessor rates work results and behaviour; the predicate follows from the rule set for the period."""
    aid = parse_id(appraisal_id, "appraisal")
    jejak().appraisals.assess(actor(), aid, data["work_results"], data["behaviour"], data["feedback_round_id"],
                              expected_version())
    return respond(aid)


@blp.route("/appraisals/<appraisal_id>/finalisation", methods=["POST"])
@allow()
@blp.response(200, AppraisalOut)
def finalise(appraisal_id: str) -> Any:
    """The assessor finalises the appraisal: it is locked and the objection window starts."""
    aid = parse_id(appraisal_id, "appraisal")
    jejak().appraisals.finalise(actor(), aid, expected_version())
    return respond(aid)


@blp.route("/appraisals/<appraisal_id>/objection", methods=["POST"])
@allow()
@blp.arguments(ObjectionIn())
@blp.response(201, AppraisalOut)
def file_objection(data: dict[str, Any], appraisal_id: str) -> Any:
    """The appraised employee objects, with reasons, within the window; it goes to the assessor's superior."""
    aid = parse_id(appraisal_id, "appraisal")
    jejak().appraisals.object(actor(), aid, data["reasons"], expected_version())
    return respond(aid, 201)


@blp.route("/appraisals/<appraisal_id>/objection/decision", methods=["POST"])
@allow()
@blp.arguments(DecisionIn())
@blp.response(200, AppraisalOut)
def decide_objection(data: dict[str, Any], appraisal_id: str) -> Any:
    """The assessor's superior decides the objection, finally: upheld with the new predicate, or rejected."""
    aid = parse_id(appraisal_id, "appraisal")
    jejak().appraisals.decide(actor(), aid, data["outcome"], data["predicate"], data["reason"], expected_version())
    return respond(aid)


@blp.route("/units/<code>/organisation-ratings/<period>", methods=["PUT"])
@allow()
@blp.arguments(OrganisationRatingIn())
@blp.response(200, UnitRatingOut, description="revised")
@blp.alt_response(201, schema=UnitRatingOut, description="recorded for the first time")
def record_unit_rating(data: dict[str, Any], code: str, period: str) -> Any:
    """Record (201) or revise (200) a unit's own organisation rating for a period; the caps of the rule set for
    the period apply to its staff's predicates."""
    rating, created = jejak().appraisals.record_unit_rating(actor(), code, period, data["rating"], data["reason"],
                                                            expected_version())
    return with_etag(rating_out(rating), rating.version, 201 if created else 200)


@blp.route("/units/<code>/predicate-distribution")
@allow()
@blp.arguments(DistributionQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, DistributionOut)
def predicate_distribution(query: dict[str, Any], code: str) -> dict[str, Any]:
    """Count and share of each predicate of the unit's final appraisals for the period, checked against the
    caps of the unit's organisation rating; broken bounds are flagged."""
    return jejak().queries.appraisals.distribution(code, query["period"])
