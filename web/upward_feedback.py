"""Upward feedback to a supervisor outside a 360 round, anonymous only under the 360 anonymity rule."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from domain.development import BERAKHLAK
from domain.feedback_round import PERIOD
from domain.upward_feedback import MAX_COMMENT
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import parse_id
from web.schemas import Strict

blp = Blueprint("upward_feedback", __name__, url_prefix="/api", description="Upward feedback to a supervisor")
PERIODS = ma.validate.Regexp(PERIOD, error="a year like 2026 or a quarter like 2026-Q3")


class UpwardIn(Strict):
    """Feedback to your direct supervisor for the running period."""

    period = ma.fields.String(required=True, validate=PERIODS)
    anonymous = ma.fields.Boolean(load_default=True, metadata={
        "description": "shown only pooled, after the period, and only when enough reports gave it anonymously"})
    ratings = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.OneOf(BERAKHLAK)),
                             values=ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=5)),
                             load_default=dict, metadata={"description": "BerAKHLAK value -> 1..5"})
    comment = ma.fields.String(load_default="", validate=ma.validate.Length(max=MAX_COMMENT))


class PeriodQuery(Strict):
    """Which period."""

    period = ma.fields.String(required=True, validate=PERIODS)


class NamedOut(Out):
    """Named feedback."""

    reviewer_id = ma.fields.String()
    reviewer_name = ma.fields.String()
    ratings = ma.fields.Dict()
    comment = ma.fields.String()


class UpwardOut(Out):
    """A supervisor's upward feedback of a period."""

    supervisor_id = ma.fields.UUID()
    period = ma.fields.String()
    period_over = ma.fields.Boolean()
    rule_set_version = ma.fields.Integer()
    entries = ma.fields.Integer(metadata={"description": "how many reports gave feedback, named or anonymous"})
    named = ma.fields.List(ma.fields.Nested(NamedOut))
    anonymous = ma.fields.Dict(metadata={"description": "shown, threshold; when shown: count, means, comments; "
                                                        "else the reason it is withheld"})


class GivenOut(Out):
    """Your feedback as recorded (the supervisor's view is theirs)."""

    entry_id = ma.fields.UUID()
    supervisor_id = ma.fields.UUID()
    period = ma.fields.String()
    anonymous = ma.fields.Boolean()


@blp.route("/employees/<employee_id>/upward-feedback", methods=["POST"])
@allow()
@blp.arguments(UpwardIn())
@blp.response(201, GivenOut)
def give_feedback(data: dict[str, Any], employee_id: str) -> dict[str, Any]:
    """Give your direct supervisor feedback for the running period, named or anonymous (once a period)."""
    supervisor = parse_id(employee_id, "employee")
    entry = jejak().upward_feedback.give(actor(), supervisor, data["period"], data["anonymous"], data["ratings"],
                                         data["comment"])
    return {"entry_id": entry.id, "supervisor_id": supervisor, "period": data["period"],
            "anonymous": entry.anonymous}


@blp.route("/employees/<employee_id>/upward-feedback")
@allow()
@blp.arguments(PeriodQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, UpwardOut)
def feedback_report(query: dict[str, Any], employee_id: str) -> Any:
    """The upward feedback a supervisor received in a period (the supervisor, HR, auditors)."""
    return jejak().upward_feedback.report(actor(), parse_id(employee_id, "employee"), query["period"])
