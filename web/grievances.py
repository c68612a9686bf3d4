"""Grievances about promotion decisions and appraisal results, their investigation and the case file."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from application.grievances import grievance_dict
from application.queries.filters import GrievanceFilter
from domain.grievance import OUTCOMES, STATUSES, SUBJECTS
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import PAGE_HEADERS, expected_version, paged_list, parse_id, with_etag
from web.schemas import READ_REASON, Strict

blp = Blueprint("grievances", __name__, url_prefix="/api", description="Grievances and their investigation")
Grounds = ma.validate.Length(min=1, max=4000)


class GrievanceIn(Strict):
    """A grievance about a promotion decision (the case id) or an appraisal result (the appraisal id)."""

    subject = ma.fields.String(required=True, validate=ma.validate.OneOf(SUBJECTS))
    subject_id = ma.fields.UUID(required=True, metadata={"description": "the promotion case or the appraisal"})
    grounds = ma.fields.String(required=True, validate=Grounds)


class AssignmentIn(Strict):
    """The investigator HR assigns: a person holding the investigator role."""

    investigator_id = ma.fields.UUID(load_default=None, metadata={
        "description": "the investigator's person id (one of their token or account ids names the same person)"})
    investigator_grant_id = ma.fields.UUID(load_default=None, metadata={
        "description": "deprecated name of investigator_id, from before persons: a token or account id"})

    @ma.validates_schema
    def one_investigator(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Exactly one of the two names."""
        if (data.get("investigator_id") is None) == (data.get("investigator_grant_id") is None):
            raise ma.ValidationError("give investigator_id (a person id)", "investigator_id")


class ConclusionIn(Strict):
    """The investigation's findings and outcome."""

    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOMES))
    findings = ma.fields.String(required=True, validate=Grounds)
    reasons = ma.fields.String(required=True, validate=Grounds)
    remedy = ma.fields.String(load_default=None, allow_none=True, validate=Grounds, metadata={
        "description": "upheld only: what is put right (a promotion case is reopened for reassessment)"})


class GrievanceQuery(Strict):
    """Grievance list filters."""

    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(STATUSES))
    subject = ma.fields.String(load_default=None, validate=ma.validate.OneOf(SUBJECTS))
    grievant_id = ma.fields.UUID(load_default=None)
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=500), metadata={
        "description": "the next page: the cursor of the Link header's rel=\"next\""})


class CaseFileQuery(Strict):
    """Why the case file is read (recorded with the read)."""

    reason = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=2000), metadata={
        "description": f"optional (without one, the case file is named as the reason): {READ_REASON}"})


class GrievanceOut(Out):
    """A grievance, its status and outcome."""

    id = ma.fields.UUID()
    grievant_id = ma.fields.UUID()
    grievant_name = ma.fields.String(allow_none=True)
    subject = ma.fields.String()
    subject_id = ma.fields.UUID()
    decision_number = ma.fields.Integer(allow_none=True)
    grounds = ma.fields.String()
    filed_on = ma.fields.Date()
    decided_on = ma.fields.Date(metadata={"description": "the decision (or final result) the window runs from"})
    deadline = ma.fields.Date(metadata={"description": "the last day it could be filed"})
    rule_set_version = ma.fields.Integer()
    status = ma.fields.String(metadata={"description": ", ".join(STATUSES)})
    outcome = ma.fields.String(allow_none=True)
    investigator_id = ma.fields.String(allow_none=True)
    investigator_name = ma.fields.String(allow_none=True)
    investigator_kind = ma.fields.String(allow_none=True, metadata={
        "description": "person; principal when assigned before persons (investigator_id names a token or account)"})
    findings = ma.fields.String(allow_none=True)
    reasons = ma.fields.String(allow_none=True)
    remedy = ma.fields.String(allow_none=True)
    concluded_on = ma.fields.Date(allow_none=True)
    version = ma.fields.Integer()


class CaseFileOut(Out):
    """Everything needed to reconstruct the decision as it was made."""

    grievance = ma.fields.Dict()
    subject = ma.fields.String()
    case_id = ma.fields.String()
    appraisal_id = ma.fields.String()
    decision_number = ma.fields.Integer()
    decision_event = ma.fields.Dict()
    assessment = ma.fields.Dict()
    evidence = ma.fields.List(ma.fields.Dict(), metadata={"description": "each input at its pinned version"})
    replay = ma.fields.Dict(allow_none=True)
    drift = ma.fields.Dict(allow_none=True)
    rule_set = ma.fields.Dict(allow_none=True, metadata={"description": "the rule-set text in effect"})
    trail = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "every event of the case, the grievance and the inputs, and every recorded read of them"})


def detail(grievance_id: UUID) -> dict[str, Any]:
    """A grievance the caller may read, in its plain form with the grievant's name."""
    return jejak().queries.grievances.grievance(actor(), grievance_id)


def respond(grievance_id: UUID, status: int = 200) -> Any:
    """The grievance with its version as ETag."""
    body = detail(grievance_id)
    return with_etag(body, body["version"], status)


@blp.route("/grievances")
@allow()
@blp.arguments(GrievanceQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, GrievanceOut(many=True), headers=PAGE_HEADERS)
def list_grievances(query: dict[str, Any]) -> Any:
    """Grievances, newest first (employees: their own; investigators: the open ones assigned to them)."""
    flt = GrievanceFilter(query["status"], query["subject"], query["grievant_id"])
    return paged_list(jejak().queries.grievances.page(actor(), flt, query["limit"], query["cursor"]))


def visible_grievances(flt: GrievanceFilter, limit: int) -> list[dict[str, Any]]:
    """The grievances the caller may list (the API's list and the pages alike)."""
    return jejak().queries.grievances.grievances(actor(), flt, limit)


@blp.route("/grievances", methods=["POST"])
@allow()
@blp.arguments(GrievanceIn())
@blp.response(201, GrievanceOut)
def file_grievance(data: dict[str, Any]) -> Any:
    """The employee concerned files a grievance about a promotion decision or an appraisal result, with grounds,
    within the filing window of the rule set (days after the decision)."""
    grievance = jejak().grievances.file(actor(), data["subject"], data["subject_id"], data["grounds"])
    return respond(grievance.id, 201)


@blp.route("/grievances/<grievance_id>")
@allow()
@blp.response(200, GrievanceOut)
def get_grievance(grievance_id: str) -> Any:
    """A grievance's status and outcome (the grievant, HR, auditors, its investigator while open)."""
    return respond(parse_id(grievance_id, "grievance"))


@blp.route("/grievances/<grievance_id>/investigator", methods=["POST"])
@allow()
@blp.arguments(AssignmentIn())
@blp.response(200, GrievanceOut)
def assign(data: dict[str, Any], grievance_id: str) -> Any:
    """HR assigns (or reassigns) an investigator, a person; their access (by page and by token) is scoped to this
    case while it is open."""
    gid = parse_id(grievance_id, "grievance")
    jejak().grievances.assign(actor(), gid, data["investigator_id"] or data["investigator_grant_id"],
                              expected_version())
    return respond(gid)


@blp.route("/grievances/<grievance_id>/conclusion", methods=["POST"])
@allow()
@blp.arguments(ConclusionIn())
@blp.response(200, GrievanceOut)
def conclude(data: dict[str, Any], grievance_id: str) -> Any:
    """The assigned investigator records findings and the outcome: upheld (with a remedy; a promotion case is
    reopened for reassessment and a new decision) or dismissed, with reasons."""
    gid = parse_id(grievance_id, "grievance")
    grievance = jejak().grievances.conclude(actor(), gid, data["outcome"], data["findings"], data["reasons"],
                                            data["remedy"], expected_version())
    return with_etag(grievance_dict(grievance), grievance.version)


@blp.route("/grievances/<grievance_id>/case-file")
@allow()
@blp.arguments(CaseFileQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, CaseFileOut)
def case_file(query: dict[str, Any], grievance_id: str) -> dict[str, Any]:
    """The decision event, the evidence exactly as of the decision, replay and drift, the rule-set text in effect
    and the trail of every actor who touched the case or its inputs (including recorded reads); the read itself
    is recorded."""
    return jejak().grievances.case_file(actor(), parse_id(grievance_id, "grievance"), query["reason"])
