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
from flask_babel import lazy_gettext as _l

from application.access_policy import PAGE_ROLES
from application.errors import NotFound
from application.queries.filters import AuditFilter, GrievanceFilter
from web.auth import actor, jejak
from web.http import parse_id
from web.pages.access import page
from web.pages.event_words import SUBJECT_FIELDS, event_choices, event_word, record_word, tail
from web.pages.i18n import date_filter, word
from web.pages.pickers import people
from web.pages.recorded_reads import behind_reason
from web.pages.render import Errors, cursor_arg, next_page, render
from web.pages.timeline_cards import LABELS

bp = Blueprint("audit", __name__)
PAGE_SIZE, MAX_PAGE = 50, 200
LOCAL = ZoneInfo("Asia/Jakarta")  # moments typed into the pages are Western Indonesian Time
EMPLOYEE_TOPIC = "domain.employee:Employee"


ORDERS = ("newest", "oldest")


@bp.route("/audit/events")
@page("audit.events")
def events() -> Any:
    """The log, newest first unless the auditor chooses oldest first, filtered by person (their record), by who
    acted, by kind of event and by dates, one page at a time."""
    keys = ("person", "aggregate_id", "actor", "topic", "since", "until", "order")
    args = {k: (request.args.get(k) or "").strip()[:200] for k in keys}
    errors: Errors = {}
    person = parse_uuid(args["person"], "person", errors)
    aggregate_id = person or parse_uuid(args["aggregate_id"], "aggregate_id", errors)
    since = parse_day(args["since"], "since", errors)
    until = parse_day(args["until"], "until", errors)
    newest = args["order"] != "oldest"
    if args["order"] not in ("", *ORDERS):
        errors["order"] = [_("Choose newest or oldest first.")]
    cursor = request.args.get("before" if newest else "after", "")
    limit = request.args.get("limit", str(PAGE_SIZE))
    if cursor and not cursor.isdigit():
        errors["before" if newest else "after"] = [_("Give a whole number.")]
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE:
        errors["limit"] = [_("Give a whole number from 1 to %(n)s.", n=MAX_PAGE)]
    choices: dict[str, Any] = {"people": people(args["person"]),
               "actors": [(a["actor_id"], f"{a['name'] or '—'} ({word(a['role'])})")
                          for a in jejak().queries.audit.actors()],
               "kinds": event_choices()}
    if errors:
        return render("pages/events.html", 422, args=args, errors=errors, items=[], next_url=None, **choices)
    flt = AuditFilter(aggregate_id, args["actor"] or None, args["topic"] or None,
                      datetime.combine(since, time.min, LOCAL) if since else None,
                      datetime.combine(until + timedelta(days=1), time.min, LOCAL) if until else None)
    found = (jejak().queries.audit.events(flt, int(limit), 0, int(cursor) if cursor else None, True) if newest
             else jejak().queries.audit.events(flt, int(limit), int(cursor or 0)))
    next_url = None
    if found["next_after"] is not None:
        query = {**{k: v for k, v in args.items() if v}, "limit": limit,
                 "before" if newest else "after": found["next_after"]}
        next_url = url_for("pages.audit.events", **query)
    names = Names()
    return render("pages/events.html", args=args, errors={}, items=[shown(e, names) for e in found["items"]],
                  next_url=next_url, **choices)


class Names:
    """People's names by id, looked up once per page (an id outside the directory has none)."""

    def __init__(self) -> None:
        self.known: dict[str, str | None] = {}

    def __call__(self, person_id: Any) -> str | None:
        key = str(person_id)
        if key not in self.known:
            try:
                self.known[key] = jejak().queries.people.name_of(UUID(key))
            except ValueError:
                self.known[key] = None
        return self.known[key]


def shown(event: dict[str, Any], names: Names | None = None) -> dict[str, Any]:
    """An event with its type and record in words, the person it is about by name, and its payload as indented
    JSON for reading."""
    payload = event["payload"] if isinstance(event["payload"], dict) else {}
    subject = next((payload[f] for f in SUBJECT_FIELDS if payload.get(f)), None)
    if subject is None and tail(event["topic"]).startswith("Employee."):
        subject = event["aggregate_id"]
    about = (names or Names())(subject) if subject is not None else None
    return {**event, "payload_text": json.dumps(event["payload"], indent=2, ensure_ascii=False, sort_keys=True),
            "topic_tail": tail(event["topic"]), "label": event_word(event["topic"]),
            "record": record_word(event["topic"]), "about": about, "about_id": subject}


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
        errors[name] = [_("Choose a valid date.")]
        return None


def parse_moment(raw: str, errors: Errors) -> datetime | None:
    """A moment typed as local time (WIB) like 2026-03-01T09:30 (blank: now)."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        errors["at"] = [_("Choose a valid date and time.")]
        return None
    return value.replace(tzinfo=LOCAL) if value.tzinfo is None else value


@bp.route("/audit/aggregates/<aggregate_id>", methods=["GET", "POST"])
@page("audit.aggregate_history")
def aggregate(aggregate_id: str) -> Any:
    """An aggregate's history and its state at a chosen moment; the reader first states a reason (a POST form),
    which is recorded with the read as the API records it, once: choosing another moment reads the same history."""
    agg_id = parse_id(aggregate_id, "aggregate")
    queries = jejak().queries.audit
    return behind_reason("history", agg_id,
                         lambda reason, case_id: queries.record_history_read(actor(), agg_id, reason, case_id),
                         lambda read_id: history_page(agg_id, read_id))


def history_page(agg_id: UUID, read_id: UUID) -> Any:
    """The history, and the state at the moment asked for (``at``, local time; blank: now)."""
    errors: Errors = {}
    at_raw = (request.args.get("at") or "").strip()[:40]
    at = parse_moment(at_raw, errors)
    history = jejak().queries.audit.history(actor(), agg_id, None, None, read_id)
    moment = at or datetime.now(UTC)
    version = sum(1 for e in history if e["timestamp"] <= moment)
    state = employee_state_at(agg_id, history, moment, version, read_id)
    names = Names()
    events = [shown(e, names) for e in history]
    record = events[0]["record"] if events else ""
    about = next((e["about"] for e in events if e["about"]), None)
    return render("pages/aggregate.html", 422 if errors else 200, agg_id=agg_id, history=events, moment=moment,
                  at_raw=at_raw, version=version, state=state_fields(state, names) if state else None,
                  record=record, about=about, errors=errors)


STATE_LABELS: dict[str, Any] = {
    "name": _l("Name"), "nip": _l("NIP"), "sex": _l("Sex"), "birth_date": _l("Birth date"),
    "unit_since": _l("In the unit since"), "position_since": _l("In the position since"),
    "supervisor_since": _l("Supervisor since"), "email": _l("E-mail address"), "language": _l("Language"),
    "version": _l("Version"),
}
SEXES: dict[str, Any] = {"M": _l("male"), "F": _l("female")}
LANGUAGES: dict[str, Any] = {"id": _l("Indonesian"), "en": _l("English")}


def state_fields(state: dict[str, Any], names: Names) -> list[tuple[str, str]]:
    """An employee's state as named fields in the visitor's language: people by name, dates in the one format."""
    labels = {**STATE_LABELS, **LABELS}
    out: list[tuple[str, str]] = []
    for key, label in labels.items():
        if key not in state:
            continue
        value = state[key]
        if value is None or value == "":
            text = "—"
        elif key.endswith("supervisor_id"):
            text = names(value) or _("someone outside the directory")
        elif key == "sex":
            text = str(SEXES.get(value, value))
        elif key == "language":
            text = str(LANGUAGES.get(value, value))
        elif isinstance(value, date):
            text = date_filter(value)
        else:
            text = str(value)
        out.append((str(label), text))
    return out


def employee_state_at(agg_id: UUID, history: list[dict[str, Any]], moment: datetime, version: int,
                      read_id: UUID) -> dict[str, Any] | None:
    """An employee's full state as it stood then (part of the recorded read of the history); other kinds show
    their events."""
    if not history or not history[0]["topic"].startswith(EMPLOYEE_TOPIC) or version == 0:
        return None
    try:
        return jejak().queries.audit.employee_state(actor(), agg_id, None, moment, None, None, read_id)
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
    """The investigator's start: the open grievances assigned to them (the API's list, scoped the same way), a page
    at a time with how many there are."""
    found = jejak().queries.grievances.page(actor(), GrievanceFilter(), PAGE_SIZE, cursor_arg())
    return render("pages/investigations.html", rows=found["items"], found=found, next_url=next_page(found))
