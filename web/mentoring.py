"""Mentoring assignments (with sessions and a closing summary) and awards (penghargaan)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from domain.mentoring import MAX_GOAL, MAX_GOALS, MAX_NOTE
from domain.recognition import CATEGORIES
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import PAGE_HEADERS, expected_version, paged_list, parse_id, with_etag
from web.schemas import LongText, Strict, Text

blp = Blueprint("mentoring", __name__, url_prefix="/api", description="Mentoring and awards (penghargaan)")


class MentoringIn(Strict):
    """A mentor (of a higher rank) for a mentee, with goals."""

    mentor_id = ma.fields.UUID(required=True)
    mentee_id = ma.fields.UUID(required=True)
    goals = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=MAX_GOAL)), required=True,
                           validate=ma.validate.Length(min=1, max=MAX_GOALS))
    starts_on = ma.fields.Date(load_default=None, metadata={"description": "default today"})


class MentoringQuery(Strict):
    """Mentoring list filters."""

    employee_id = ma.fields.UUID(load_default=None, metadata={"description": "as mentor or mentee"})
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(("active", "ended")))
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=500), metadata={
        "description": "the next page: the cursor of the Link header's rel=\"next\""})


class SessionIn(Strict):
    """A mentoring session held."""

    held_on = ma.fields.Date(required=True)
    note = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_NOTE))


class EndIn(Strict):
    """How the mentoring went."""

    summary = ma.fields.String(required=True, validate=LongText)


class SessionOut(Out):
    """A logged session."""

    id = ma.fields.UUID()
    held_on = ma.fields.Date()
    note = ma.fields.String()
    logged_by = ma.fields.String(metadata={"description": "mentor, mentee or hr"})
    logged_at = ma.fields.AwareDateTime()


class MentoringOut(Out):
    """A mentoring assignment (with its sessions in the detail view)."""

    id = ma.fields.UUID()
    mentor_id = ma.fields.UUID()
    mentor_name = ma.fields.String(allow_none=True)
    mentor_rank = ma.fields.String()
    mentee_id = ma.fields.UUID()
    mentee_name = ma.fields.String(allow_none=True)
    mentee_rank = ma.fields.String()
    goals = ma.fields.List(ma.fields.String())
    starts_on = ma.fields.Date()
    status = ma.fields.String()
    sessions = ma.fields.Integer()
    last_session_on = ma.fields.Date(allow_none=True)
    summary = ma.fields.String(allow_none=True)
    ended_on = ma.fields.Date(allow_none=True)
    assigned_at = ma.fields.AwareDateTime()
    version = ma.fields.Integer()
    session_log = ma.fields.List(ma.fields.Nested(SessionOut))


class AwardIn(Strict):
    """An award to grant."""

    employee_id = ma.fields.UUID(required=True)
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(tuple(CATEGORIES)),
                                metadata={"description": "; ".join(f"{k}: {v}" for k, v in CATEGORIES.items())})
    title = ma.fields.String(required=True, validate=Text, metadata={"example": "Pegawai Teladan 2025"})
    reason = ma.fields.String(required=True, validate=LongText)
    awarded_on = ma.fields.Date(load_default=None, metadata={"description": "default today; not in the future"})


class AwardQuery(Strict):
    """Award filters."""

    employee_id = ma.fields.UUID(load_default=None)
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=500), metadata={
        "description": "the next page: the cursor of the Link header's rel=\"next\""})


class AwardOut(Out):
    """An award."""

    id = ma.fields.UUID()
    employee_id = ma.fields.UUID()
    employee_name = ma.fields.String(allow_none=True)
    category = ma.fields.String()
    title = ma.fields.String()
    reason = ma.fields.String()
    awarded_on = ma.fields.Date()
    granted_by_id = ma.fields.UUID(allow_none=True)
    granted_at = ma.fields.AwareDateTime()
    version = ma.fields.Integer()


def mentoring_detail(mentoring_id: UUID) -> dict[str, Any]:
    """An assignment the caller may read: the mentor, the mentee and those who read the mentee's record."""
    return jejak().queries.talent.mentoring(actor(), mentoring_id)


def respond_mentoring(mentoring_id: UUID, status: int = 200) -> Any:
    """An assignment with its sessions and its version as ETag."""
    row = mentoring_detail(mentoring_id)
    return with_etag(row, row["version"], status)


@blp.route("/mentoring")
@allow()
@blp.arguments(MentoringQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, MentoringOut(many=True), headers=PAGE_HEADERS)
def list_mentoring(query: dict[str, Any]) -> Any:
    """Assignments, latest start first (employees: where they are mentor or mentee; supervisors: also their
    reports' as mentees)."""
    return paged_list(jejak().queries.talent.mentorings(actor(), query["employee_id"], query["status"],
                                                        query["limit"], query["cursor"] or ""))


@blp.route("/mentoring", methods=["POST"])
@allow()
@blp.arguments(MentoringIn())
@blp.response(201, MentoringOut)
def assign(data: dict[str, Any]) -> Any:
    """Assign a mentor of a higher rank to a mentee, with goals (the mentee's supervisor or HR)."""
    mentoring = jejak().mentoring.assign(actor(), data["mentor_id"], data["mentee_id"], data["goals"],
                                         data["starts_on"])
    return respond_mentoring(mentoring.id, 201)


@blp.route("/mentoring/<mentoring_id>")
@allow()
@blp.response(200, MentoringOut)
def get_mentoring(mentoring_id: str) -> Any:
    """One assignment with its sessions."""
    return respond_mentoring(parse_id(mentoring_id, "mentoring assignment"))


@blp.route("/mentoring/<mentoring_id>/sessions", methods=["POST"])
@allow()
@blp.arguments(SessionIn())
@blp.response(201, MentoringOut)
def log_session(data: dict[str, Any], mentoring_id: str) -> Any:
    """Log a session with its date and a short note (the mentor, the mentee or HR)."""
    mid = parse_id(mentoring_id, "mentoring assignment")
    jejak().mentoring.log_session(actor(), mid, data["held_on"], data["note"], expected_version())
    return respond_mentoring(mid, 201)


@blp.route("/mentoring/<mentoring_id>/end", methods=["POST"])
@allow()
@blp.arguments(EndIn())
@blp.response(200, MentoringOut)
def end(data: dict[str, Any], mentoring_id: str) -> Any:
    """End the assignment with a summary (the mentor, the mentee's supervisor or HR)."""
    mid = parse_id(mentoring_id, "mentoring assignment")
    jejak().mentoring.end(actor(), mid, data["summary"], expected_version())
    return respond_mentoring(mid)


@blp.route("/awards")
@allow()
@blp.arguments(AwardQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, AwardOut(many=True), headers=PAGE_HEADERS)
def list_awards(query: dict[str, Any]) -> Any:
    """Awards, latest first (employees: their own; supervisors: also their reports')."""
    return paged_list(jejak().queries.talent.awards(actor(), query["employee_id"], query["limit"],
                                                    query["cursor"] or ""))


@blp.route("/awards", methods=["POST"])
@allow()
@blp.arguments(AwardIn())
@blp.response(201, AwardOut)
def grant(data: dict[str, Any]) -> Any:
    """Grant an award with its category and reason (the employee's supervisor or HR)."""
    award = jejak().recognition.grant(actor(), data["employee_id"], data["category"], data["title"], data["reason"],
                                      data["awarded_on"])
    return respond_award(award.id, 201)


@blp.route("/awards/<award_id>")
@allow()
@blp.response(200, AwardOut)
def get_award(award_id: str) -> Any:
    """One award."""
    return respond_award(parse_id(award_id, "award"))


def respond_award(award_id: UUID, status: int = 200) -> Any:
    """An award the caller may read, with its version as ETag."""
    row = jejak().queries.talent.award(actor(), award_id)
    return with_etag(row, row["version"], status)
