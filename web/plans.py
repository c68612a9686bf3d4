"""Individual development plans (IDP): goals tied to needs, planned activities, both signatures, progress, outcome."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from domain.development_plan import ACTIVITY_KINDS, MAX_ACTIVITIES, MAX_GOALS, MAX_JP, MAX_TITLE, OUTCOMES
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import expected_version, parse_id, with_etag
from web.schemas import LongText, Strict
from web.trainings import YEARS

blp = Blueprint("plans", __name__, url_prefix="/api", description="Individual development plans (IDP)")
STATUSES = ("draft", "agreed", "closed")


class PlanQuery(Strict):
    """Plan list filters."""

    employee_id = ma.fields.UUID(load_default=None)
    year = ma.fields.Integer(load_default=None, validate=YEARS)
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(STATUSES))
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))


class PlanIn(Strict):
    """Whose plan, for which year."""

    employee_id = ma.fields.UUID(required=True)
    year = ma.fields.Integer(required=True, validate=ma.validate.Range(min=2000, max=2100))


class ActivityIn(Strict):
    """A planned activity."""

    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(ACTIVITY_KINDS))
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_TITLE))
    jp_planned = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=0, max=MAX_JP))
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True, metadata={"description": "in the plan's year, not before starts_on"})


class GoalIn(Strict):
    """A goal tied to the employee's development needs."""

    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_TITLE))
    need_ids = ma.fields.List(ma.fields.UUID(), required=True, validate=ma.validate.Length(min=1, max=MAX_GOALS))
    activities = ma.fields.List(ma.fields.Nested(ActivityIn), required=True,
                                validate=ma.validate.Length(min=1, max=MAX_ACTIVITIES))


class ProgressIn(Strict):
    """A goal's progress."""

    progress = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=0, max=100),
                                 metadata={"description": "percent"})
    note = ma.fields.String(required=True, validate=LongText)


class LinkIn(Strict):
    """A training completion that served the goal."""

    training_id = ma.fields.UUID(required=True)


class ClosureIn(Strict):
    """How the plan ended."""

    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOMES))
    summary = ma.fields.String(required=True, validate=LongText)


class GoalOut(Out):
    """A goal with its activities, progress and linked trainings."""

    id = ma.fields.UUID()
    title = ma.fields.String()
    need_ids = ma.fields.List(ma.fields.String())
    activities = ma.fields.List(ma.fields.Dict())
    jp_planned = ma.fields.Integer()
    progress = ma.fields.Integer()
    progress_note = ma.fields.String(allow_none=True)
    trainings = ma.fields.List(ma.fields.Dict(), metadata={"description": "training_id, version, jp"})


class PlanOut(Out):
    """A development plan (with its goals in the detail view)."""

    id = ma.fields.UUID()
    employee_id = ma.fields.UUID()
    employee_name = ma.fields.String(allow_none=True)
    unit = ma.fields.String(allow_none=True)
    year = ma.fields.Integer()
    supervisor_id = ma.fields.UUID(allow_none=True)
    status = ma.fields.String(metadata={"description": "draft, agreed (both signed) or closed"})
    employee_signed_at = ma.fields.AwareDateTime(allow_none=True)
    supervisor_signed_at = ma.fields.AwareDateTime(allow_none=True)
    goals = ma.fields.Integer()
    jp_planned = ma.fields.Integer()
    jp_linked = ma.fields.Integer()
    outcome = ma.fields.String(allow_none=True)
    summary = ma.fields.String(allow_none=True)
    closed_on = ma.fields.Date(allow_none=True)
    drafted_at = ma.fields.AwareDateTime()
    version = ma.fields.Integer()
    goal_list = ma.fields.List(ma.fields.Nested(GoalOut))


def respond_plan(plan_id: UUID, status: int = 200) -> Any:
    """A plan the caller may read (whoever reads the employee's record), with its version as ETag."""
    row = jejak().queries.development_records.plan(actor(), plan_id)
    return with_etag(row, row["version"], status)


@blp.route("/development-plans")
@allow()
@blp.arguments(PlanQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, PlanOut(many=True))
def list_plans(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Plans, latest year first (employees: their own; supervisors: also their reports')."""
    return jejak().queries.development_records.plans(actor(), query["employee_id"], query["year"], query["status"],
                                                     query["limit"])


@blp.route("/development-plans", methods=["POST"])
@allow()
@blp.arguments(PlanIn())
@blp.response(201, PlanOut)
def draft_plan(data: dict[str, Any]) -> Any:
    """Start an employee's plan for a year (the employee, their supervisor or HR; one per year)."""
    plan = jejak().plans.draft(actor(), data["employee_id"], data["year"])
    return respond_plan(plan.id, 201)


@blp.route("/development-plans/<plan_id>")
@allow()
@blp.response(200, PlanOut)
def get_plan(plan_id: str) -> Any:
    """One plan with its goals."""
    return respond_plan(parse_id(plan_id, "development plan"))


@blp.route("/development-plans/<plan_id>/goals", methods=["POST"])
@allow()
@blp.arguments(GoalIn())
@blp.response(201, PlanOut)
def add_goal(data: dict[str, Any], plan_id: str) -> Any:
    """Add a goal to a draft plan; it voids earlier signatures (the employee, their supervisor or HR)."""
    pid = parse_id(plan_id, "development plan")
    jejak().plans.add_goal(actor(), pid, data["title"], data["need_ids"], data["activities"], expected_version())
    return respond_plan(pid, 201)


@blp.route("/development-plans/<plan_id>/signature", methods=["POST"])
@allow()
@blp.response(200, PlanOut)
def sign_plan(plan_id: str) -> Any:
    """Sign the plan's goals as they stand: the employee as the employee, the plan's supervisor as the supervisor;
    agreed when both have."""
    pid = parse_id(plan_id, "development plan")
    jejak().plans.sign(actor(), pid, expected_version())
    return respond_plan(pid)


@blp.route("/development-plans/<plan_id>/goals/<goal_id>/progress", methods=["POST"])
@allow()
@blp.arguments(ProgressIn())
@blp.response(200, PlanOut)
def record_progress(data: dict[str, Any], plan_id: str, goal_id: str) -> Any:
    """A goal's progress on an agreed plan (the employee, their supervisor or HR)."""
    pid = parse_id(plan_id, "development plan")
    jejak().plans.record_progress(actor(), pid, parse_id(goal_id, "goal"), data["progress"], data["note"],
                                  expected_version())
    return respond_plan(pid)


@blp.route("/development-plans/<plan_id>/goals/<goal_id>/trainings", methods=["POST"])
@allow()
@blp.arguments(LinkIn())
@blp.response(200, PlanOut)
def link_training(data: dict[str, Any], plan_id: str, goal_id: str) -> Any:
    """Name a training completion of the employee as serving the goal (the employee, their supervisor or HR)."""
    pid = parse_id(plan_id, "development plan")
    jejak().plans.link_training(actor(), pid, parse_id(goal_id, "goal"), data["training_id"], expected_version())
    return respond_plan(pid)


@blp.route("/development-plans/<plan_id>/closure", methods=["POST"])
@allow()
@blp.arguments(ClosureIn())
@blp.response(200, PlanOut)
def close_plan(data: dict[str, Any], plan_id: str) -> Any:
    """Close the agreed plan with its outcome (the employee's supervisor or HR)."""
    pid = parse_id(plan_id, "development plan")
    jejak().plans.close(actor(), pid, data["outcome"], data["summary"], expected_version())
    return respond_plan(pid)
