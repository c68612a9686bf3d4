"""Auditor and investigator pages: the event log browser, an aggregate's history and its state at a chosen moment
(a recorded read, with a reason), the ledger verification status, and the investigator's landing page."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import Blueprint, request, url_for
from flask_babel import gettext as _

from application.access_policy import PAGE_ROLES
from application.errors import NotFound
from application.queries.filters import AuditFilter, GrievanceFilter
from domain.errors import DomainError
from web.auth import actor, jejak
from web.http import parse_id
from web.pages.access import page
from web.pages.people import reason_errors
from web.pages.render import Errors, field_errors, render

bp = Blueprint("audit", __name__)
PAGE_SIZE, MAX_PAGE = 50, 200
LOCAL = ZoneInfo("Asia/Jakarta")  # moments typed into the pages are Western Indonesian Time
EMPLOYEE_TOPIC = "domain.employee:Employee"


@bp.route("/audit/events")
@page("audit.events")
def events() -> Any:
    """The log in order, filtered by aggregate, actor, topic and dates, one page at a time."""
    args = {k: (request.args.get(k) or "").strip()[:200] for k in ("aggregate_id", "actor", "topic", "since", "until")}
    errors: Errors = {}
    aggregate_id = parse_uuid(args["aggregate_id"], "aggregate_id", errors)
    since = parse_day(args["since"], "since", errors)
    until = parse_day(args["until"], "until", errors)
    after, limit = request.args.get("after", "0"), request.args.get("limit", str(PAGE_SIZE))
    if not after.isdigit():
        errors["after"] = [_("Give a whole number.")]
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE:
        errors["limit"] = [_("Give a whole number from 1 to %(n)s.", n=MAX_PAGE)]
    if errors:
        return render("pages/events.html", 422, args=args, errors=errors, items=[], next_url=None)
    flt = AuditFilter(aggregate_id, args["actor"] or None, args["topic"] or None,
                      datetime.combine(since, time.min, LOCAL) if since else None,
                      datetime.combine(until + timedelta(days=1), time.min, LOCAL) if until else None)
    found = jejak().queries.audit.events(flt, int(limit), int(after))
    query: dict[str, Any] = {**{k: v for k, v in args.items() if v}, "limit": limit, "after": found["next_after"]}
    next_url = url_for("pages.audit.events", **query) if found["next_after"] is not None else None
    return render("pages/events.html", args=args, errors={}, items=[shown(e) for e in found["items"]],
                  next_url=next_url)


def shown(event: dict[str, Any]) -> dict[str, Any]:
    """An event with its payload as indented JSON for reading."""
    return {**event, "payload_text": json.dumps(event["payload"], indent=2, ensure_ascii=False, sort_keys=True),
            "topic_tail": event["topic"].rsplit(":", 1)[-1]}


def parse_uuid(raw: str, name: str, errors: Errors) -> UUID | None:
    """An id typed into a filter (blank: no filter)."""
    if not raw:
        return None
    try:
        return UUID(raw)
    except ValueError:
        errors[name] = [_("Give an id like 0f8fad5b-d9cb-469f-a165-70867728950e.")]
        return None


def parse_day(raw: str, name: str, errors: Errors) -> date | None:
    """A date typed into a filter (blank: no filter)."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = [_("Give a date like 2026-12-31.")]
        return None


def parse_moment(raw: str, errors: Errors) -> datetime | None:
    """A moment typed as local time (WIB) like 2026-03-01T09:30 (blank: now)."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        errors["at"] = [_("Give a moment like 2026-03-01T09:30.")]
        return None
    return value.replace(tzinfo=LOCAL) if value.tzinfo is None else value


@bp.route("/audit/aggregates/<aggregate_id>")
@page("audit.aggregate_history")
def aggregate(aggregate_id: str) -> Any:
    """An aggregate's history and its state at a chosen moment; the reader states a reason, which is recorded
    with the read exactly as the API records it."""
    agg_id = parse_id(aggregate_id, "aggregate")
    reason = (request.args.get("reason") or "").strip()
    case_id = (request.args.get("case_id") or "").strip()[:100] or None
    errors: Errors = {}
    at_raw = (request.args.get("at") or "").strip()[:40]
    at = parse_moment(at_raw, errors)
    action = url_for("pages.audit.aggregate", aggregate_id=agg_id)
    if not reason and not errors:
        return render("pages/reason.html", person=None, errors={}, reason="", case_id=case_id or "", action=action,
                      keep={"at": at_raw} if at_raw else {})
    errors.update(reason_errors(reason) if reason else {"reason": [_("This field is required.")]})
    if not errors:
        try:
            history = jejak().queries.audit.history(actor(), agg_id, reason, case_id)
        except DomainError as e:
            errors = field_errors(e)
    if errors:
        return render("pages/reason.html", 422, person=None, errors=errors, reason=reason, case_id=case_id or "",
                      action=action, keep={"at": at_raw} if at_raw else {})
    moment = at or datetime.now(UTC)
    version = sum(1 for e in history if e["timestamp"] <= moment)
    state = employee_state_at(agg_id, history, moment, version, reason, case_id)
    return render("pages/aggregate.html", agg_id=agg_id, history=[shown(e) for e in history], moment=moment,
                  at_raw=at_raw, version=version, state=state, reason=reason, case_id=case_id or "")


def employee_state_at(agg_id: UUID, history: list[dict[str, Any]], moment: datetime, version: int, reason: str,
                      case_id: str | None) -> dict[str, Any] | None:
    """An employee's full state as it stood then (the API's recorded state read); other kinds show their events."""
    if not history or not history[0]["topic"].startswith(EMPLOYEE_TOPIC) or version == 0:
        return None
    try:
        return jejak().queries.audit.employee_state(actor(), agg_id, None, moment, reason, case_id)
    except NotFound:
        return None


@bp.route("/audit/verify")
@page("audit.verify")
def verify() -> Any:
    """Whether the hash chain and the seals are intact, or where they first break."""
    return render("pages/verify.html", report=jejak().queries.audit.verification())


@bp.route("/investigations")
@page(roles=PAGE_ROLES["pages.audit.investigations"])
def investigations() -> Any:
    """The investigator's start: the open grievances assigned to them (the API's list, scoped the same way)."""
    rows = jejak().queries.grievances.grievances(actor(), GrievanceFilter(), 200)
    return render("pages/investigations.html", rows=rows)
