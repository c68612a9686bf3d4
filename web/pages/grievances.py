"""Grievance pages: the list (the grievant's own, HR's and auditors' all, an investigator's assigned open ones), a
grievance's status and outcome with HR's assignment form, and the case file. The same services as the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _

from application.queries.filters import GrievanceFilter
from domain.errors import DomainError
from domain.grievance import OPEN_STATUSES, OUTCOMES, STATUSES
from web.auth import actor, jejak
from web.http import parse_id
from web.pages.access import page
from web.pages.promotions import readable_drift
from web.pages.recorded_reads import behind_reason, remembered
from web.pages.render import PAGE_SIZE, Errors, cursor_arg, field_errors, next_page, render, required

CASE_FILE_READ = "case_file"
bp = Blueprint("grievances", __name__)


@bp.route("/grievances")
@page("grievances.list_grievances")
def grievances() -> Any:
    """The grievances the account may see, newest first (``status`` narrows them, e.g. filed: not yet assigned)."""
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    found = jejak().queries.grievances.page(actor(), GrievanceFilter(status=status), PAGE_SIZE, cursor_arg())
    return render("pages/grievances.html", rows=found["items"], found=found, next_url=next_page(found), shown=status)


@bp.route("/grievances/<grievance_id>")
@page("grievances.get_grievance")
def grievance(grievance_id: str) -> Any:
    """A grievance's status and outcome; HR assigns an investigator here."""
    return grievance_page(parse_id(grievance_id, "grievance"))


def grievance_page(gid: UUID, status: int = 200, errors: Errors | None = None, chosen: str = "",
                   form: dict[str, str] | None = None) -> Any:
    """Render a grievance (and, while it is open, HR's assignment form and the assigned investigator's
    conclusion form)."""
    data = jejak().queries.grievances.grievance(actor(), gid)
    who, policy, is_open = actor(), jejak().policy, data["status"] in OPEN_STATUSES
    may_assign = policy.may_assign_investigator(who) and is_open
    may_conclude = is_open and data["investigator_id"] is not None and policy.may_conclude_grievance(
        who, data["investigator_id"])
    return render("pages/grievance.html", status, g=data, errors=errors or {}, chosen=chosen, form=form or {},
                  investigators_options=investigators() if may_assign else [], may_assign=may_assign,
                  may_conclude=may_conclude, outcomes=OUTCOMES,
                  may_read_file=policy.may_read_case_file(who, gid, is_open, data["investigator_id"]),
                  notice=request.args.get("notice"))


def investigators() -> list[tuple[str, str]]:
    """Who HR may assign: active persons holding the investigator role, as (person id, name) options."""
    return [(str(p["id"]), p["name"]) for p in jejak().queries.access.assignable_investigators(actor())]


@bp.route("/grievances/<grievance_id>/investigator", methods=["POST"])
@page("grievances.assign")
def assign(grievance_id: str) -> Any:
    """HR assigns (or reassigns) the investigator."""
    gid = parse_id(grievance_id, "grievance")
    chosen = (request.form.get("investigator") or "").strip()
    errors: Errors = {}
    try:
        holder = UUID(chosen)
    except ValueError:
        errors = {"investigator": [_("Choose an investigator from the list.")]}
    if not errors:
        try:
            jejak().grievances.assign(actor(), gid, holder)
        except DomainError as e:
            errors = field_errors(e, {"investigator_id": "investigator"})
    if errors:
        return grievance_page(gid, 422, errors, chosen)
    return redirect(url_for("pages.grievances.grievance", grievance_id=gid, notice="assigned"))


@bp.route("/grievances/<grievance_id>/conclusion", methods=["POST"])
@page("grievances.conclude")
def conclude(grievance_id: str) -> Any:
    """The assigned investigator records findings and the outcome (upheld with a remedy, or dismissed)."""
    gid = parse_id(grievance_id, "grievance")
    form = {k: (request.form.get(k) or "").strip() for k in ("outcome", "findings", "reasons", "remedy")}
    errors = required(form, "outcome", "findings", "reasons")
    if not errors:
        try:
            jejak().grievances.conclude(actor(), gid, form["outcome"], form["findings"], form["reasons"],
                                        form["remedy"] or None)
        except DomainError as e:
            errors = field_errors(e)
    if errors:
        return grievance_page(gid, 422, errors, form=form)
    return redirect(url_for("pages.grievances.grievance", grievance_id=gid, notice="concluded"))


@bp.route("/grievances/<grievance_id>/case-file", methods=["GET", "POST"])
@page("grievances.case_file")
def case_file(grievance_id: str) -> Any:
    """The case file: the decision event, the evidence as of the decision, replay, drift, the rule-set text and the
    trail of actors. Opening it is a recorded read: the reason is asked for first (a POST form), recorded once."""
    gid = parse_id(grievance_id, "grievance")
    return behind_case_file_read(gid, lambda read_id: render(
        "pages/case_file.html", f=readable_file(jejak().grievances.case_file(actor(), gid, None, read_id)),
        g=jejak().queries.grievances.grievance(actor(), gid)))


def behind_case_file_read(gid: UUID, show: Callable[[UUID], Any]) -> Any:
    """The case file (page or PDF) once this session recorded a read of it, else the reason form (refused first
    when the visitor may not read it at all)."""
    service = jejak().grievances
    if request.method == "GET" and remembered(CASE_FILE_READ, gid) is None:
        service.check_case_file(actor(), gid)
    return behind_reason(CASE_FILE_READ, gid, lambda reason, _case: service.record_case_file_read(actor(), gid, reason),
                         show, show_case=False)


def readable_file(data: dict[str, Any]) -> dict[str, Any]:
    """The case file with moments as datetimes and the rule-set text and input states as indented JSON."""
    def when(event: dict[str, Any]) -> dict[str, Any]:
        return {**event, "recorded_at": datetime.fromisoformat(event["recorded_at"]),
                "payload_text": pretty(event.get("payload"))}

    rule_set = data["rule_set"]
    return {**data, "decision_event": when(data["decision_event"]), "trail": [when(e) for e in data["trail"]],
            "drift": readable_drift(data["drift"]) if data.get("drift") else None,
            "evidence": [{**e, "state_text": pretty(e["state"])} for e in data["evidence"]],
            "rule_set": {**rule_set, "text": pretty(rule_set["rules"])} if rule_set else None}


def pretty(value: Any) -> str:
    """Indented JSON for reading."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
