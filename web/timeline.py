"""An employee's career timeline: every career event in date order, each pointing at its raw event in the log."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from application.queries.timeline import KINDS
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import parse_id
from web.schemas import READ_CASE, READ_REASON, LongText, Strict

blp = Blueprint("timeline", __name__, url_prefix="/api", description="Career timeline")


class TimelineQuery(Strict):
    """Date range (inclusive, by business date) and kinds; auditors say why they read."""

    since = ma.fields.Date(load_default=None, metadata={"description": "first date, inclusive"})
    until = ma.fields.Date(load_default=None, metadata={"description": "last date, inclusive"})
    kind = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=500)), load_default=list,
                          metadata={"description": f"repeat or separate with commas; one of {', '.join(KINDS)}"})
    reason = ma.fields.String(load_default=None, validate=LongText, metadata={
        "description": f"required for auditors (others: ignored): {READ_REASON}"})
    case_id = ma.fields.String(load_default=None, validate=ma.validate.Length(max=100),
                               metadata={"description": READ_CASE})
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500),
                              metadata={"description": "items per page, oldest first"})
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=500), metadata={
        "description": "the next page: the next_cursor of the previous page"})

    @ma.validates_schema
    def check(self, data: dict[str, Any], **_: Any) -> None:
        """Known kinds only; a range that ends before it starts is refused."""
        errors: dict[str, list[str]] = {}
        unknown = sorted({k for k in split_kinds(data.get("kind") or []) if k not in KINDS})
        if unknown:
            errors["kind"] = [f"unknown kind {', '.join(unknown)}; known: {', '.join(KINDS)}"]
        since, until = data.get("since"), data.get("until")
        if since is not None and until is not None and until < since:
            errors["until"] = ["must be on or after since"]
        if errors:
            raise ma.ValidationError(errors)

    @ma.post_load
    def normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """The requested kinds, each once, in the documented order."""
        wanted = set(split_kinds(data["kind"]))
        return {**data, "kind": [k for k in KINDS if k in wanted]}


def split_kinds(values: list[str]) -> list[str]:
    """``kind=rank,unit&kind=award`` -> [rank, unit, award] (blanks dropped)."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


class EventRefOut(Out):
    """The event an item came from, as /api/audit/events shows it."""

    aggregate_id = ma.fields.UUID()
    version = ma.fields.Integer()
    position = ma.fields.Integer(metadata={"description": "global log position"})
    topic = ma.fields.String()
    href = ma.fields.String(metadata={"description": "the raw event in the audit log (auditors)"})


class ItemOut(Out):
    """One career event."""

    id = ma.fields.UUID(metadata={"description": "stable across rebuilds"})
    date = ma.fields.Date(metadata={"description": "business date: TMT, finalisation, training end, ..."})
    kind = ma.fields.String(metadata={"description": ", ".join(KINDS)})
    title = ma.fields.String()
    details = ma.fields.Dict()
    recorded_at = ma.fields.AwareDateTime(metadata={"description": "when the event was stored"})
    event = ma.fields.Nested(EventRefOut)


class TimelineOut(Out):
    """An employee's timeline, oldest first."""

    employee_id = ma.fields.UUID()
    name = ma.fields.String()
    since = ma.fields.Date(allow_none=True)
    until = ma.fields.Date(allow_none=True)
    kinds = ma.fields.List(ma.fields.String(), metadata={"description": "the kinds asked for (empty: all)"})
    count = ma.fields.Integer(metadata={"description": "items of the whole filtered timeline"})
    items = ma.fields.List(ma.fields.Nested(ItemOut))
    next_cursor = ma.fields.String(allow_none=True, metadata={"description": "the next page (null: the last)"})


@blp.route("/employees/<employee_id>/timeline")
@allow()
@blp.arguments(TimelineQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, TimelineOut)
def employee_timeline(query: dict[str, Any], employee_id: str) -> dict[str, Any]:
    """Registration, rank, position, unit and supervisor changes, final appraisals and objections, verified
    trainings, closed 360 rounds, potential assessments, mentoring and awards, in date order (then log order),
    each with the aggregate id, version and log position of its event, a page at a time (``limit``, ``cursor``). Employees read their own, supervisors
    also their direct and indirect reports', HR and auditors everyone's; an auditor's read needs a ``reason``
    and is recorded as an event."""
    return jejak().queries.timeline.timeline(actor(), parse_id(employee_id, "employee"), query["since"],
                                             query["until"], query["kind"], query["reason"], query["case_id"],
                                             limit=query["limit"], cursor=query["cursor"])
