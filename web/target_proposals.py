"""Target proposals for an appraisal: the employee proposes, the assessor decides, the employee acknowledges."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from domain.target_proposals import MAX_TEXT, OUTCOMES
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import expected_version, parse_id, with_etag
from web.schemas import LongText, Strict

blp = Blueprint("target_proposals", __name__, url_prefix="/api", description="Target proposals (the employee's part in planning)")
TEXT = ma.validate.Length(min=1, max=MAX_TEXT)


class TargetProposalIn(Strict):
    """A target the employee proposes."""

    target = ma.fields.String(required=True, validate=TEXT)
    indicator = ma.fields.String(required=True, validate=TEXT)


class ProposalDecisionIn(Strict):
    """The assessor's decision."""

    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOMES))
    target = ma.fields.String(load_default=None, validate=TEXT, metadata={"description": "edited: the new wording"})
    indicator = ma.fields.String(load_default=None, validate=TEXT)
    reason = ma.fields.String(load_default=None, validate=LongText, metadata={
        "description": "required when edited or rejected"})


class TargetProposalOut(Out):
    """A proposal and its decision."""

    id = ma.fields.UUID()
    target = ma.fields.String()
    indicator = ma.fields.String()
    proposed_at = ma.fields.AwareDateTime()
    outcome = ma.fields.String(allow_none=True)
    agreed_target = ma.fields.String(allow_none=True)
    agreed_indicator = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    target_id = ma.fields.UUID(allow_none=True, metadata={"description": "the agreed target it became"})


class AgreedTargetOut(Out):
    """An agreed target of the appraisal."""

    id = ma.fields.UUID()
    target = ma.fields.String()
    indicator = ma.fields.String()
    agreed_at = ma.fields.AwareDateTime()
    added_by = ma.fields.String(metadata={"description": "proposal or assessor"})
    acknowledged_at = ma.fields.AwareDateTime(allow_none=True)


class ProposalsOut(Out):
    """An appraisal's proposals and targets."""

    appraisal_id = ma.fields.UUID()
    employee_id = ma.fields.UUID()
    version = ma.fields.Integer()
    proposals = ma.fields.List(ma.fields.Nested(TargetProposalOut))
    targets = ma.fields.List(ma.fields.Nested(AgreedTargetOut))


def respond(appraisal_id: UUID, status: int = 200) -> Any:
    """The proposals as the caller may read them, with their version as ETag."""
    data = jejak().target_proposals.proposals(actor(), appraisal_id)
    return with_etag(data, data["version"], status)


@blp.route("/appraisals/<appraisal_id>/target-proposals")
@allow()
@blp.response(200, ProposalsOut)
def list_proposals(appraisal_id: str) -> Any:
    """The employee's proposals with the assessor's decisions, and every agreed target with who added it."""
    return respond(parse_id(appraisal_id, "appraisal"))


@blp.route("/appraisals/<appraisal_id>/target-proposals", methods=["POST"])
@allow()
@blp.arguments(TargetProposalIn())
@blp.response(201, ProposalsOut)
def propose_target(data: dict[str, Any], appraisal_id: str) -> Any:
    """Propose a target with its indicator (the appraised employee, until the appraisal is final)."""
    aid = parse_id(appraisal_id, "appraisal")
    jejak().target_proposals.propose(actor(), aid, data["target"], data["indicator"])
    return respond(aid, 201)


@blp.route("/appraisals/<appraisal_id>/target-proposals/<proposal_id>/decision", methods=["POST"])
@allow()
@blp.arguments(ProposalDecisionIn())
@blp.response(200, ProposalsOut)
def decide_proposal(data: dict[str, Any], appraisal_id: str, proposal_id: str) -> Any:
    """Accept, edit with a reason, or reject with a reason (the assessor); an accepted or edited proposal becomes an
    agreed target of the appraisal."""
    aid = parse_id(appraisal_id, "appraisal")
    jejak().target_proposals.decide(actor(), aid, parse_id(proposal_id, "proposal"), data["outcome"], data["target"],
                                    data["indicator"], data["reason"], expected_version())
    return respond(aid)


@blp.route("/appraisals/<appraisal_id>/targets/<target_id>/acknowledgement", methods=["POST"])
@allow()
@blp.response(200, ProposalsOut)
def acknowledge_target(appraisal_id: str, target_id: str) -> Any:
    """Acknowledge a target the assessor added (the appraised employee)."""
    aid = parse_id(appraisal_id, "appraisal")
    jejak().target_proposals.acknowledge(actor(), aid, parse_id(target_id, "target"))
    return respond(aid)
