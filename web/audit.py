"""Audit reads: the log in order, one aggregate's history, an employee as of a version or moment."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from application.queries.filters import AuditFilter
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.employees import EmployeeOut
from web.http import parse_id
from web.schemas import READ_CASE, READ_REASON, Strict

blp = Blueprint("audit", __name__, url_prefix="/api/audit", description="Auditors' reads of the event log")


class PersonRef(Out):
    """The person behind a token or account."""

    id = ma.fields.String()
    name = ma.fields.String()


class ActorOut(Out):
    """Who caused an event: the token or account the event names, the role acted in, and the person behind it."""

    id = ma.fields.String(allow_none=True)
    role = ma.fields.String(allow_none=True)
    name = ma.fields.String(allow_none=True)
    person = ma.fields.Nested(PersonRef, allow_none=True)


class EventOut(Out):
    """One stored event with its envelope."""

    position = ma.fields.Integer(allow_none=True)
    topic = ma.fields.String()
    aggregate_id = ma.fields.UUID()
    version = ma.fields.Integer()
    timestamp = ma.fields.AwareDateTime()
    actor = ma.fields.Nested(ActorOut)
    correlation_id = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    payload = ma.fields.Dict()


class EventPage(Out):
    """A page of the log; pass ``next_after`` as ``after`` for the next page."""

    items = ma.fields.List(ma.fields.Nested(EventOut))
    next_after = ma.fields.Integer(allow_none=True)


class EventQuery(Strict):
    """Log filters and position cursor."""

    aggregate_id = ma.fields.UUID(load_default=None)
    actor = ma.fields.String(load_default=None, metadata={"description": "actor id"})
    topic = ma.fields.String(load_default=None, metadata={"description": "full topic or its tail, e.g. Employee.Moved"})
    since = ma.fields.AwareDateTime(load_default=None)
    until = ma.fields.AwareDateTime(load_default=None)
    after = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=2**62), metadata={"description": "position"})
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))


class ReasonQuery(Strict):
    """Why an individual's record is read (recorded with the read)."""

    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000),
                              metadata={"description": READ_REASON})
    case_id = ma.fields.String(load_default=None, validate=ma.validate.Length(max=100),
                               metadata={"description": READ_CASE})


class AsOfQuery(ReasonQuery):
    """Pick a version or a moment (not both)."""

    version = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1, max=2**31 - 1))
    at = ma.fields.AwareDateTime(load_default=None)

    @ma.validates_schema
    def one_of(self, data: dict[str, Any], **_: Any) -> None:
        """Exactly one of version and at."""
        if (data.get("version") is None) == (data.get("at") is None):
            raise ma.ValidationError("give exactly one of version or at", field_name="version")


class EmployeeAsOfOut(EmployeeOut):
    """An employee's state as it stood then."""

    as_of_version = ma.fields.Integer()


@blp.route("/events")
@allow()
@blp.arguments(EventQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, EventPage)
def events(query: dict[str, Any]) -> dict[str, Any]:
    """The event log in order, filtered by aggregate, actor, topic and time range."""
    flt = AuditFilter(query["aggregate_id"], query["actor"], query["topic"], query["since"], query["until"])
    return jejak().queries.audit.events(flt, query["limit"], query["after"])


@blp.route("/aggregates/<aggregate_id>/events")
@allow()
@blp.arguments(ReasonQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, EventOut(many=True))
def aggregate_history(query: dict[str, Any], aggregate_id: str) -> list[dict[str, Any]]:
    """Every event of one aggregate, from the event store, with log positions (the read is recorded)."""
    return jejak().queries.audit.history(actor(), parse_id(aggregate_id, "aggregate"), query["reason"],
                                         query["case_id"])


@blp.route("/employees/<employee_id>/state")
@allow()
@blp.arguments(AsOfQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, EmployeeAsOfOut)
def employee_as_of(query: dict[str, Any], employee_id: str) -> dict[str, Any]:
    """An employee as of a version or a timestamp, rebuilt from the event store (the read is recorded)."""
    return jejak().queries.audit.employee_state(actor(), parse_id(employee_id, "employee"), query["version"],
                                                query["at"], query["reason"], query["case_id"])


class VerifyOut(Out):
    """The ledger verification report."""

    status = ma.fields.String(metadata={"description": "intact (seals verified by the configured trusted key), broken, "
                                                       "or unverified (no trusted key configured or no seal yet)"})
    events = ma.fields.Integer()
    head_position = ma.fields.Integer()
    head_digest = ma.fields.String()
    first_problem = ma.fields.Dict(allow_none=True)
    checkpoints = ma.fields.List(ma.fields.Dict())
    trusted_key = ma.fields.String(allow_none=True)
    unsealed_events = ma.fields.Integer(metadata={"description": "events after the last verified seal"})
    problems = ma.fields.List(ma.fields.String(), metadata={"description": "the seal export, the read models"})


@blp.route("/verify")
@allow()
@blp.response(200, VerifyOut)
def verify() -> dict[str, Any]:
    """Recompute the hash chain from the stored rows and check every seal (against the configured key)."""
    return jejak().queries.audit.verification()


class RawReadQuery(Strict):
    """Why the raw responses are read (required) and under which case."""

    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000),
                              metadata={"description": READ_REASON})
    case_id = ma.fields.String(load_default=None, validate=ma.validate.Length(max=100), metadata={
        "description": "an open grievance covering the round (investigators), or the auditor's file number"})


class RawResponseOut(Out):
    """A raw 360 response with its reviewer (audit access only; every read is recorded)."""

    response_id = ma.fields.UUID(attribute="id")
    nomination_id = ma.fields.UUID()
    reviewer_id = ma.fields.UUID()
    relationship = ma.fields.String()
    ratings = ma.fields.Dict()
    comments = ma.fields.Dict()
    submitted_at = ma.fields.AwareDateTime()
    supersedes = ma.fields.UUID(allow_none=True)


@blp.route("/feedback-rounds/<round_id>/responses")
@allow()
@blp.arguments(RawReadQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, RawResponseOut(many=True))
def raw_responses(query: dict[str, Any], round_id: str) -> list[Any]:
    """Raw responses with reviewer identities; the read is recorded as an event (who, what, why)."""
    return jejak().feedback.raw_responses(actor(), parse_id(round_id, "feedback round"), query["reason"],
                                          query["case_id"])
