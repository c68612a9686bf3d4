"""360-degree feedback routes: rounds, nominations, responses, closing, reports, requests, reminders."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import request

from application.errors import NotFound
from application.feedback import IDEMPOTENCY_KEY_MAX
from application.jsonable import jsonable
from application.queries.filters import RoundFilter
from domain.feedback_round import RELATIONSHIPS, Response, RoundStatus
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import PAGE_HEADERS, expected_version, paged_list, parse_id, with_etag
from web.problems import problem
from web.schemas import LongText, Strict

blp = Blueprint("feedback", __name__, url_prefix="/api", description="360-degree feedback")


class RoundIn(Strict):
    """A round to open."""

    reviewee_id = ma.fields.UUID(required=True)
    period = ma.fields.String(required=True, metadata={"example": "2026-Q3"})
    closes_on = ma.fields.Date(required=True)
    question_set_version = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1, max=2**31 - 1))


class RoundQuery(Strict):
    """Round list filters."""

    reviewee_id = ma.fields.UUID(load_default=None)
    unit = ma.fields.String(load_default=None)
    period = ma.fields.String(load_default=None)
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf([s.value for s in RoundStatus]))
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=500), metadata={
        "description": "the next page: the cursor of the Link header's rel=\"next\""})


class NominationOut(Out):
    """A reviewer's nomination."""

    id = ma.fields.UUID()
    reviewer_id = ma.fields.UUID()
    reviewer_name = ma.fields.String(allow_none=True)
    relationship = ma.fields.String()
    status = ma.fields.String()
    proposed_by = ma.fields.String()
    nominated_at = ma.fields.AwareDateTime()
    decided_at = ma.fields.AwareDateTime(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    responded_at = ma.fields.AwareDateTime(allow_none=True)
    reminders = ma.fields.Integer()


class RoundOut(Out):
    """A round with its counts (and nominations in the detail view)."""

    id = ma.fields.UUID()
    reviewee_id = ma.fields.UUID()
    reviewee_name = ma.fields.String(allow_none=True)
    supervisor_id = ma.fields.UUID(allow_none=True)
    unit = ma.fields.String()
    period = ma.fields.String()
    status = ma.fields.String()
    closes_on = ma.fields.Date()
    opened_at = ma.fields.AwareDateTime()
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    closed_automatically = ma.fields.Boolean(allow_none=True)
    question_set_version = ma.fields.Integer()
    rule_set_version = ma.fields.Integer()
    anonymity_threshold = ma.fields.Integer()
    nominated = ma.fields.Integer()
    approved = ma.fields.Integer()
    responded = ma.fields.Integer()
    response_rate = ma.fields.Float(allow_none=True)
    version = ma.fields.Integer()
    nominations = ma.fields.List(ma.fields.Nested(NominationOut))


class NomineeIn(Strict):
    """One proposed reviewer."""

    reviewer_id = ma.fields.UUID(required=True)
    relationship = ma.fields.String(required=True, validate=ma.validate.OneOf(RELATIONSHIPS))


class NominationsIn(Strict):
    """Reviewers to propose (reviewee or HR) or to add directly (the supervisor)."""

    nominations = ma.fields.List(ma.fields.Nested(NomineeIn), required=True,
                                 validate=ma.validate.Length(min=1, max=20))


class ReasonIn(Strict):
    """Why."""

    reason = ma.fields.String(required=True, validate=LongText)


class ResponseIn(Strict):
    """Ratings per question id (1-5) and optional comments per text question id."""

    ratings = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(max=100)),
                             values=ma.fields.Raw(allow_none=True), required=True, validate=ma.validate.Length(max=100))
    comments = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(max=100)),
                              values=ma.fields.Raw(allow_none=True), load_default=dict,
                              validate=ma.validate.Length(max=100))


class SubmittedOut(Out):
    """The recorded response (the first one again for a retried Idempotency-Key)."""

    round_id = ma.fields.UUID()
    response_id = ma.fields.UUID()
    supersedes = ma.fields.UUID(allow_none=True)
    submitted_at = ma.fields.AwareDateTime()


class MyResponseOut(Out):
    """The caller's own current response."""

    response_id = ma.fields.UUID()
    relationship = ma.fields.String()
    ratings = ma.fields.Dict()
    comments = ma.fields.Dict()
    submitted_at = ma.fields.AwareDateTime()
    supersedes = ma.fields.UUID(allow_none=True)


class ReportQuery(Strict):
    """As of a moment (auditors only)."""

    at = ma.fields.AwareDateTime(load_default=None)


class ReviewRequestOut(Out):
    """A review the caller was asked to give."""

    nomination_id = ma.fields.UUID(attribute="id")
    round_id = ma.fields.UUID()
    reviewee_id = ma.fields.UUID()
    reviewee_name = ma.fields.String(allow_none=True)
    relationship = ma.fields.String()
    period = ma.fields.String()
    closes_on = ma.fields.Date()
    state = ma.fields.String()
    responded_at = ma.fields.AwareDateTime(allow_none=True)
    questions = ma.fields.Dict()


class ReminderOut(Out):
    """A reviewer who has not responded for 3 days or more."""

    nomination_id = ma.fields.UUID(attribute="id")
    round_id = ma.fields.UUID()
    reviewer_id = ma.fields.UUID()
    reviewer_name = ma.fields.String(allow_none=True)
    relationship = ma.fields.String()
    nominated_at = ma.fields.AwareDateTime()
    closes_on = ma.fields.Date()
    reminders = ma.fields.Integer()
    last_reminded_at = ma.fields.AwareDateTime(allow_none=True)


class UnitReportQuery(Strict):
    """Which period."""

    period = ma.fields.String(load_default=None)


def respond_round(round_id: UUID, status: int = 200, close_due: bool = False) -> Any:
    """A round detail as the caller may see it (404 when the caller may not), with its version as ETag; with
    ``close_due`` a round past its closing date is closed first (commands close it themselves; `jejak feedback
    close-due` closes the rest)."""
    detail = jejak().queries.feedback.round(actor(), round_id, close_due)
    return with_etag(detail, detail["version"], status)


@blp.route("/feedback-rounds")
@allow()
@blp.arguments(RoundQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, RoundOut(many=True), headers=PAGE_HEADERS)
def list_rounds(query: dict[str, Any]) -> Any:
    """Rounds, newest first (employees: their own; supervisors: also their reports')."""
    flt = RoundFilter(query["reviewee_id"], query["unit"], query["period"], query["status"])
    return paged_list(jejak().queries.feedback.rounds_page(actor(), flt, query["limit"], query["cursor"]))


@blp.route("/feedback-rounds", methods=["POST"])
@allow()
@blp.arguments(RoundIn())
@blp.response(201, RoundOut)
def open_round(data: dict[str, Any]) -> Any:
    """Open a round for a reviewee and period (HR or the reviewee's supervisor)."""
    opened = jejak().feedback.open_round(actor(), data["reviewee_id"], data["period"], data["closes_on"],
                                         data["question_set_version"])
    return respond_round(opened.id, 201)


@blp.route("/feedback-rounds/<round_id>")
@allow()
@blp.response(200, RoundOut)
def get_round(round_id: str) -> Any:
    """A round with its nominations and status."""
    return respond_round(parse_id(round_id, "feedback round"), close_due=True)


@blp.route("/feedback-rounds/<round_id>/nominations", methods=["POST"])
@allow()
@blp.arguments(NominationsIn())
@blp.response(201, RoundOut)
def nominate(data: dict[str, Any], round_id: str) -> Any:
    """The reviewee or HR proposes reviewers; the reviewee's supervisor adds them directly (approved)."""
    rid = parse_id(round_id, "feedback round")
    pairs = [(n["reviewer_id"], n["relationship"]) for n in data["nominations"]]
    jejak().feedback.nominate(actor(), rid, pairs, expected_version())
    return respond_round(rid, 201)


@blp.route("/feedback-rounds/<round_id>/nominations/<nomination_id>/approval", methods=["POST"])
@allow()
@blp.response(200, RoundOut)
def approve(round_id: str, nomination_id: str) -> Any:
    """The reviewee's supervisor (or HR) approves a proposed reviewer."""
    rid = parse_id(round_id, "feedback round")
    jejak().feedback.approve(actor(), rid, parse_id(nomination_id, "nomination"), expected_version())
    return respond_round(rid)


@blp.route("/feedback-rounds/<round_id>/nominations/<nomination_id>/rejection", methods=["POST"])
@allow()
@blp.arguments(ReasonIn())
@blp.response(200, RoundOut)
def reject(data: dict[str, Any], round_id: str, nomination_id: str) -> Any:
    """The reviewee's supervisor (or HR) rejects a proposed reviewer."""
    rid = parse_id(round_id, "feedback round")
    jejak().feedback.reject(actor(), rid, parse_id(nomination_id, "nomination"), data["reason"], expected_version())
    return respond_round(rid)


@blp.route("/feedback-rounds/<round_id>/nominations/<nomination_id>/declination", methods=["POST"])
@allow()
@blp.arguments(ReasonIn())
@blp.response(200, ReviewRequestOut(many=True))
def decline(data: dict[str, Any], round_id: str, nomination_id: str) -> Any:
    """The nominated reviewer declines, with a reason; returns the caller's review requests."""
    jejak().feedback.decline(actor(), parse_id(round_id, "feedback round"), parse_id(nomination_id, "nomination"),
                             data["reason"])
    return my_requests()


@blp.route("/feedback-rounds/<round_id>/responses", methods=["POST"])
@allow()
@blp.arguments(ResponseIn())
@blp.response(201, SubmittedOut)
def submit(data: dict[str, Any], round_id: str) -> Any:
    """Submit (or resubmit, superseding) your response; send Idempotency-Key to make retries safe."""
    rid = parse_id(round_id, "feedback round")
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 0 < len(key) <= IDEMPOTENCY_KEY_MAX:
        return _bad_key()
    submitted = jejak().feedback.submit(actor(), rid, data["ratings"], data["comments"], key)
    return vars(submitted), 201


def _bad_key() -> Any:
    return problem(400, f"Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX} characters",
                   errors={"Idempotency-Key": ["too long or empty"]})


@blp.route("/feedback-rounds/<round_id>/responses/mine")
@allow()
@blp.response(200, MyResponseOut)
def my_response(round_id: str) -> dict[str, Any]:
    """Your own current response in a round (nobody else reads raw responses here)."""
    r = own_response(parse_id(round_id, "feedback round"))
    if r is None:
        raise NotFound("you have not responded in this round")
    return {"response_id": r.id, "relationship": r.relationship, "ratings": r.ratings, "comments": r.comments,
            "submitted_at": r.submitted_at, "supersedes": r.supersedes}


def own_response(round_id: UUID) -> Response | None:
    """The caller's current response in a round, if any."""
    return jejak().queries.feedback.own_response(actor(), round_id)


@blp.route("/feedback-rounds/<round_id>/close", methods=["POST"])
@allow()
@blp.arguments(ReasonIn())
@blp.response(200, RoundOut)
def close(data: dict[str, Any], round_id: str) -> Any:
    """Close the round (the reviewee's supervisor or HR); nothing more is accepted."""
    rid = parse_id(round_id, "feedback round")
    jejak().feedback.close(actor(), rid, data["reason"], expected_version())
    return respond_round(rid)


@blp.route("/feedback-rounds/<round_id>/report")
@allow()
@blp.arguments(ReportQuery(), location="query", unknown=ma.RAISE)
@blp.response(200)
def report(query: dict[str, Any], round_id: str) -> dict[str, Any]:
    """The anonymity-protected report (after closing; reviewee, supervisor, HR). Auditors may pass ?at= for
    the report as it stood then."""
    return jejak().queries.feedback.report(actor(), parse_id(round_id, "feedback round"), query["at"])


@blp.route("/me/review-requests")
@allow()
@blp.response(200, ReviewRequestOut(many=True))
def review_requests() -> list[dict[str, Any]]:
    """Your pending and done review requests, with the reviewee, relationship, questions and closing date."""
    return my_requests()


def my_requests() -> list[dict[str, Any]]:
    """The caller's review requests with the pinned questions of each round."""
    return jejak().queries.feedback.review_requests(actor())


@blp.route("/feedback-reminders")
@allow()
@blp.response(200, ReminderOut(many=True))
def reminders() -> list[dict[str, Any]]:
    """Reviewers who have not responded 3 or more days after nomination."""
    return jejak().queries.feedback.reminders_due(actor(), datetime.now(UTC))


@blp.route("/units/<code>/feedback-report")
@allow()
@blp.arguments(UnitReportQuery(), location="query", unknown=ma.RAISE)
@blp.response(200)
def unit_report(query: dict[str, Any], code: str) -> dict[str, Any]:
    """Response rates per round and the distribution of means per value, for a unit (a year's period, 2026,
    includes its quarterly rounds 2026-Q1 ... 2026-Q4)."""
    return jsonable(jejak().queries.feedback.unit_report(actor(), code, query["period"]))  # type: ignore[no-any-return]
