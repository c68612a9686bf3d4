"""Promotion cases: propose, assess, decide; replay and drift for auditors; the decision history."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from application.errors import NotFound
from application.queries.filters import CaseFilter
from domain.eligibility import KINDS
from domain.promotion_case import OUTCOMES, PERIOD, STAGES, STATUSES, PromotionCase
from domain.rules import RANK_KINDS
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import expected_version, parse_id, with_etag
from web.promotion_filters import CaseQuery, HistoryQuery
from web.schemas import LongText, Strict

blp = Blueprint("promotions", __name__, url_prefix="/api", description="Promotion cases, replay and drift")
Period = ma.validate.Regexp(PERIOD, error="must be a promotion period (the month of the TMT) like 2026-10")


class CaseIn(Strict):
    """A promotion to propose."""

    candidate_id = ma.fields.UUID(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS), metadata={
        "description": "rank: to the next rank; position: to the named position"})
    position = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(min=1, max=200),
                                metadata={"description": "the position, for a position case only"})
    rank_kind = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.OneOf(RANK_KINDS), metadata={
        "description": "rank cases: reguler (default), pilihan (by structural or functional position), "
                       "penyesuaian_ijazah (new qualification) or prestasi_luar_biasa (outstanding achievement)"})
    period = ma.fields.String(required=True, validate=Period, metadata={
        "example": "2026-10", "description": "the month of the TMT; the promotion takes effect on its first day (a "
                                             "rank promotion: one of the rule set's months, e.g. 02/04/06/08/10/12)"})
    reason = ma.fields.String(required=True, validate=LongText)


class PertekIn(Strict):
    """BKN's technical approval (Pertek) of an approved rank promotion."""

    number = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    issued_on = ma.fields.Date(required=True)


class SkIn(Strict):
    """The decree (SK) of a rank promotion, after the Pertek."""

    number = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    signed_on = ma.fields.Date(required=True)
    signatory = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class PertekOut(Out):
    """A recorded Pertek."""

    number = ma.fields.String()
    issued_on = ma.fields.Date()
    decision_number = ma.fields.Integer()
    recorded_at = ma.fields.AwareDateTime()


class SkOut(Out):
    """A recorded SK."""

    number = ma.fields.String()
    signed_on = ma.fields.Date()
    signatory = ma.fields.String()
    decision_number = ma.fields.Integer()
    recorded_at = ma.fields.AwareDateTime()


class CaseDecisionIn(Strict):
    """The committee's decision on the latest assessment."""

    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOMES))
    rationale = ma.fields.String(required=True, validate=LongText)
    members_present = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=200)),
                                     load_default=list, validate=ma.validate.Length(max=25), metadata={
                                         "description": "members present by name (with member_ids: at least one)"})
    member_ids = ma.fields.List(ma.fields.UUID(), load_default=list, validate=ma.validate.Length(max=25), metadata={
        "description": "members present by person id: active persons holding the committee role; their names are "
                       "recorded in members_present"})
    justification = ma.fields.String(load_default=None, allow_none=True, validate=LongText, metadata={
        "description": "required when approving an ineligible or rejecting an eligible candidate"})


class ReplayQuery(Strict):
    """Which decision to replay (default: the latest)."""

    decision = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1, max=2**31 - 1))


class PinnedInputOut(Out):
    """A pinned input."""

    type = ma.fields.String()
    id = ma.fields.String()
    version = ma.fields.Integer(metadata={"description": "0: it did not exist when read"})
    period = ma.fields.String(metadata={"description": "appraisals: the year"})


class CriterionOut(Out):
    """One criterion's outcome and the values used."""

    name = ma.fields.String()
    met = ma.fields.Boolean()
    values = ma.fields.Dict()


class EligibilityOut(Out):
    """An eligibility assessment with its pinned evidence and rule-set version."""

    number = ma.fields.Integer()
    rule_set_version = ma.fields.Integer()
    reference_date = ma.fields.Date(metadata={"description": "the TMT every criterion is measured against"})
    eligible = ma.fields.Boolean()
    criteria = ma.fields.List(ma.fields.Nested(CriterionOut))
    evidence = ma.fields.List(ma.fields.Nested(PinnedInputOut))
    assessed_at = ma.fields.AwareDateTime()


class CaseDecisionOut(Out):
    """A committee decision."""

    number = ma.fields.Integer()
    outcome = ma.fields.String()
    rationale = ma.fields.String()
    members_present = ma.fields.List(ma.fields.String())
    member_ids = ma.fields.List(ma.fields.String(), metadata={"description": "the persons among members_present"})
    assessment_number = ma.fields.Integer()
    eligible = ma.fields.Boolean(metadata={"description": "the assessment's outcome the decision rests on"})
    contrary = ma.fields.Boolean(metadata={"description": "flagged: the decision goes against the assessment"})
    justification = ma.fields.String(allow_none=True)
    decided_on = ma.fields.Date()
    decided_at = ma.fields.AwareDateTime()


class ReopeningOut(Out):
    """A reopening by an upheld grievance."""

    grievance_id = ma.fields.UUID()
    reason = ma.fields.String()
    reopened_at = ma.fields.AwareDateTime()


class CaseOut(Out):
    """A promotion case (the list leaves out assessments, decisions and reopenings)."""

    id = ma.fields.UUID()
    candidate_id = ma.fields.UUID()
    candidate_name = ma.fields.String(allow_none=True)
    unit = ma.fields.String()
    kind = ma.fields.String()
    position = ma.fields.String(allow_none=True)
    period = ma.fields.String()
    effective = ma.fields.Date(metadata={"description": "TMT"})
    from_rank = ma.fields.String()
    to_rank = ma.fields.String(allow_none=True)
    reason = ma.fields.String()
    status = ma.fields.String(metadata={"description": ", ".join(STATUSES)})
    stage = ma.fields.String(metadata={"description": "the status, or for an approved rank case where it stands: "
                                                      + ", ".join(STAGES)})
    rank_kind = ma.fields.String(allow_none=True, metadata={"description": ", ".join(RANK_KINDS)})
    pertek = ma.fields.Nested(PertekOut, allow_none=True)
    sk = ma.fields.Nested(SkOut, allow_none=True)
    eligible = ma.fields.Boolean(allow_none=True, metadata={"description": "the latest assessment's outcome"})
    outcome = ma.fields.String(allow_none=True)
    flagged = ma.fields.Boolean(metadata={"description": "the current decision goes against its assessment"})
    rank_applied = ma.fields.Boolean()
    assessment = ma.fields.Nested(EligibilityOut, allow_none=True)
    decision = ma.fields.Nested(CaseDecisionOut, allow_none=True)
    assessments = ma.fields.List(ma.fields.Nested(EligibilityOut))
    decisions = ma.fields.List(ma.fields.Nested(CaseDecisionOut))
    reopenings = ma.fields.List(ma.fields.Nested(ReopeningOut))
    version = ma.fields.Integer()


class CasePageOut(Out):
    """A page of cases."""

    items = ma.fields.List(ma.fields.Nested(CaseOut))
    next_cursor = ma.fields.String(allow_none=True)
    total = ma.fields.Integer(metadata={"description": "how many the whole list has (with these filters)"})


class HistoryRowOut(Out):
    """One decision in the history."""

    case_id = ma.fields.UUID()
    number = ma.fields.Integer()
    candidate_id = ma.fields.UUID()
    candidate_name = ma.fields.String(allow_none=True)
    unit = ma.fields.String()
    kind = ma.fields.String()
    period = ma.fields.String()
    outcome = ma.fields.String()
    eligible = ma.fields.Boolean()
    contrary = ma.fields.Boolean(metadata={"description": "flagged"})
    flagged = ma.fields.Function(lambda row: bool(row["contrary"]), metadata={
        "description": "the decision goes against its assessment (same as contrary)"})
    justification = ma.fields.String(allow_none=True)
    rationale = ma.fields.String()
    members_present = ma.fields.List(ma.fields.String())
    rule_set_version = ma.fields.Integer()
    decided_on = ma.fields.Date()
    decided_at = ma.fields.AwareDateTime()
    decided_by = ma.fields.String(allow_none=True)


class HistoryPageOut(Out):
    """A page of the decision history."""

    items = ma.fields.List(ma.fields.Nested(HistoryRowOut))
    next_cursor = ma.fields.String(allow_none=True)
    total = ma.fields.Integer(metadata={"description": "how many the whole list has (with these filters)"})


class ReplayCriterionOut(Out):
    """A criterion as recorded and as replayed."""

    name = ma.fields.String()
    recorded = ma.fields.Dict(allow_none=True)
    replayed = ma.fields.Dict(allow_none=True)
    agree = ma.fields.Boolean()


class ReplayOut(Out):
    """The replay of a decision on its pinned inputs under its pinned rule set."""

    case_id = ma.fields.String()
    assessment_number = ma.fields.Integer()
    rule_set_version = ma.fields.Integer()
    reference_date = ma.fields.String()
    decision = ma.fields.Dict(allow_none=True)
    criteria = ma.fields.List(ma.fields.Nested(ReplayCriterionOut))
    recorded_eligible = ma.fields.Boolean()
    replayed_eligible = ma.fields.Boolean()
    assessment_reproduced = ma.fields.Boolean()
    decision_follows = ma.fields.Boolean(allow_none=True)
    flagged = ma.fields.Boolean()
    consistent = ma.fields.Boolean()
    evidence = ma.fields.List(ma.fields.Nested(PinnedInputOut))


class DriftOut(Out):
    """What changed in the pinned inputs after the decision, and the outcome on today's inputs."""

    case_id = ma.fields.String()
    since = ma.fields.String()
    decision = ma.fields.Dict(allow_none=True)
    assessment_number = ma.fields.Integer()
    rule_set_version = ma.fields.Integer(metadata={"description": "the rule-set version the decision applied"})
    recorded_eligible = ma.fields.Boolean()
    inputs = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "each pinned input: events_after (new evidence) and consequences (the case's own effect)"})
    changed_inputs = ma.fields.Integer(metadata={"description": "inputs with new evidence (own consequences aside)"})
    consequences = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "events that name this case as their cause (e.g. the rank change it made)"})
    new_inputs = ma.fields.List(ma.fields.Nested(PinnedInputOut))
    today = ma.fields.Dict()


def case_detail(case: PromotionCase) -> dict[str, Any]:
    """A case as the API shows it, from the event store, with the candidate's name."""
    return jejak().queries.promotions.detail(case)


def respond(case_id: UUID, status: int = 200) -> Any:
    """The case the caller may read, with its version as ETag."""
    case = jejak().promotions.case(actor(), case_id)
    return with_etag(case_detail(case), case.version, status)


@blp.route("/promotion-cases")
@allow()
@blp.arguments(CaseQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, CasePageOut)
def list_cases(query: dict[str, Any]) -> dict[str, Any]:
    """Cases, newest proposal first (employees: their own; supervisors: also their reports')."""
    flt = CaseFilter(query["unit"], query["period"], query["outcome"], query["flagged"], query["kind"],
                     query["status"], query["candidate_id"])
    return visible_cases(flt, query["limit"], query["cursor"])


def visible_cases(flt: CaseFilter, limit: int, cursor: str | None = None) -> dict[str, Any]:
    """A page of the cases the caller may list (the API's list and the pages alike)."""
    return jejak().queries.promotions.cases(actor(), flt, limit, cursor)


@blp.route("/promotion-cases", methods=["POST"])
@allow()
@blp.arguments(CaseIn())
@blp.response(201, CaseOut)
def propose(data: dict[str, Any]) -> Any:
    """Propose a rank promotion (to the next rank) or an appointment to a named position (HR or the candidate's
    supervisor)."""
    case = jejak().promotions.propose(actor(), data["candidate_id"], data["kind"], data["period"], data["reason"],
                                      data["position"], data["rank_kind"])
    return respond(case.id, 201)


@blp.route("/promotion-cases/<case_id>/pertek", methods=["POST"])
@allow()
@blp.arguments(PertekIn())
@blp.response(201, CaseOut)
def record_pertek(data: dict[str, Any], case_id: str) -> Any:
    """HR records BKN's technical approval (Pertek: number and date) of an approved rank promotion; out of order
    is a 409."""
    cid = parse_id(case_id, "promotion case")
    jejak().promotions.record_pertek(actor(), cid, data["number"], data["issued_on"], expected_version())
    return respond(cid, 201)


@blp.route("/promotion-cases/<case_id>/sk", methods=["POST"])
@allow()
@blp.arguments(SkIn())
@blp.response(201, CaseOut)
def record_sk(data: dict[str, Any], case_id: str) -> Any:
    """HR records the decree (SK: number, date, signatory) after the Pertek; the rank changes on the TMT (at once
    when it has come). Before the Pertek it is a 409."""
    cid = parse_id(case_id, "promotion case")
    jejak().promotions.record_sk(actor(), cid, data["number"], data["signed_on"], data["signatory"],
                                 expected_version())
    return respond(cid, 201)


@blp.route("/promotion-cases/<case_id>")
@allow()
@blp.response(200, CaseOut)
def get_case(case_id: str) -> Any:
    """A case with its assessments (pinned evidence, outcome per criterion) and decisions (flagged if contrary)."""
    return respond(parse_id(case_id, "promotion case"))


@blp.route("/promotion-cases/<case_id>/assessment")
@allow()
@blp.response(200, EligibilityOut)
def get_assessment(case_id: str) -> Any:
    """The latest eligibility assessment (404 before the first)."""
    case = jejak().promotions.case(actor(), parse_id(case_id, "promotion case"))
    detail = case_detail(case)
    if detail["assessment"] is None:
        raise NotFound("the case has not been assessed yet")
    return with_etag(detail["assessment"], case.version)


@blp.route("/promotion-cases/<case_id>/assessment", methods=["POST"])
@allow()
@blp.response(201, CaseOut)
def assess(case_id: str) -> Any:
    """Run the eligibility assessment: reads the candidate's record, applies the rule set in effect and records the
    outcome per criterion with every input's id and version pinned."""
    cid = parse_id(case_id, "promotion case")
    jejak().promotions.assess(actor(), cid, expected_version())
    return respond(cid, 201)


@blp.route("/promotion-cases/<case_id>/decision", methods=["POST"])
@allow()
@blp.arguments(CaseDecisionIn())
@blp.response(201, CaseOut)
def decide(data: dict[str, Any], case_id: str) -> Any:
    """The committee decides on the latest assessment. A decision against it needs a justification and is flagged;
    a decision on inputs changed since the assessment is a 409 listing them. An approved rank case whose TMT has
    come changes the candidate's rank at once."""
    cid = parse_id(case_id, "promotion case")
    jejak().promotions.decide(actor(), cid, data["outcome"], data["rationale"], data["members_present"],
                              data["justification"], expected_version(), data["member_ids"])
    return respond(cid, 201)


@blp.route("/promotion-cases/<case_id>/decision")
@allow()
@blp.response(200, CaseDecisionOut)
def get_decision(case_id: str) -> Any:
    """The current decision (404 before the first)."""
    case = jejak().promotions.case(actor(), parse_id(case_id, "promotion case"))
    if case.decision is None:
        raise NotFound("the case has not been decided yet")
    return with_etag(dict(vars(case.decision)), case.version)


@blp.route("/promotion-cases/<case_id>/replay")
@allow()
@blp.arguments(ReplayQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, ReplayOut)
def replay(query: dict[str, Any], case_id: str) -> dict[str, Any]:
    """Load every pinned input at its pinned version, re-evaluate with the pinned rule-set version and compare with
    what was recorded, per criterion; ``consistent`` when the assessment is reproduced and the decision follows."""
    return jejak().promotions.replay(actor(), parse_id(case_id, "promotion case"), query["decision"]).as_dict()


@blp.route("/promotion-cases/<case_id>/drift")
@allow()
@blp.arguments(ReplayQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, DriftOut)
def drift(query: dict[str, Any], case_id: str) -> dict[str, Any]:
    """For each pinned input, the events recorded after it was pinned (the case's own consequences apart); and
    the outcome on today's inputs under the pinned rules and under today's rules."""
    return jejak().promotions.drift(actor(), parse_id(case_id, "promotion case"), query["decision"])


@blp.route("/promotion-decisions")
@allow()
@blp.arguments(HistoryQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, HistoryPageOut)
def decision_history(query: dict[str, Any]) -> dict[str, Any]:
    """Every committee decision across cases, newest first: filter by unit, period (year or month), outcome,
    kind and flagged (contrary to the assessment)."""
    flt = CaseFilter(query["unit"], query["period"], query["outcome"], query["flagged"], query["kind"])
    return decision_page(flt, query["limit"], query["cursor"])


def decision_page(flt: CaseFilter, limit: int, cursor: str | None = None) -> dict[str, Any]:
    """A page of the decision history."""
    return jejak().queries.promotions.decisions(flt, limit, cursor)
