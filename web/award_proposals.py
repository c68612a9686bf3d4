"""Awards proposed by a Sangat Baik annual predicate (where the rule set says so): HR grants or dismisses them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import expected_version, parse_id, with_etag
from web.schemas import LongText, Strict, Text

blp = Blueprint("award_proposals", __name__, url_prefix="/api", description="Awards proposed from performance")


class AwardProposalQuery(Strict):
    """Proposal filters."""

    employee_id = ma.fields.UUID(load_default=None)
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(("proposed", "granted", "dismissed")))
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))


class AwardGrantIn(Strict):
    """The award to grant."""

    title = ma.fields.String(required=True, validate=Text, metadata={"example": "Pegawai Berkinerja Sangat Baik 2026"})
    reason = ma.fields.String(required=True, validate=LongText)
    awarded_on = ma.fields.Date(load_default=None, metadata={"description": "default today; not in the future"})


class AwardDismissIn(Strict):
    """Why no award."""

    reason = ma.fields.String(required=True, validate=LongText)


class AwardProposalOut(Out):
    """An award proposal with the appraisal it pins."""

    id = ma.fields.UUID()
    employee_id = ma.fields.UUID()
    employee_name = ma.fields.String(allow_none=True)
    unit = ma.fields.String(allow_none=True)
    appraisal_id = ma.fields.UUID()
    appraisal_version = ma.fields.Integer()
    period = ma.fields.String()
    predicate = ma.fields.String()
    category = ma.fields.String()
    rule_set_version = ma.fields.Integer()
    status = ma.fields.String(metadata={"description": "proposed, granted or dismissed"})
    award_id = ma.fields.UUID(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    proposed_at = ma.fields.AwareDateTime()
    decided_at = ma.fields.AwareDateTime(allow_none=True)
    version = ma.fields.Integer()


def respond_proposal(proposal_id: UUID) -> Any:
    """A proposal the caller may read, with its version as ETag."""
    row = jejak().queries.development_records.proposal(actor(), proposal_id)
    return with_etag(row, row["version"])


@blp.route("/award-proposals")
@allow()
@blp.arguments(AwardProposalQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, AwardProposalOut(many=True))
def list_proposals(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Award proposals, latest first (employees: their own; supervisors: also their reports')."""
    return jejak().queries.development_records.proposals(actor(), query["employee_id"], query["status"],
                                                         query["limit"])


@blp.route("/award-proposals/<proposal_id>/grant", methods=["POST"])
@allow()
@blp.arguments(AwardGrantIn())
@blp.response(200, AwardProposalOut)
def grant_proposal(data: dict[str, Any], proposal_id: str) -> Any:
    """Grant the proposed award (HR): the award of the proposal's category is created in the same write."""
    pid = parse_id(proposal_id, "award proposal")
    jejak().recognition.grant_proposed(actor(), pid, data["title"], data["reason"], data["awarded_on"],
                                       expected_version())
    return respond_proposal(pid)


@blp.route("/award-proposals/<proposal_id>/dismissal", methods=["POST"])
@allow()
@blp.arguments(AwardDismissIn())
@blp.response(200, AwardProposalOut)
def dismiss_proposal(data: dict[str, Any], proposal_id: str) -> Any:
    """Dismiss the proposed award with a reason (HR)."""
    pid = parse_id(proposal_id, "award proposal")
    jejak().recognition.dismiss_proposed(actor(), pid, data["reason"], expected_version())
    return respond_proposal(pid)
